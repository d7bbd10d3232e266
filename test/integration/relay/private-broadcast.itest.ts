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
 * Then, after a restart (a full carrier pool), a tx monerod refuses (one flipped bit): monerod
 * drops each carrier right after it, and the tx must end rejected after 3 of them (the Tor zone
 * knows one peer), with no more than one replacement carrier in flight at the verdict.
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
  /** A fourth tx, never sent as made: its copy with one flipped bit is the tx monerod refuses. */
  let spare: MonerodTx;
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
    const [made] = await Promise.all([monerod.makeTxs(4), untilOnionAnswers(`${onion.hostname}:${ONION_PORT}`, 150_000)]);
    [txs, spare] = [made.slice(0, 3), made[3]];
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

  it('a tx monerod refuses: each carrier to its onion is dropped right after the tx, and after 3 (every peer the zone knows) it ends rejected, never sent again', async () => {
    const node_ = node as VeilnodeProcess;
    // a restart fills the carrier pool at once (the txs above used most of it; it refills one per ~100 s)
    await node_.stop();
    const restartedAt = Date.now();
    await node_.start();
    await until('veilnode back on monerod over Tor', async () => (await node_.rpc<{ connections: { zone: string }[] }>('get_connections')).connections.some((c) => c.zone === 'tor'), 150_000);
    timings.restartedS = (Date.now() - restartedAt) / 1000;
    // one flipped bit in the last pseudo output commitment: well-formed, but its signatures no longer verify
    const blob = Buffer.from(spare.blob);
    blob[blob.length - 8] ^= 0x01;
    const t0 = Date.now();
    const answer = await node_.json<Sent>('/send_raw_transaction', { tx_as_hex: blob.toString('hex') });
    expect(answer.status).to.equal('OK');
    const badId = answer.veilnode?.tx_hash as string;
    interface Rejected {
      id_hash: string;
      reason: string;
    }
    const entry = await until(
      'the refused tx in get_relay_pool’s rejected list',
      async () => (await node_.rpc<{ rejected: Rejected[] }>('get_relay_pool')).rejected.find((r) => r.id_hash === badId),
      120_000,
    );
    timings.rejectedAfterSendS = (Date.now() - t0) / 1000;
    expect(entry.reason).to.match(/3 times by all 1 peer/);
    const pool = await node_.rpc<{ transactions: RelayPoolEntry[] }>('get_relay_pool');
    expect(pool.transactions.map((t) => t.id_hash)).not.to.include(badId);
    const verdicts = (await node_.logSince(t0)).filter((e) => e.msg === 'local tx given up as rejected: it will not be sent again');
    expect(verdicts.map((v) => v.txId)).to.deep.equal([badId]);
    const about = (await node_.logSince(t0)).filter((e) => e.txId === badId);
    expect(about.filter((e) => e.msg === 'a peer closed the connection right after receiving a local tx: counted as its rejection')).to.have.length(3);
    expect(about.filter((e) => JSON.stringify(e).includes(onion?.hostname as string)), 'its log lines name no peer').to.deep.equal([]);
    const idOf = (b: Buffer): string => (b.equals(blob) ? badId : `other:${b.length}`);
    const carriers = () =>
      tap
        .sentUpstream() // all of them: the carriers were opened before the send, at the restart
        .map(socksSession)
        .filter((s): s is SocksSession => s !== undefined && txsIn(s.levin, idOf).includes(badId));
    const atVerdict = carriers().length;
    // a carrier writes in its noise slot (10–15 s): one tick more shows whether anything still takes the tx
    await new Promise((r) => setTimeout(r, 16_000));
    const carried = carriers();
    console.log(`    refused tx: rejected ${timings.rejectedAfterSendS} s after its send, on ${carried.length} carriers (${atVerdict} at the verdict); reason: ${entry.reason}`);
    // 2 carriers, each refusal replaced at once; the verdict comes with the third, the replacement of the second may still write it
    expect(carried.length, 'carriers that took the refused tx').to.be.within(3, 4);
    expect(new Set(carried.map((c) => c.username)).size, 'each on a circuit of its own').to.equal(carried.length);
    expect((await (monerod as MonerodHarness).getTransactionPool()).map((p) => p.id_hash)).not.to.include(badId);
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
