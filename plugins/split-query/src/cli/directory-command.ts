import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { ConfigError, type PluginCommand, type PluginCommandContext } from '@veilnode/plugin-api';
import { createDirectory, parseDirectory, signDirectory, verifyDirectory, type DirectoryEntry, type DirectoryTrust } from '../directory';
import { toHex } from '../hex';
import { readKeyFile, secretField, writeKeyFile } from '../key-file';
import { checkServerAddress } from '../server-address';
import { ServerKeys } from '../server-keys';
import type { SplitQueryConfig } from '../split-query-config';
import { parseArgs, optional, required } from './command-args';
import { readJsonFile } from './read-json';

const USAGE = `usage: veilnode directory keygen --out KEYFILE            new directory signing key (file 0600); prints its public key
       veilnode directory entry --address ADDRESS           this node's server entry (id, sealing key, expiry) for ADDRESS
       veilnode directory create --out DIR.json ENTRY.json...  an unsigned directory of server entries
       veilnode directory sign --key KEYFILE DIR.json        add this key's signature to every entry (in place)
       veilnode directory verify [--trust KEY]... [--threshold K] DIR.json
                                                            which entries a client would use, and why not the others
`;

/** Trusted keys from `--trust`/`--threshold`, else from the config's `split-query.directory`. */
export function trustFrom(flags: { trust: readonly string[]; threshold: string | undefined }, config: SplitQueryConfig): DirectoryTrust {
  const keys = flags.trust.length > 0 ? flags.trust : config.directory.trustedKeys;
  const threshold = flags.threshold !== undefined ? Number(flags.threshold) : config.directory.threshold;
  if (keys.length === 0) throw new ConfigError('no trusted directory keys: give --trust KEY or set split-query.directory.trustedKeys', { path: 'split-query.directory.trustedKeys' });
  return { keys, threshold };
}

async function run(argv: readonly string[], ctx: PluginCommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  const out = (text: string): void => void ctx.stdout.write(text);
  switch (sub) {
    case 'keygen': {
      const file = required(parseArgs(rest, ['--out']), '--out');
      const secret = ed25519.utils.randomPrivateKey();
      if (readKeyFile(file) !== undefined) throw new ConfigError(`${file} exists; refusing to overwrite a key`, { file });
      writeKeyFile(file, { directorySecret: toHex(secret) });
      out(`${toHex(ed25519.getPublicKey(secret))}\n`);
      return 0;
    }
    case 'entry': {
      const address = checkServerAddress(required(parseArgs(rest, ['--address']), '--address'));
      const config = ctx.config<SplitQueryConfig>();
      const keys = ServerKeys.loadOrCreate(ctx.dataDir(), Math.floor(Date.now() / 1000), config.sealingKeyDays * 86_400);
      out(`${JSON.stringify({ ...keys.public, address }, null, 2)}\n`);
      return 0;
    }
    case 'create': {
      const args = parseArgs(rest, ['--out']);
      const file = required(args, '--out');
      if (args.positionals.length === 0) throw new ConfigError('directory create needs at least one ENTRY.json', {});
      const entries = args.positionals.map((f) => readJsonFile(f) as Omit<DirectoryEntry, 'signatures'>);
      writeFileSync(file, `${JSON.stringify(createDirectory(ctx.network, entries), null, 2)}\n`);
      out(`wrote ${file}: ${entries.length} unsigned entries for ${ctx.network}\n`);
      return 0;
    }
    case 'sign': {
      const args = parseArgs(rest, ['--key']);
      const keyFile = required(args, '--key');
      const content = readKeyFile(keyFile);
      if (content === undefined) throw new ConfigError(`key file ${keyFile} does not exist`, { file: keyFile });
      if (args.positionals.length !== 1) throw new ConfigError('directory sign needs exactly one DIR.json', {});
      const file = args.positionals[0];
      const signed = signDirectory(parseDirectory(readJsonFile(file)), secretField(keyFile, content, 'directorySecret'));
      writeFileSync(file, `${JSON.stringify(signed, null, 2)}\n`);
      out(`signed ${signed.entries.length} entries of ${path.basename(file)}\n`);
      return 0;
    }
    case 'verify': {
      const args = parseArgs(rest, ['--trust', '--threshold']);
      if (args.positionals.length !== 1) throw new ConfigError('directory verify needs exactly one DIR.json', {});
      const trust = trustFrom({ trust: args.flags.get('--trust') ?? [], threshold: optional(args, '--threshold') }, ctx.config<SplitQueryConfig>());
      const verified = verifyDirectory(parseDirectory(readJsonFile(args.positionals[0])), trust, ctx.network, Math.floor(Date.now() / 1000));
      for (const s of verified.usable) out(`usable    ${s.id}  ${s.address}  until ${new Date(s.expires * 1000).toISOString()}\n`);
      for (const r of verified.rejected) out(`rejected  ${r.id}  ${r.address}  ${r.reason}${r.detail ? ` (${r.detail})` : ''}\n`);
      return verified.rejected.length === 0 && verified.usable.length > 0 ? 0 : 1;
    }
    default:
      ctx.stderr.write(USAGE);
      return sub === undefined || sub === 'help' || sub === '--help' ? 0 : 2;
  }
}

export const directoryCommand: PluginCommand = {
  name: 'directory',
  summary: 'build, sign and verify a split-query server directory (keygen|entry|create|sign|verify)',
  run,
};
