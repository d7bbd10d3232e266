import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClearnetTransport, IpAddressCodec } from '@veilnode/clearnet';
import { anonymityZonePolicy, Command, publicZonePolicy, type Listener, type PeerAddress, type TransportConnection } from '@veilnode/plugin-api';
import { encodeFrame, encodeInvokeMessage, genesisHash, Handshake, LevinStreamDecoder, networkId, Ping, TimedSync, transactionIdHex, type LevinMessage } from '@veilnode/protocol';
import { PeerLayer, ZonePeerStore, type PeerConnection } from '@veilnode/node/peer';
import type { IncomingTransactions } from '@veilnode/node/relay';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { composeClearnetNode } from '../../src/clearnet-node';
import { MonerodHarness, type MonerodTx } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { until } from '../../src/until';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800);
const OUR_PORT = BASE + 40;
/**
 * Documentation addresses (TEST-NET-3): one we announce to monerod, one monerod knows from
 * --add-peer (it never stores loopback peers, so this is what it can share). With an exclusive
 * node set, monerod never dials either.
 */
const SHARED_PEER = { zone: 'clearnet', host: '203.0.113.7', port: 18080 };
const MONEROD_KNOWN_PEER = '203.0.113.9:18080';

describe('monerod 0.18 over p2p (regtest, loopback)', function () {
  this.timeout(240_000);

  const logger = new RecordingLogger();
  const codec = new IpAddressCodec();
  const policy = publicZonePolicy('clearnet');
  const clearnetMonerod = new MonerodHarness({ basePort: BASE, exclusive: [`127.0.0.1:${OUR_PORT}`], extraArgs: `--add-peer ${MONEROD_KNOWN_PEER}` });
  const anonMonerod = new MonerodHarness({ basePort: BASE + 20, anonymousInbound: true });
  const received: IncomingTransactions[] = [];
  /** The chain heights the layer told its observer (the relay engine's stem eligibility input), per connection. */
  const toldHeights = new Map<string, number[]>();
  const timings: Record<string, number> = {};
  let transport: ClearnetTransport;
  let listener: Listener;
  let store: ZonePeerStore;
  let layer: PeerLayer;
  let dataDir: string;
  let outbound: PeerConnection;
  let inbound: PeerConnection;
  let txs: MonerodTx[];
  let handshakeAt = 0;

  const adopt = (connection: TransportConnection): PeerConnection =>
    layer.attach({ zone: 'clearnet', policy, codec, connection, remote: connection.remote ? codec.format(connection.remote) : undefined });

  before(async function () {
    skipWithoutMonerod(this);
    const t0 = Date.now();
    dataDir = await mkdtemp(join(tmpdir(), 'veilnode-itest-'));
    store = new ZonePeerStore({ zone: 'clearnet', codec, anonymity: false, logger, file: join(dataDir, 'peers-clearnet.json') });
    store.markConnected(SHARED_PEER, 0x4242n);
    layer = new PeerLayer({
      network: 'regtest',
      logger,
      txSink: { receive: (batch) => received.push(batch) },
      zoneContext: (zone) => (zone === 'clearnet' ? { store, listenPort: OUR_PORT } : undefined),
      timeouts: { timedSyncIntervalMs: 10_000 },
    });
    const tell = (id: string, height: number): void => void toldHeights.set(id, [...(toldHeights.get(id) ?? []), height]);
    layer.setConnectionObserver({
      onConnectionUp: (_zone, id, _direction, height) => tell(id, height),
      onConnectionHeight: (_zone, id, height) => tell(id, height),
      onConnectionDown: () => undefined,
    });
    transport = new ClearnetTransport({ logger, bind: { host: '127.0.0.1', port: OUR_PORT } });
    listener = await transport.listen((connection) => {
      const peer = adopt(connection);
      peer.ready.then(
        () => (inbound ??= peer),
        () => undefined,
      );
    });

    await Promise.all([clearnetMonerod.start(), anonMonerod.start()]);
    timings.monerodUpMs = Date.now() - t0;

    // monerod dials its exclusive node (us) on its own
    await until('monerod to dial us', () => inbound, 30_000);
    timings.inboundHandshakeMs = Date.now() - t0;
    handshakeAt = Date.now();

    const t1 = Date.now();
    outbound = adopt(await transport.dial({ zone: 'clearnet', host: '127.0.0.1', port: clearnetMonerod.p2pPort }));
    await outbound.ready;
    timings.outboundHandshakeMs = Date.now() - t1;

    // our connection made monerod "synchronised", so it mines and the wallet can sign
    txs = await clearnetMonerod.makeTxs(3);
    timings.makeTxsMs = clearnetMonerod.timings.makeTxsMs;
    // learn the mined chain top, so monerod picks us as a relay target (height >= its own)
    await outbound.timedSync();
    timings.setupMs = Date.now() - t0;
    console.log(`    set-up timings: ${JSON.stringify(timings)}`);
  });

  after(async () => {
    layer?.closeAll();
    await listener?.close();
    await transport?.stop();
    await Promise.allSettled([clearnetMonerod.stop(), anonMonerod.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('veilnode dials monerod and completes the handshake', async () => {
    expect(outbound.state).to.equal('ready');
    const info = outbound.peer!;
    expect(info.nodeData.network_id.equals(networkId('regtest'))).to.equal(true);
    expect(info.nodeData.peer_id).not.to.equal(1n);
    expect(info.nodeData.support_flags).to.equal(1);
    expect(info.nodeData.my_port).to.equal(clearnetMonerod.p2pPort);
    const ours = (await clearnetMonerod.getConnections()).find((c) => c.incoming && BigInt(`0x${c.peer_id}`) === layer.localPeerId);
    expect(ours, 'monerod lists our outbound connection as incoming').to.not.equal(undefined);
  });

  it('monerod dials veilnode (--add-exclusive-node) and completes the handshake', async () => {
    expect(inbound.state).to.equal('ready');
    expect(inbound.direction).to.equal('inbound');
    const conns = await clearnetMonerod.getConnections();
    expect(conns.some((c) => !c.incoming && c.address === `127.0.0.1:${OUR_PORT}`)).to.equal(true);
  });

  it('the connections survive several timed syncs', async () => {
    // ours every 10 s; monerod's on its own idle cadence
    await until('timed syncs both ways', () => outbound.stats.timedSyncsCompleted >= 2 && inbound.stats.timedSyncsAnswered + outbound.stats.timedSyncsAnswered >= 1, 90_000);
    console.log(`    timed syncs by ${Math.round((Date.now() - handshakeAt) / 1000)} s after monerod's handshake: ${JSON.stringify({ inbound: inbound.stats, outbound: outbound.stats })}`);
    expect(outbound.state).to.equal('ready');
    expect(inbound.state).to.equal('ready');
    expect(await clearnetMonerod.getConnections()).to.have.length(2);
  });

  it('learns monerod’s chain top and claims no more than that', async () => {
    const info = await clearnetMonerod.getInfo();
    const claimed = layer.chain('clearnet').current();
    expect(claimed.current_height).to.equal(BigInt(info.height));
    expect(claimed.top_id.toString('hex')).to.equal(info.top_block_hash);
  });

  it('tells the relay engine monerod’s height at the handshake and again once a timed sync reports the mined chain', async () => {
    const info = await clearnetMonerod.getInfo();
    const heights = toldHeights.get(outbound.id) ?? [];
    console.log(`    heights told for our outbound connection: ${JSON.stringify(heights)} (monerod: ${info.height})`);
    expect(heights.length).to.be.at.least(2);
    expect(heights[0]).to.be.below(info.height); // the handshake came before the blocks makeTxs mined
    expect(heights.at(-1)).to.equal(info.height);
    expect(new Set(heights).size, 'only changes are told').to.equal(heights.length);
  });

  it('a tx submitted to monerod’s RPC arrives over p2p with the id monerod reports', async () => {
    const tx = txs[0];
    const t0 = Date.now();
    expect((await clearnetMonerod.sendRawTransaction(tx.blob)).status).to.equal('OK');
    const pool = await clearnetMonerod.getTransactionPool();
    const reported = pool.find((p) => p.tx_blob === tx.blob.toString('hex'));
    expect(reported?.id_hash).to.equal(tx.id);
    const batch = await until('the tx over p2p', () => received.find((b) => b.txs.some((t) => t.id === tx.id)), 60_000);
    const got = batch.txs.find((t) => t.id === tx.id)!;
    expect(Buffer.from(got.blob).equals(tx.blob)).to.equal(true);
    expect(transactionIdHex(got.blob)).to.equal(reported!.id_hash);
    console.log(`    RPC → p2p arrival: ${Date.now() - t0} ms (${batch.fluff ? 'fluff' : 'stem'})`);
  });

  it('a tx sent by veilnode over p2p appears in monerod’s transaction pool', async () => {
    const tx = txs[1];
    const t0 = Date.now();
    expect(outbound.sendTransactions([tx.blob], { fluff: true })).to.equal(true);
    const entry = await until('the tx in monerod’s pool', async () => (await clearnetMonerod.getTransactionPool()).find((p) => p.id_hash === tx.id), 30_000);
    expect(entry.tx_blob).to.equal(tx.blob.toString('hex'));
    console.log(`    p2p → pool: ${Date.now() - t0} ms`);
  });

  it('peer lists are exchanged both ways, parsed and stored', async () => {
    // monerod → us: its white list (the --add-peer entry) came in its handshake answer
    expect(store.gray().map((e) => codec.format(e.address))).to.include(MONEROD_KNOWN_PEER);
    // us → monerod: the entry we shared in our handshake answer is in monerod's peer list
    const lists = await clearnetMonerod.getPeerList();
    expect([...lists.white, ...lists.gray].map((p) => `${p.host}:${p.port}`)).to.include(`${SHARED_PEER.host}:${SHARED_PEER.port}`);
    // and what we stored survives a save/load round trip
    await store.save();
    const reloaded = new ZonePeerStore({ zone: 'clearnet', codec, anonymity: false, logger, file: join(dataDir, 'peers-clearnet.json') });
    await reloaded.load();
    expect(reloaded.sizes).to.deep.equal(store.sizes);
    // nothing left loopback: monerod never dialled the documentation addresses
    expect((await clearnetMonerod.getConnections()).every((c) => c.address.startsWith('127.0.0.1:'))).to.equal(true);
  });

  it('the node as the CLI composes it (composeNode) keeps its exclusive peer and its peer layer sends a padded tx (--pad-transactions) to monerod', async () => {
    const { prepared, veilnode } = await composeClearnetNode({
      dir: dataDir,
      p2pPort: BASE + 41,
      exclusivePeer: `127.0.0.1:${clearnetMonerod.p2pPort}`,
      args: ['--pad-transactions'],
      logger: new RecordingLogger(),
      compose: { peers: { maintenanceIntervalMs: 500 } },
    });
    expect(prepared.config.p2p.padTransactions).to.equal(true);
    const { peers } = veilnode;
    await veilnode.start();
    try {
      const peer = await until('the node’s handshake with monerod', () => peers.layer.connections('clearnet')[0], 15_000);
      expect(peer.direction).to.equal('outbound');
      expect(peer.peer?.nodeData.my_port).to.equal(clearnetMonerod.p2pPort);
      const tx = txs[2];
      expect(peer.sendTransactions([tx.blob], { fluff: true })).to.equal(true);
      await until('the node’s tx in monerod’s pool', async () => (await clearnetMonerod.getTransactionPool()).find((p) => p.id_hash === tx.id), 30_000);
    } finally {
      await veilnode.stop();
    }
    // the store was saved with monerod as anchor, for the next start (in the node's data dir)
    const saved = new ZonePeerStore({ zone: 'clearnet', codec, anonymity: false, logger, allowLoopback: true, file: join(dataDir, 'node', 'peers', 'clearnet.json') });
    await saved.load();
    expect(saved.anchors().map((e) => codec.format(e.address))).to.include(`127.0.0.1:${clearnetMonerod.p2pPort}`);
  });

  describe('on monerod’s --anonymous-inbound port (a Tor zone over plain TCP)', () => {
    const torAddress: PeerAddress = { zone: 'clearnet', host: '127.0.0.1', port: BASE + 22 };

    it('completes an anonymity-zone handshake: peer id 1, port 0, no support flags both ways', async () => {
      const connection = await transport.dial(torAddress);
      const tor = layer.attach({ zone: 'tor', policy: anonymityZonePolicy('tor'), codec, connection, remote: undefined });
      const info = await tor.ready;
      expect(info.nodeData.peer_id).to.equal(1n);
      expect(info.nodeData.my_port).to.equal(0);
      expect(info.nodeData.support_flags).to.equal(0);
      expect(tor.localPeerId).to.equal(1n);
      const sync = await tor.timedSync();
      expect(sync.top_id.equals(genesisHash('regtest'))).to.equal(true); // this monerod has only genesis
      // the clearnet chain top we learnt is never claimed on the tor zone
      expect(layer.chain('tor').current().current_height).to.equal(1n);
      expect(layer.chain('clearnet').current().current_height > 1n).to.equal(true);
      tor.close('test done');
      const torLogs = JSON.stringify(logger.entries.filter((e) => (e.fields as { zone?: string }).zone === 'tor'));
      expect(torLogs).not.to.contain('127.0.0.1');
    });

    it('monerod answers a filtered invoke with -6, ignores a filtered notification, and keeps the connection', async () => {
      const { stream } = await transport.dial(torAddress);
      const decoder = new LevinStreamDecoder();
      const inbox: LevinMessage[] = [];
      let closed = false;
      stream.on('data', (chunk: Buffer) => inbox.push(...decoder.push(Buffer.from(chunk))));
      stream.on('close', () => (closed = true));
      const reply = (command: number) => until(`response ${command}`, () => inbox.find((m) => m.isResponse && m.command === command), 10_000);
      try {
        const genesis = { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('regtest'), top_version: 1, pruning_seed: 0 };
        stream.write(encodeInvokeMessage(Handshake, { node_data: { network_id: networkId('regtest'), peer_id: 1n, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 0 }, payload_data: genesis }));
        expect((await reply(Command.Handshake)).returnCode).to.equal(1);
        stream.write(encodeInvokeMessage(Ping, {}));
        const ping = await reply(Command.Ping);
        expect(ping.returnCode).to.equal(-6);
        stream.write(encodeInvokeMessage(TimedSync, { payload_data: genesis }));
        expect((await reply(Command.TimedSync)).returnCode).to.equal(1);
        // a filtered notification: monerod 0.18.0.0 drops it and keeps the connection
        stream.write(encodeFrame({ command: Command.RequestChain, body: Buffer.from([1, 17, 1, 1, 1, 1, 2, 1, 1, 0]) }));
        inbox.length = 0;
        stream.write(encodeInvokeMessage(TimedSync, { payload_data: genesis }));
        expect((await reply(Command.TimedSync)).returnCode).to.equal(1);
        expect(closed).to.equal(false);
      } finally {
        stream.destroy();
      }
    });
  });
});
