import { CORE_API_VERSION, type Plugin, type PluginContext } from '@veilnode/plugin-api';
import { directoryCommand } from './cli/directory-command';
import { queryCommand } from './cli/query-command';
import { MonerodBackend } from './monerod-backend';
import { QueryServer } from './query-server';
import { RateLimiter } from './rate-limiter';
import { ANSWER_METHOD, RELAY_METHOD, RelayForwarder } from './relay-forwarder';
import { ReplayGuard } from './replay-guard';
import { ServerKeys } from './server-keys';
import type { SplitQueryConfig } from './split-query-config';
import { splitQueryConfigSchema } from './split-query-config';

const DAY_SECONDS = 86_400;

/**
 * Split-query: the first non-transport plugin. It adds two RPC methods — a server's
 * `split_query_answer` (when `backend` is set) and a relay's `split_query_relay` — and the
 * `veilnode directory` and `veilnode query` commands. It reaches servers only through
 * PluginContext.dial, i.e. through the zones' own transports.
 */
export const splitQueryPlugin: Plugin = {
  name: 'split-query',
  version: '0.1.0',
  coreApi: `^${CORE_API_VERSION}`,
  configSchema: splitQueryConfigSchema,
  commands: [directoryCommand, queryCommand],
  register(ctx: PluginContext): void {
    const config = ctx.config<SplitQueryConfig>();
    const now = Date.now;
    let keys: ServerKeys | undefined;
    // Loaded on first use, not in register(): `veilnode plugins` must not create key files.
    const serverKeys = (): ServerKeys => (keys ??= ServerKeys.loadOrCreate(ctx.dataDir(), Math.floor(now() / 1000), config.sealingKeyDays * DAY_SECONDS));
    const windowMs = config.replayWindowSeconds * 1000;
    if (config.backend !== '') {
      const server = new QueryServer({
        keys: serverKeys,
        backend: new MonerodBackend(config.backend, config.backendTimeoutMs),
        replay: new ReplayGuard(windowMs),
        limiter: new RateLimiter(config.rateLimit.perMinute, config.rateLimit.burst),
        totalLimiter: new RateLimiter(config.rateLimit.totalPerMinute, config.rateLimit.totalBurst),
        windowMs,
        queuedTransactions: () => ctx.queuedTransactions(),
        now,
        logger: ctx.logger.child({ role: 'server' }),
      });
      ctx.registerRpcMethod(ANSWER_METHOD, (params) => server.answer(params), { restricted: true });
    }
    if (config.relay.enabled) {
      const relay = new RelayForwarder({
        keys: serverKeys,
        parseAddress: (text) => ctx.parseAddress(text),
        dial: (address, options) => ctx.dial(address, options),
        logger: ctx.logger.child({ role: 'relay' }),
        maxBundle: config.relay.maxBundle,
        deadlineMs: config.relay.deadlineMs,
        now,
      });
      ctx.registerRpcMethod(RELAY_METHOD, (params) => relay.relay(params), { restricted: true });
    }
  },
};
