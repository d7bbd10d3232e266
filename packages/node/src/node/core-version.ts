import { readFileSync } from 'node:fs';
import path from 'node:path';

/** @veilnode/node's package version (shown by the CLI and to unrestricted RPC clients). */
export function coreVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
