import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const NODE_PACKAGE = require.resolve('@veilnode/node/package.json');

/** The `veilnode` bin exactly as npm links it for users. */
export const VEILNODE_BIN = path.join(
  path.dirname(NODE_PACKAGE),
  (JSON.parse(readFileSync(NODE_PACKAGE, 'utf8')) as { bin: Record<string, string> }).bin.veilnode,
);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the real CLI to completion with a clean environment (only PATH, and HOME if given). */
export function veilnode(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEILNODE_BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
