import { parseSocksProxy } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpRelayChannel, parseDirectory, splitQuery, verifyDirectory, type LookupResult, type UsableServer } from '@veilnode/split-query';
import { OnionV3Codec, TorTransport } from '@veilnode/tor';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { TcpGate } from '../../src/harness/tcp-gate';
import type { HarnessOnion } from '../../src/harness/tor';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { retryUntil, torFixture, transportContext, type TorFixture } from '../tor/fixture';
import {
  buildDirectory,
  CHAIN_MONEROD_RPC,
  expectEachServerSawOnlyItsOwn,
  lookupWords,
  recordingBackend,
  splitQueryChain,
  veilnodeCli,
  writeClientConfig,
  type RecordingBackend,
  type SignedDirectory,
  type SplitQueryChain,
} from './fixture';

/**
 * Split-query with onion-only servers, over the real private Tor network: three veilnode
 * servers whose RPC binds only on 127.0.0.1, each reachable from outside only as an onion
 * service (a harness ADD_ONION forwarding to that port); the directory lists their .onion
 * addresses; the relay M runs only the tor zone (no clearnet zone at all), its SOCKS proxy the
 * harness tor's SocksPort behind a tap that records what M sent to Tor. The client is
 * `veilnode query` (and the library, to pick which server is down).
 *
 * Ports from MONERO_BASE_PORT (default 18800) + 220: server i's RPC +i (i < 3), the relay's RPC
 * +5, the SOCKS tap +6; the chain's monerod +200 (./fixture.ts). Tor: the shared network.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 220;
const SERVERS = 3;
const RELAY_RPC = BASE + 5;
const SOCKS_TAP = BASE + 6;
const ONION_PORT = 18081;

interface OnionServer {
  readonly node: VeilnodeProcess;
  readonly backend: RecordingBackend;
  readonly rpcPort: number;
  readonly onion: HarnessOnion;
  /** `<56>.onion:PORT`: the only address the directory (and so the relay) knows. */
  readonly name: string;
  id: string;
}

describe('split-query with onion-only servers over the private Tor network (real processes)', function () {
  this.timeout(300_000);
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const mark = (name: string): void => {
    timings[name] = (Date.now() - t0) / 1000;
  };
  let fx: TorFixture;
  let chain: SplitQueryChain;
  let dir: string;
  const servers: OnionServer[] = [];
  let relay: VeilnodeProcess | undefined;
  let tap: TcpGate | undefined;
  let directory: SignedDirectory;

  /** The directory's usable servers, verified as a client does, in the order of `servers`. */
  const usable = (): UsableServer[] => {
    const verified = verifyDirectory(parseDirectory(JSON.parse(readFileSync(directory.file, 'utf8'))), directory.trust, 'regtest', Math.floor(Date.now() / 1000));
    return servers.map((s) => verified.usable.find((u) => u.id === s.id) as UsableServer);
  };
  const relayChannel = (): HttpRelayChannel => new HttpRelayChannel(`http://127.0.0.1:${RELAY_RPC}`);
  /** What M sent into Tor on each SOCKS connection made since the tap had `since` of them. */
  const tappedSince = (since: number): string[] => (tap as TcpGate).sentUpstream().slice(since).map((bytes) => bytes.toString('latin1'));
  /** The tapped connections that asked Tor for `server`'s onion and carried a forwarded request. */
  const forwardsTo = (tapped: string[], server: OnionServer): string[] => tapped.filter((t) => t.includes(server.onion.hostname) && t.includes('split_query_answer'));

  /** Server i: RPC on 127.0.0.1 only, reachable from elsewhere only as its onion. */
  async function startOnionServer(i: number): Promise<OnionServer> {
    const backend = await recordingBackend(CHAIN_MONEROD_RPC);
    const rpcPort = BASE + i;
    const node = new VeilnodeProcess({
      dir,
      name: `server${i}`,
      rpcPort,
      config: {
        plugins: ['@veilnode/clearnet', '@veilnode/split-query'],
        network: 'regtest',
        dataDir: path.join(dir, `server${i}-data`),
        log: { level: 'debug' },
        p2p: { bindIp: '127.0.0.1', bindPort: 0 },
        rpc: { bindIp: '127.0.0.1', bindPort: rpcPort },
        zones: { clearnet: { enabled: true, transport: 'clearnet' } },
        'split-query': { backend: backend.url },
      },
    });
    await node.start();
    const onion = await fx.net.addOnion(rpcPort, ONION_PORT);
    return { node, backend, rpcPort, onion, name: `${onion.hostname}:${ONION_PORT}`, id: '' };
  }

  /**
   * A new onion's descriptor takes seconds to spread: wait until each server answers through
   * Tor (the harness SocksPort itself, not the tap), so the relay's first dials need no retry.
   */
  async function onionsReachable(): Promise<void> {
    const probe = new TorTransport(transportContext({ proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPort}`) }, { socksTimeoutMs: 20_000 }));
    try {
      const codec = new OnionV3Codec();
      await Promise.all(servers.map((s) => retryUntil(async () => (await probe.dial(codec.parse(s.name))).stream.destroy(), 150_000)));
    } finally {
      await probe.stop();
    }
  }

  /** The relay M: the tor zone only, its SOCKS proxy the harness tor behind the tap. */
  async function startRelay(): Promise<void> {
    tap = new TcpGate(SOCKS_TAP, { host: '127.0.0.1', port: fx.net.socksPort });
    await tap.open();
    relay = new VeilnodeProcess({
      dir,
      name: 'relay',
      rpcPort: RELAY_RPC,
      config: {
        plugins: ['@veilnode/tor', '@veilnode/split-query'],
        network: 'regtest',
        dataDir: path.join(dir, 'relay-data'),
        log: { level: 'debug' },
        rpc: { bindIp: '127.0.0.1', bindPort: RELAY_RPC },
        // Tor only: the relay has no clearnet zone, so no transport that could reach 127.0.0.1.
        zones: { clearnet: { enabled: false }, tor: { enabled: true, proxy: parseSocksProxy(`socks5://127.0.0.1:${SOCKS_TAP}`) } },
        'split-query': { relay: { enabled: true } },
      },
    });
    await relay.start();
    mark('relay up');
  }

  before(async function () {
    skipWithoutMonerod(this);
    // The chain (mining, a wallet tx) takes longest: everything else is set up meanwhile.
    const chainReady = splitQueryChain();
    chainReady.catch(() => undefined); // awaited below; no unhandled rejection before that
    fx = await torFixture(this);
    mark('tor up');
    dir = await mkdtemp(path.join(tmpdir(), 'veilnode-split-query-tor-'));
    writeClientConfig(dir);
    for (let i = 0; i < SERVERS; i++) servers.push(await startOnionServer(i));
    mark('servers up');
    const directoryReady = buildDirectory(
      dir,
      servers.map((s) => ({ config: s.node.configFile, address: s.name })),
    );
    await Promise.all([onionsReachable().then(() => mark('onions reachable')), directoryReady, startRelay()]);
    directory = await directoryReady;
    for (const [i, s] of servers.entries()) s.id = directory.ids[i];
    chain = await chainReady;
    mark('monerod up');
  });

  after(async function () {
    this.timeout(60_000);
    console.log(`      timings (s since suite start): ${JSON.stringify(timings)}`);
    await relay?.stop();
    await tap?.close();
    for (const s of servers) {
      await s.node.stop();
      await s.onion.close();
      s.backend.server.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    for (const s of servers) s.backend.calls.length = 0;
  });

  it('the relay has no clearnet route to the servers: only its tor zone runs, and a server\'s clear address is refused unsent', async () => {
    const { zones } = await (relay as VeilnodeProcess).rpc<{ zones: { name: string }[] }>('get_zones');
    expect(zones.map((z) => z.name)).to.deep.equal(['tor']);
    // The relay was never given a server's clear port: not in its config, not in the directory.
    const relayConfig = await readFile((relay as VeilnodeProcess).configFile, 'utf8');
    const directoryText = await readFile(directory.file, 'utf8');
    for (const s of servers) {
      expect(relayConfig).to.not.include(String(s.rpcPort));
      expect(directoryText).to.not.include(`127.0.0.1:${s.rpcPort}`);
    }
    // Asked to forward to a server's clear address anyway, the relay cannot dial it.
    const before = tappedSince(0).length;
    const [clear] = usable();
    const [result] = await splitQuery([chain.lookups[0]], { servers: [{ ...clear, address: `127.0.0.1:${servers[0].rpcPort}` }], relays: [relayChannel()], maxAttempts: 1 });
    expect(result.ok).to.equal(false);
    expect(result.attempts[0].failure).to.equal("no answer: the relay could not reach the server (ADDRESS_INVALID)");
    expect(servers[0].backend.calls, 'the server saw nothing').to.deep.equal([]);
    expect(tappedSince(before), 'nothing went to Tor either').to.deep.equal([]);
  });

  it('veilnode query through the relay: every answer equals monerod\'s, each from its own onion server, each forward dialled through Tor', async () => {
    const before = tappedSince(0).length;
    const started = Date.now();
    const r = await veilnodeCli(['query', '--directory', directory.file, ...directory.trustArgs, '--via', `http://127.0.0.1:${RELAY_RPC}`, '--json', ...lookupWords(chain.lookups)], dir);
    timings['query of 3 lookups over Tor (s)'] = (Date.now() - started) / 1000;
    expect(r.code, r.stderr).to.equal(0);
    const results = JSON.parse(r.stdout) as LookupResult[];
    expect(results).to.have.length(3);
    for (const [i, result] of results.entries()) {
      if (!result.ok) throw new Error(`lookup ${i}: ${result.error}`);
      expect(result.result, `lookup ${i}`).to.deep.equal(await chain.askMonerod(chain.lookups[i]));
      expect(result.attempts, `lookup ${i} took one attempt`).to.have.length(1);
    }
    expect((results[2] as unknown as { result: { spent_status: number[] } }).result.spent_status).to.deep.equal([2]); // spent in the pool
    expect(new Set(results.map((x) => (x.ok ? x.server : ''))).size, 'distinct servers').to.equal(3);
    expectEachServerSawOnlyItsOwn(servers, results, chain);
    // Each server was reached by exactly one SOCKS connection to its onion, through the tap.
    const tapped = tappedSince(before);
    for (const s of servers) expect(forwardsTo(tapped, s), `SOCKS connections to ${s.name}`).to.have.length(1);
    // What went into Tor holds no lookup: only sealed requests.
    for (const secret of chain.secrets) expect(tapped.join('').includes(secret), 'a lookup in the clear on the way to Tor').to.equal(false);
    const log = await readFile((relay as VeilnodeProcess).logFile, 'utf8');
    expect(log).to.include('relayed a bundle of sealed lookups');
    for (const secret of chain.secrets) expect(log, 'relay log').to.not.include(secret);
  });

  it('a lookup for an onion server that is down is retried through another onion server', async () => {
    const [down, up, idle] = servers;
    await down.node.stop();
    try {
      const before = tappedSince(0).length;
      const lookup = chain.lookups[1];
      // random() = 0: the first unused server is taken, i.e. `down` first, then `up`.
      const started = Date.now();
      const [result] = await splitQuery([lookup], { servers: usable(), relays: [relayChannel()], random: () => 0 });
      timings['lookup retried past a down onion server (s)'] = (Date.now() - started) / 1000;
      expect(result.attempts.map((a) => a.server)).to.deep.equal([down.id, up.id]);
      // Tor reached the service's side and found nothing listening: the client learns the error's
      // code for that onion, not the relay's proxy
      expect(result.attempts[0].address).to.include(down.name);
      expect(result.attempts[0].failure).to.match(/^no answer: the relay could not reach the server \([A-Z_]+\)$/);
      expect(result.attempts[1].failure).to.equal(undefined);
      if (!result.ok) throw new Error(result.error);
      expect(result.server).to.equal(up.id);
      expect(result.result).to.deep.equal(await chain.askMonerod(lookup));
      expect(down.backend.calls).to.deep.equal([]);
      expect(idle.backend.calls).to.deep.equal([]);
      expect(up.backend.calls).to.have.length(1);
      // Both attempts went through Tor: the down server's onion was asked for, then the other's.
      const tapped = tappedSince(before);
      expect(tapped.filter((t) => t.includes(down.onion.hostname)), `SOCKS connections to ${down.name}`).to.not.be.empty;
      expect(forwardsTo(tapped, up)).to.have.length(1);
      expect(tapped.filter((t) => t.includes(idle.onion.hostname))).to.deep.equal([]);
      // One dead onion service is no fault of the relay's Tor: its zone stays healthy.
      const { zones } = await (relay as VeilnodeProcess).rpc<{ zones: { name: string; healthy: boolean }[] }>('get_zones');
      expect(zones.map((z) => [z.name, z.healthy])).to.deep.equal([['tor', true]]);
    } finally {
      await down.node.start();
    }
  });
});
