import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { DirectoryTrust, Lookup, LookupResult } from '@veilnode/split-query';
import { MonerodHarness } from '../../src/harness/monerod';

/**
 * What the split-query integration suites share: the `veilnode` CLI, a recording pass-through
 * backend per server, a directory built with the CLI, and one regtest monerod holding the
 * lookups' answers (started once per test process: mining and a wallet tx take ~35 s).
 */
const NODE_PACKAGE = require.resolve('@veilnode/node/package.json');
/** The `veilnode` bin of the built node package. */
export const VEILNODE_BIN = path.join(path.dirname(NODE_PACKAGE), (JSON.parse(readFileSync(NODE_PACKAGE, 'utf8')) as { bin: Record<string, string> }).bin.veilnode);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A client's config in the suite's dir: the plugin listed (so its commands exist), regtest. */
export const CLIENT_CONFIG = 'client.json5';

export function writeClientConfig(dir: string): void {
  writeFileSync(path.join(dir, CLIENT_CONFIG), JSON.stringify({ plugins: ['@veilnode/split-query'], network: 'regtest', dataDir: path.join(dir, 'client') }));
}

/** `veilnode --config client.json5 ARGS` (a later --config in ARGS is refused: give a node's config as `config`). */
export function veilnodeCli(args: string[], cwd: string, config = CLIENT_CONFIG): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEILNODE_BIN, '--config', config, ...args], { cwd, env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface RecordingBackend {
  readonly server: Server;
  readonly url: string;
  /** `<path> <body>` of every call forwarded: what this server asked monerod. */
  readonly calls: string[];
}

/** Forwards to monerod and records what it forwarded: what one server asked. */
export async function recordingBackend(monerodRpc: string): Promise<RecordingBackend> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (c: Buffer) => (body += c.toString()));
    request.on('end', () => {
      calls.push(`${request.url} ${body}`);
      fetch(`http://${monerodRpc}${request.url}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
        .then(async (r) => {
          response.writeHead(r.status, { 'Content-Type': 'application/json' });
          response.end(await r.text());
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

export interface SignedDirectory {
  readonly file: string;
  readonly trust: DirectoryTrust;
  /** `--trust K1 --trust K2 --trust K3 --threshold 2` for `veilnode directory verify|query`. */
  readonly trustArgs: string[];
  /** Each server's id, in the order given. */
  readonly ids: string[];
}

/**
 * The directory, built with the CLI: three authorities (key files `dirkey<k>.json` in `dir`),
 * entries need two of them; one entry per server (`directory entry` run with the server's own
 * config, so it holds that node's keys) at the address given. Checks every entry is usable.
 */
export async function buildDirectory(dir: string, servers: readonly { readonly config: string; readonly address: string }[]): Promise<SignedDirectory> {
  // Each command is a process start (~1 s): the independent ones at once.
  const keys = await Promise.all(
    [0, 1, 2].map(async (k) => {
      const r = await veilnodeCli(['directory', 'keygen', '--out', path.join(dir, `dirkey${k}.json`)], dir);
      expect(r.code, r.stderr).to.equal(0);
      return r.stdout.trim();
    }),
  );
  const trustArgs = [...keys.flatMap((k) => ['--trust', k]), '--threshold', '2'];
  const entryFiles = servers.map((_, i) => path.join(dir, `entry${i}.json`));
  const ids = await Promise.all(
    servers.map(async (s, i) => {
      const r = await veilnodeCli(['directory', 'entry', '--address', s.address], dir, s.config);
      expect(r.code, r.stderr).to.equal(0);
      writeFileSync(entryFiles[i], r.stdout);
      return (JSON.parse(r.stdout) as { id: string }).id;
    }),
  );
  const file = path.join(dir, 'directory.json');
  expect((await veilnodeCli(['directory', 'create', '--out', file, ...entryFiles], dir)).code).to.equal(0);
  for (const k of [0, 2]) expect((await veilnodeCli(['directory', 'sign', '--key', path.join(dir, `dirkey${k}.json`), file], dir)).code).to.equal(0);
  const verified = await veilnodeCli(['directory', 'verify', ...trustArgs, file], dir);
  expect(verified.code, verified.stdout + verified.stderr).to.equal(0);
  expect(verified.stdout.match(/^usable /gm)).to.have.length(servers.length);
  return { file, trust: { keys, threshold: 2 }, trustArgs, ids };
}

/** `tx <id>` / `keyimage <ki>` words of `veilnode query`. */
export function lookupWords(lookups: readonly Lookup[]): string[] {
  return lookups.flatMap((l) => (l.kind === 'tx' ? ['tx', l.id] : ['keyimage', (l as { keyImage: string }).keyImage]));
}

/** A regtest monerod with a coinbase tx, a pool tx and the key image that tx spends. */
export interface SplitQueryChain {
  readonly monerod: MonerodHarness;
  /** The miner tx of block 5, the pool tx, the pool tx's first key image (spent in the pool). */
  readonly lookups: readonly Lookup[];
  /** The same as strings: what no party but the server asked may ever see. */
  readonly secrets: readonly string[];
  /** What monerod itself answers to a lookup: the client must get exactly this. */
  askMonerod(lookup: Lookup): Promise<Record<string, unknown>>;
}

/** The chain's monerod: ports MONERO_BASE_PORT (default 18800) + 200..211 (test/README.md has the port map). */
const CHAIN_BASE_PORT = Number(process.env.MONERO_BASE_PORT ?? 18800) + 200;
/** Its RPC, known before it runs: servers can be set up while it mines. */
export const CHAIN_MONEROD_RPC = `127.0.0.1:${CHAIN_BASE_PORT + 1}`;

let chain: Promise<SplitQueryChain> | undefined;

/**
 * One chain per test process, started on first use and stopped by MonerodHarness when the
 * process exits (the integration suite runs with mocha --exit), like the shared Tor network.
 */
export function splitQueryChain(): Promise<SplitQueryChain> {
  chain ??= startChain();
  return chain;
}

async function startChain(): Promise<SplitQueryChain> {
  const monerod = new MonerodHarness({ basePort: CHAIN_BASE_PORT, nodes: 2 });
  await monerod.start();
  const [tx] = await monerod.makeTxs(1);
  expect((await monerod.sendRawTransaction(tx.blob)).status).to.equal('OK');
  const decoded = await monerod.rest<{ txs: { as_json: string }[] }>('get_transactions', { txs_hashes: [tx.id], decode_as_json: true });
  const keyImage = (JSON.parse(decoded.txs[0].as_json) as { vin: { key: { k_image: string } }[] }).vin[0].key.k_image;
  const block = await monerod.rpc<{ miner_tx_hash: string }>('get_block', { height: 5 });
  return {
    monerod,
    lookups: [
      { kind: 'tx', id: block.miner_tx_hash },
      { kind: 'tx', id: tx.id },
      { kind: 'keyimage', keyImage },
    ],
    secrets: [block.miner_tx_hash, tx.id, keyImage],
    askMonerod: (lookup) =>
      lookup.kind === 'tx'
        ? monerod.rest('get_transactions', { txs_hashes: [lookup.id], decode_as_json: false })
        : monerod.rest('is_key_image_spent', { key_images: [(lookup as { keyImage: string }).keyImage] }),
  };
}

/**
 * Each server's backend saw exactly the lookups the client says it answered (at most one per
 * query) and none of the other lookups' secrets.
 */
export function expectEachServerSawOnlyItsOwn(
  servers: readonly { readonly id: string; readonly name: string; readonly backend: RecordingBackend }[],
  results: readonly LookupResult[],
  chainOf: Pick<SplitQueryChain, 'lookups' | 'secrets'>,
): void {
  for (const s of servers) {
    const answered = results.filter((r) => r.attempts.some((a) => a.server === s.id));
    const seen = s.backend.calls.join('\n');
    expect(s.backend.calls.length, `server ${s.name} backend calls`).to.equal(answered.filter((r) => r.ok && r.server === s.id).length);
    for (const [i, secret] of chainOf.secrets.entries()) {
      const mine = answered.some((r) => JSON.stringify(r.lookup) === JSON.stringify(chainOf.lookups[i]));
      if (!mine) expect(seen, `server ${s.name} saw lookup ${i}`).to.not.include(secret);
    }
  }
}
