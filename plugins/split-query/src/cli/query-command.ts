import { ConfigError, type PluginCommand, type PluginCommandContext } from '@veilnode/plugin-api';
import { parseDirectory, verifyDirectory } from '../directory';
import { describeLookup, parseLookupWords } from '../lookup';
import { splitQuery } from '../query-client';
import { HttpRelayChannel } from '../relay-channel';
import type { SplitQueryConfig } from '../split-query-config';
import { optional, parseArgs, required } from './command-args';
import { trustFrom } from './directory-command';
import { readJsonFile } from './read-json';

const USAGE = `usage: veilnode query --directory DIR.json --via http://RELAY:PORT [--via ...] [--trust KEY]... [--threshold K]
                      [--timeout MS] [--json] tx <id>... keyimage <ki>... pool queue
`;

async function run(argv: readonly string[], ctx: PluginCommandContext): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help') {
    ctx.stderr.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const args = parseArgs(argv, ['--directory', '--via', '--trust', '--threshold', '--timeout'], ['--json']);
  const config = ctx.config<SplitQueryConfig>();
  const trust = trustFrom({ trust: args.flags.get('--trust') ?? [], threshold: optional(args, '--threshold') }, config);
  const verified = verifyDirectory(parseDirectory(readJsonFile(required(args, '--directory'))), trust, ctx.network, Math.floor(Date.now() / 1000));
  for (const r of verified.rejected) ctx.stderr.write(`skipping server ${r.id} (${r.address}): ${r.reason}${r.detail ? ` (${r.detail})` : ''}\n`);
  const via = args.flags.get('--via') ?? [];
  if (via.length === 0) throw new ConfigError('--via http://RELAY:PORT is required (repeat it to allow retries through another relay)', { flag: '--via' });
  for (const url of via) if (!/^http:\/\/[^/\s]+\/?$/.test(url)) throw new ConfigError(`--via ${JSON.stringify(url)}: expected http://IP:PORT`, { flag: '--via' });
  const timeout = optional(args, '--timeout');
  if (timeout !== undefined && !/^[1-9]\d*$/.test(timeout)) throw new ConfigError(`--timeout ${JSON.stringify(timeout)}: expected milliseconds (a positive integer)`, { flag: '--timeout' });
  const results = await splitQuery(parseLookupWords(args.positionals), {
    servers: verified.usable,
    relays: via.map((url) => new HttpRelayChannel(url)),
    timeoutMs: timeout === undefined ? undefined : Number(timeout),
  });
  if (args.flags.has('--json')) {
    ctx.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      const tries = r.attempts.length > 1 ? ` after ${r.attempts.length} attempts (${r.attempts.flatMap((a) => (a.failure ? [`${a.server.slice(0, 12)}: ${a.failure}`] : [])).join('; ')})` : '';
      ctx.stdout.write(
        r.ok
          ? `${describeLookup(r.lookup)}: answered by server ${r.server} via ${r.relay}${tries}\n  ${JSON.stringify(r.result)}\n`
          : `${describeLookup(r.lookup)}: FAILED: ${r.error}\n`,
      );
    }
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

export const queryCommand: PluginCommand = {
  name: 'query',
  summary: 'look up txs / key images, each at a different server, through a relay (split-query)',
  run,
};
