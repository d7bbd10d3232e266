import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSocksProxy } from '@veilnode/plugin-api';
import { OnionV3Codec, TorTransport } from '@veilnode/tor';
import { MonerodHarness, type MonerodTx } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { TcpGate } from '../../src/harness/tcp-gate';
import type { HarnessOnion } from '../../src/harness/tor';
import { VeilnodeProcess } from '../../src/harness/veilnode-process';
import { until } from '../../src/until';
import { txsIn } from '../../src/levin-txs';
import { retryUntil, torFixture, transportContext, type TorFixture } from '../tor/fixture';

/**
 * Issue 14 over real processes on loopback: private broadcast on the private Tor network.
 *
 *   veilnode ──SOCKS tap──▶ tor ──▶ monerod's onion (--anonymous-inbound)
 *   veilnode ──clearnet gate──────▶ monerod (the echo comes back here)
 *
 * Three local txs sent 10 s apart must each leave on carriers of their own: SOCKS sessions with
 * fresh credentials (so fresh circuits) that carry no other of the three, and never the clearnet
 * link; each must be confirmed by its echo (monerod relays a tx it got over Tor to its clearnet
 * peers, veilnode among them) and sit in monerod's pool. The tap sits between veilnode and tor's
 * SocksPort and keeps what veilnode sent on each connection: the SOCKS greeting, the
 * username/password, the CONNECT, then the Levin stream.
 *
 * Ports: MONERO_BASE_PORT (default 18800) + 360: monerod node0 p2p/RPC +0/+1, its anonymous
 * inbound +2, wallet +5, node1 +10/+11; veilnode RPC +12, p2p +13; the SOCKS tap +14; the
 * clearnet gate +15. Tor: the shared private network.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 360;
const ONION_PORT = 18083;

interface Sent {
  status: string;
  veilnode?: { tx_hash: string; relay: string };
}

interface RelayPoolEntry {
  id_hash: string;
  private_broadcast?: { carriers_used: number; sent: number; echoed: number; delivered: boolean };
}

/** One connection veilnode made through the SOCKS tap. */
interface SocksSession {
  readonly username: string | undefined;
  readonly host: string;
  readonly levin: Buffer;
}

/** Reads the client side of a SOCKS5 exchange (RFC 1928/1929): greeting, optional user/pass, CONNECT, then the payload. */
function socksSession(bytes: Buffer): SocksSession | undefined {
  if (bytes.length < 3 || bytes[0] !== 5) return undefined;
  let at = 2 + bytes[1];
  let username: string | undefined;
  if (bytes.subarray(2, at).includes(2) && bytes[at] === 1) {
    const ulen = bytes[at + 1];
    username = bytes.subarray(at + 2, at + 2 + ulen).toString('latin1');
    at += 2 + ulen + 1 + bytes[at + 2 + ulen];
  }
  if (bytes[at] !== 5 || bytes[at + 1] !== 1 || bytes[at + 3] !== 3) return undefined;
  const hostLength = bytes[at + 4];
  const host = bytes.subarray(at + 5, at + 5 + hostLength).toString('latin1');
  return { username, host, levin: bytes.subarray(at + 5 + hostLength + 2) };
}

describe('private broadcast: three local txs on three sets of fresh Tor circuits, each confirmed by echo (veilnode, Tor, monerod)', function () {
  this.timeout(400_000);
  const timings: Record<string, number> = {};
  let fx: TorFixture;
  let dir: string;
  let onion: HarnessOnion | undefined;
  let monerod: MonerodHarness | undefined;
  let node: VeilnodeProcess | undefined;
  let txs: MonerodTx[];
  /** Between veilnode and tor's SocksPort (made once the Tor network's ports are known). */
  let tap: TcpGate;
  const clearnetGate = new TcpGate(BASE + 15, { host: '127.0.0.1', port: BASE });
  const t0 = Date.now();

  before(async function () {
    skipWithoutMonerod(this);
    fx = await torFixture(this);
    timings.torUpS = (Date.now() - t0) / 1000;
    dir = await mkdtemp(join(tmpdir(), 'veilnode-private-broadcast-'));
    onion = await fx.net.addOnion(BASE + 2, ONION_PORT);
    monerod = new MonerodHarness({
      basePort: BASE,
      nodes: 2, // a lone regtest monerod refuses generateblocks until it synchronised with a peer
      extraArgs: `--tx-proxy tor,127.0.0.1:${fx.net.socksPort},8 --anonymous-inbound ${onion.hostname}:${ONION_PORT},127.0.0.1:${BASE + 2}`,
    });
    await monerod.start();
    tap = new TcpGate(BASE + 14, { host: '127.0.0.1', port: fx.net.socksPort });
    await tap.open();
    await clearnetGate.open();
    [txs] = await Promise.all([monerod.makeTxs(3), untilOnionAnswers(`${onion.hostname}:${ONION_PORT}`, 150_000)]);
    timings.txsAndOnionS = (Date.now() - t0) / 1000;
    node = new VeilnodeProcess({
      dir,
      rpcPort: BASE + 12,
      config: {
        plugins: ['@veilnode/clearnet', '@veilnode/tor'],
        network: 'regtest',
        dataDir: join(dir, 'data'),
        log: { level: 'info' },
        p2p: { bindIp: '127.0.0.1', bindPort: BASE + 13 },
        rpc: { bindIp: '127.0.0.1', bindPort: BASE + 12 },
        zones: {
          clearnet: { exclusivePeers: [`127.0.0.1:${clearnetGate.port}`] },
          tor: { proxy: `socks5://127.0.0.1:${tap.port}`, exclusivePeers: [`${onion.hostname}:${ONION_PORT}`] },
        },
      },
    });
    await node.start();
    const connected = (zone: string) => async () => (await (node as VeilnodeProcess).rpc<{ connections: { zone: string }[] }>('get_connections')).connections.some((c) => c.zone === zone);
    await until('veilnode on monerod over clearnet and over Tor', async () => (await connected('clearnet')()) && connected('tor')(), 150_000);
    timings.connectedS = (Date.now() - t0) / 1000;
  });

  after(async function () {
    this.timeout(60_000);
    console.log(`    timings (s since suite start): ${JSON.stringify(timings)}`);
    await node?.stop();
    await tap?.close();
    await clearnetGate.close();
    await monerod?.stop();
    await onion?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('each tx leaves only on carriers of its own (fresh SOCKS credentials, no other tx, never clearnet), is echoed, and lands in monerod’s pool', async () => {
    const node_ = node as VeilnodeProcess;
    const sentAt: number[] = [];
    for (const [i, tx] of txs.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, 10_000));
      sentAt.push(Date.now());
      const answer = await node_.json<Sent>('/send_raw_transaction', { tx_as_hex: tx.blob.toString('hex') });
      expect(answer.status).to.equal('OK');
      expect(answer.veilnode?.tx_hash).to.equal(tx.id);
    }
    const pool = async () => new Set((await (monerod as MonerodHarness).getTransactionPool()).map((p) => p.id_hash));
    let poolNow = new Set<string>();
    await until('all three txs in monerod’s pool', async () => {
      poolNow = await pool();
      return txs.every((tx) => poolNow.has(tx.id));
    }, 180_000);
    timings.lastInPoolAfterFirstSendS = (Date.now() - sentAt[0]) / 1000;
    const broadcast = async () => (await node_.rpc<{ transactions: RelayPoolEntry[] }>('get_relay_pool')).transactions.filter((t) => t.private_broadcast !== undefined);
    const echoed = await until(
      'each tx delivered by its echo',
      async () => {
        const entries = await broadcast();
        return txs.every((tx) => entries.some((e) => e.id_hash === tx.id && e.private_broadcast?.delivered === true)) ? entries : undefined;
      },
      120_000,
    );
    timings.allEchoedAfterFirstSendS = (Date.now() - sentAt[0]) / 1000;
    for (const tx of txs) {
      const status = echoed.find((e) => e.id_hash === tx.id)?.private_broadcast;
      expect(status, tx.id).to.deep.include({ delivered: true });
      expect(status?.carriers_used).to.be.at.least(1);
      expect(status?.sent).to.be.at.least(1);
      expect(status?.echoed).to.be.at.least(1);
    }

    const idOf = (blob: Buffer): string => txs.find((t) => t.blob.equals(blob))?.id ?? `other:${blob.length}`;
    const sessions = tap.sentUpstream().map(socksSession).filter((s): s is SocksSession => s !== undefined);
    const ours = new Set(txs.map((t) => t.id));
    const carriersOf = txs.map((tx) => sessions.filter((s) => txsIn(s.levin, idOf).includes(tx.id)));
    for (const [i, carriers] of carriersOf.entries()) {
      expect(carriers.length, `connections that carried tx ${i}`).to.be.at.least(1);
      for (const c of carriers) {
        expect(c.host, 'to monerod’s onion').to.equal(onion?.hostname);
        expect(c.username, 'fresh SOCKS credentials').to.match(/^[0-9a-f]{24}$/);
        expect(txsIn(c.levin, idOf).filter((id) => ours.has(id) && id !== txs[i].id), 'no other of our txs on its carrier').to.deep.equal([]);
      }
    }
    const credentials = carriersOf.map((carriers) => new Set(carriers.map((c) => c.username)));
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect([...credentials[i]].filter((u) => credentials[j].has(u)), `txs ${i} and ${j} share a circuit`).to.deep.equal([]);
    const usernames = sessions.map((s) => s.username);
    expect(new Set(usernames).size, 'every connection through the tap had its own credentials').to.equal(usernames.length);
    const onClearnet = clearnetGate.sentUpstream().flatMap((bytes) => txsIn(bytes, idOf)).filter((id) => ours.has(id));
    expect(onClearnet, 'never sent on the clearnet link').to.deep.equal([]);
    console.log(`    private broadcast: ${sessions.length} connections through the tap, carriers per tx ${JSON.stringify(carriersOf.map((c) => c.length))}, status ${JSON.stringify(echoed.map((e) => e.private_broadcast))}`);
  });

  /** Resolves once the onion answers through the client tor (Tor's own reachability, no veilnode involved). */
  async function untilOnionAnswers(address: string, timeoutMs: number): Promise<void> {
    const probe = new TorTransport(transportContext({ proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPort}`) }, { socksTimeoutMs: 20_000 }));
    try {
      await retryUntil(async () => (await probe.dial(new OnionV3Codec().parse(address))).stream.destroy(), timeoutMs, 1000);
    } finally {
      await probe.stop();
    }
  }
});
