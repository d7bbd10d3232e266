import { CONFIG_FORMATS } from '@veilnode/plugin-api';

/** `split-query: { ... }` in the config file; `--query-backend URL` sets `backend`. */
export interface SplitQueryConfig {
  /** monerod RPC the server side answers from (`http://IP:PORT`); empty = not a server. */
  readonly backend: string;
  readonly backendTimeoutMs: number;
  readonly sealingKeyDays: number;
  readonly replayWindowSeconds: number;
  readonly rateLimit: { readonly perMinute: number; readonly burst: number; readonly totalPerMinute: number; readonly totalBurst: number };
  readonly relay: { readonly enabled: boolean; readonly deadlineMs: number; readonly maxBundle: number };
  /** Directory keys this node's clients (`veilnode query`) trust, and how many must sign an entry. */
  readonly directory: { readonly trustedKeys: readonly string[]; readonly threshold: number };
}

function httpUrlOrEmpty(value: unknown): void {
  if (value === '') return;
  if (typeof value !== 'string' || !/^http:\/\/[^/\s]+(\/\S*)?$/.test(value)) throw new Error(`expected an http:// URL such as http://127.0.0.1:18081, got ${JSON.stringify(value)}`);
}

function positive(value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`expected a positive integer, got ${JSON.stringify(value)}`);
}

export const splitQueryConfigSchema = {
  backend: { doc: 'monerod RPC to answer sealed lookups from; empty: this node is no server', format: httpUrlOrEmpty, default: '' },
  backendTimeoutMs: { doc: 'deadline for one backend call', format: positive, default: 10_000 },
  sealingKeyDays: { doc: 'lifetime of the X25519 sealing key (a new one is made when it runs out)', format: positive, default: 30 },
  replayWindowSeconds: { doc: 'requests older or newer than this are refused; nonces are remembered as long', format: positive, default: 120 },
  rateLimit: {
    perMinute: { doc: 'sealed requests one relay may send per minute', format: positive, default: 120 },
    burst: { doc: 'sealed requests one relay may send at once', format: positive, default: 30 },
    totalPerMinute: { doc: 'sealed requests all relays together may send per minute', format: positive, default: 1200 },
    totalBurst: { doc: 'sealed requests all relays together may send at once', format: positive, default: 120 },
  },
  relay: {
    // Off by default: a relay POSTs to whatever address a client names (README, Limits), and the
    // plugin is loaded by default so that `veilnode query`/`directory` work out of the box.
    enabled: { doc: 'serve split_query_relay (act as relay M); off by default', format: Boolean, default: false },
    deadlineMs: { doc: 'longest a relay waits for its servers', format: positive, default: 15_000 },
    maxBundle: { doc: 'most sealed requests in one bundle', format: positive, default: 16 },
  },
  directory: {
    trustedKeys: { doc: 'directory keys (Ed25519, hex) whose signatures count', format: CONFIG_FORMATS.stringList, default: [] as string[] },
    threshold: { doc: 'signatures of trusted keys an entry needs', format: positive, default: 1 },
  },
};
