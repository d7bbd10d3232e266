import { expect } from 'chai';
import { AbortedError, Command, DialError, publicZonePolicy, type PeerAddress, type TransportConnection } from '@veilnode/plugin-api';
import { PeerLayer } from '../../src/peer';
import type { IncomingTransactions } from '../../src/relay/relay-engine';
import { HANDSHAKE_FAILURE_LOG_INTERVAL_MS } from '../../src/peer/peer-layer';
import { sourceGroup } from '../../src/peer/source-group';
import { VirtualClock, RecordingLogger, rejectionOf } from '@veilnode/plugin-api/testing';
import { encodeFrame, encodeInvokeMessage, encodeNotifyMessage, encodeResponseMessage, genesisHash, Handshake, networkId, NewTransactions, TimedSync } from '@veilnode/protocol';
import { duplexPair } from '../helpers/duplex-pair';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { testIpv4Codec } from '../helpers/test-codecs';
import { REGTEST_TXS } from '@veilnode/protocol/testing';

const TX = REGTEST_TXS.map(
  (t: { id: string; hex: string }) => ({ id: t.id, blob: Buffer.from(t.hex, 'hex') }),
);
const policy = publicZonePolicy('clearnet');
const nodeData = (peerId: bigint) => ({ network_id: networkId('mainnet'), peer_id: peerId, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 });
const genesis = { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('regtest'), top_version: 1, pruning_seed: 0 };

function inbound(layer: PeerLayer, remote?: PeerAddress) {
  const [ours, theirs] = duplexPair();
  const peer = layer.attach({ zone: 'clearnet', policy, codec: testIpv4Codec, connection: { stream: ours, direction: 'inbound', remote }, remote: undefined });
  return { peer, fake: new FakeLevinPeer(theirs) };
}

/** What the kernel's ZoneRuntime.dial does with a dialled connection: hands it to the layer, returns it. */
function handOver(layer: PeerLayer, connection: TransportConnection): TransportConnection {
  layer.handle({ zone: 'clearnet', policy, codec: testIpv4Codec, connection, remote: undefined });
  return connection;
}

describe('peer/PeerLayer', () => {
  it('hands received txs to its TxSink with ids, flag and the address group, and sends txs to one ready connection by id', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const batches: IncomingTransactions[] = [];
    layer.setTxSink({ receive: (batch) => void batches.push(batch) });
    const remote = { zone: 'clearnet', host: '203.0.113.7', port: 18080 };
    const a = inbound(layer, remote);
    const b = inbound(layer);
    for (const [i, p] of [a, b].entries()) {
      p.fake.send(encodeInvokeMessage(Handshake, { node_data: nodeData(BigInt(10 + i)), payload_data: genesis }));
      await p.peer.ready;
    }
    expect(layer.connectionIds('clearnet', a.peer.id)).to.deep.equal([b.peer.id]);
    a.fake.send(encodeNotifyMessage(NewTransactions, { txs: [TX[0].blob, TX[0].blob], _: Buffer.alloc(0), dandelionpp_fluff: false }));
    for (let i = 0; i < 100 && batches.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(batches.map((x) => ({ zone: x.zone, connectionId: x.connectionId, sourceGroup: x.sourceGroup, fluff: x.fluff, ids: x.txs.map((t) => t.id) }))).to.deep.equal([
      { zone: 'clearnet', connectionId: a.peer.id, sourceGroup: sourceGroup(remote, a.peer.id), fluff: false, ids: [TX[0].id] },
    ]);
    expect(layer.sendTransactions('clearnet', b.peer.id, [TX[0].blob], { fluff: false })).to.equal(true);
    const sent = NewTransactions.body.decode((await b.fake.next((m) => m.command === Command.NewTransactions)).body);
    expect(sent.txs.map((t) => Buffer.from(t).toString('hex'))).to.deep.equal([TX[0].blob.toString('hex')]);
    expect(sent.dandelionpp_fluff).to.equal(false);
    expect(layer.sendTransactions('clearnet', 'clearnet-999', [TX[0].blob], { fluff: true }), 'unknown id').to.equal(false);
    layer.closeAll();
    expect(layer.connectionIds('clearnet')).to.have.length(0);
  });

  it('tells its observer when a connection is up (with its height), when the height changes, and when it is down', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const events: string[] = [];
    layer.setConnectionObserver({
      onConnectionUp: (zone, id, direction, height) => events.push(`up ${zone} ${id} ${direction} ${height}`),
      onConnectionHeight: (zone, id, height) => events.push(`height ${zone} ${id} ${height}`),
      onConnectionDown: (zone, id, close) => events.push(`down ${zone} ${id} ${JSON.stringify(close)}`),
    });
    const { peer, fake } = inbound(layer);
    expect(layer.sendFrame('clearnet', peer.id, Buffer.from('x'))).to.equal(false); // not ready yet
    fake.send(encodeInvokeMessage(Handshake, { node_data: nodeData(3n), payload_data: { ...genesis, current_height: 40n, cumulative_difficulty: 40n } }));
    await peer.ready;
    await new Promise((r) => setImmediate(r));
    for (const height of [40n, 41n, 41n, 39n]) {
      fake.send(encodeInvokeMessage(TimedSync, { payload_data: { ...genesis, current_height: height, cumulative_difficulty: height } }));
      await fake.next((m) => m.command === Command.TimedSync && m.isResponse);
    }
    // only changes are told, a lower height too (a peer whose chain was reorganised or who lied before)
    expect(events).to.deep.equal([`up clearnet ${peer.id} inbound 40`, `height clearnet ${peer.id} 41`, `height clearnet ${peer.id} 39`]);
    events.length = 0;
    const noise = encodeFrame({ command: 0, body: Buffer.alloc(16), flags: 0x0c });
    expect(layer.sendFrame('clearnet', peer.id, noise)).to.equal(true);
    layer.close('clearnet', peer.id, 'rotation');
    await peer.closed;
    await new Promise((r) => setImmediate(r));
    expect(events).to.deep.equal([`down clearnet ${peer.id} {"byPeer":false}`]); // we closed it; inbound: no peer key
    expect(layer.sendFrame('clearnet', peer.id, noise)).to.equal(false);
  });

  it('never tells its observer about a connection that closed before its handshake', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const events: string[] = [];
    layer.setConnectionObserver({ onConnectionUp: (_z, id) => events.push(`up ${id}`), onConnectionHeight: () => undefined, onConnectionDown: (_z, id) => events.push(`down ${id}`) });
    const { peer, fake } = inbound(layer);
    fake.stream.destroy();
    await peer.closed;
    await new Promise((r) => setImmediate(r));
    expect(events).to.deep.equal([]);
    expect(layer.connectionIds('clearnet')).to.deep.equal([]);
  });

  it('logs connections that fail before their handshake as one summary line per minute, not one info line each', async () => {
    const logger = new RecordingLogger();
    const clock = new VirtualClock();
    const layer = new PeerLayer({ network: 'regtest', logger, clock });
    for (let i = 0; i < 50; i++) {
      const { peer, fake } = inbound(layer);
      if (i % 2 === 0) fake.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      else fake.stream.destroy();
      await peer.closed;
    }
    await new Promise((r) => setImmediate(r));
    expect(logger.entries.filter((e) => e.level === 'info')).to.deep.equal([]);
    clock.advance(HANDSHAKE_FAILURE_LOG_INTERVAL_MS);
    const lines = logger.entries.filter((e) => e.level === 'info');
    expect(lines.map((e) => e.msg)).to.deep.equal(['peer connections closed before their handshake']);
    expect(lines[0].fields).to.deep.include({ total: 50, byReason: { 'clearnet:LEVIN_BAD_SIGNATURE': 25, 'clearnet:PEER_HANDSHAKE_FAILED': 25 } });
  });

  it('keeps one chain top per zone, so one zone’s peers cannot tag what we claim on another', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const { peer, fake } = inbound(layer);
    fake.send(encodeInvokeMessage(Handshake, { node_data: nodeData(9n), payload_data: { ...genesis, current_height: 500n, cumulative_difficulty: 499n, top_id: Buffer.alloc(32, 7) } }));
    await peer.ready;
    expect(layer.chain('clearnet').current().current_height).to.equal(500n);
    expect(layer.chain('tor').current().current_height).to.equal(1n);
    expect(layer.chain('tor').current().top_id.equals(genesisHash('regtest'))).to.equal(true);
    layer.closeAll();
  });

  it('connector resolves with the handshaken connection a dial hands to handle() and returns, and the RPC port it advertised', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger(), localPeerId: 1234n });
    const address: PeerAddress = { zone: 'clearnet', host: '127.0.0.1', port: 18080 };
    let fake: FakeLevinPeer | undefined;
    const connect = layer.connector(async (dialled) => {
      const [ours, theirs] = duplexPair();
      fake = new FakeLevinPeer(theirs);
      return handOver(layer, { stream: ours, direction: 'outbound', remote: dialled });
    });
    const session = connect(address, new AbortController().signal);
    await new Promise((r) => setImmediate(r));
    await fake!.next((m) => m.command === Command.Handshake);
    fake!.send(encodeResponseMessage(Handshake, { node_data: { ...nodeData(77n), rpc_port: 18089 }, payload_data: genesis, local_peerlist_new: [] }));
    expect(await session).to.deep.include({ peerId: 77n, rpcPort: 18089 });
    layer.closeAll();
  });

  it('a carrier: resolved to connectCarrier only, never in connections() or the relay port, never told up; its close told as a carrier', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const events: string[] = [];
    layer.setConnectionObserver({
      onConnectionUp: (_z, id) => events.push(`up ${id}`),
      onConnectionHeight: () => undefined,
      onConnectionDown: (_z, id) => events.push(`down ${id}`),
      onCarrierDown: (_z, id) => events.push(`carrier down ${id}`),
    });
    const address: PeerAddress = { zone: 'clearnet', host: '127.0.0.1', port: 18080 };
    let fake: FakeLevinPeer | undefined;
    const dial = async (dialled: PeerAddress): Promise<TransportConnection> => {
      const [ours, theirs] = duplexPair();
      fake = new FakeLevinPeer(theirs);
      const connection: TransportConnection = { stream: ours, direction: 'outbound', remote: dialled };
      layer.handle({ zone: 'clearnet', policy, codec: testIpv4Codec, connection, remote: '127.0.0.1:18080', carrier: true });
      return connection;
    };
    const opening = layer.connectCarrier(address, new AbortController().signal, dial);
    await new Promise((r) => setImmediate(r));
    await fake!.next((m) => m.command === Command.Handshake);
    fake!.send(encodeResponseMessage(Handshake, { node_data: nodeData(77n), payload_data: genesis, local_peerlist_new: [] }));
    const carrier = await opening;
    expect(layer.connections('clearnet')).to.deep.equal([]);
    expect(layer.sendTransactions('clearnet', carrier.id, [TX[0].blob], { fluff: false }), 'not addressable by the relay port').to.equal(false);
    expect([...layer.remotes('clearnet')]).to.deep.equal(['127.0.0.1:18080']);
    layer.close('clearnet', carrier.id, 'invalid-tx'); // the engine can still close it (junk from its peer)
    await carrier.closed;
    await new Promise((r) => setImmediate(r));
    expect(events).to.deep.equal([`carrier down ${carrier.id}`]);
    layer.closeAll();
  });

  it('connector follows the connection its dial returned, not the address: two dials of one address, or a remote the transport reports otherwise', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const address: PeerAddress = { zone: 'clearnet', host: '127.0.0.1', port: 18080 };
    const fakes: FakeLevinPeer[] = [];
    const connect = layer.connector(async () => {
      const [ours, theirs] = duplexPair();
      fakes.push(new FakeLevinPeer(theirs));
      // the transport names another remote than the one dialled: nothing may depend on it
      return handOver(layer, { stream: ours, direction: 'outbound', remote: { zone: 'clearnet', host: '10.0.0.1', port: 1 } });
    });
    const first = connect(address, new AbortController().signal);
    const second = connect(address, new AbortController().signal);
    await new Promise((r) => setImmediate(r));
    for (const [i, fake] of [...fakes].reverse().entries()) {
      await fake.next((m) => m.command === Command.Handshake);
      fake.send(encodeResponseMessage(Handshake, { node_data: nodeData(BigInt(100 + i)), payload_data: genesis, local_peerlist_new: [] }));
    }
    expect([(await first).peerId, (await second).peerId]).to.deep.equal([101n, 100n]);
    layer.closeAll();
  });

  it('connector rejects a dial whose connection never reached handle(), destroying it, and stops waiting for a handshake on abort', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const address: PeerAddress = { zone: 'clearnet', host: '127.0.0.1', port: 18080 };
    const [stray] = duplexPair();
    const unhandled = await rejectionOf(layer.connector(async () => ({ stream: stray, direction: 'outbound' }))(address, new AbortController().signal));
    expect(unhandled).to.have.property('code', 'CONNECTION_NOT_HANDLED');
    expect(stray.destroyed).to.equal(true);

    const abort = new AbortController();
    const [ours] = duplexPair();
    const waiting = layer.connector(async () => handOver(layer, { stream: ours, direction: 'outbound', remote: address }))(address, abort.signal);
    await new Promise((r) => setImmediate(r));
    abort.abort();
    expect(await rejectionOf(waiting)).to.be.instanceOf(AbortedError);
    layer.closeAll();
  });

  it('tells its observer that an outbound peer hung up, with an opaque key that is the same for each connection to that peer', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const closes: unknown[] = [];
    layer.setConnectionObserver({ onConnectionUp: () => undefined, onConnectionHeight: () => undefined, onConnectionDown: (_z, _id, close) => void closes.push(close) });
    let fake: FakeLevinPeer | undefined;
    const connect = layer.connector(async (dialled) => {
      const [ours, theirs] = duplexPair();
      fake = new FakeLevinPeer(theirs);
      return handOver(layer, { stream: ours, direction: 'outbound', remote: dialled });
    });
    for (const host of ['10.1.2.3', '10.1.2.3', '10.9.9.9']) {
      const session = connect({ zone: 'clearnet', host, port: 18080 }, new AbortController().signal);
      await new Promise((r) => setImmediate(r));
      await fake!.next((m) => m.command === Command.Handshake);
      fake!.send(encodeResponseMessage(Handshake, { node_data: nodeData(77n), payload_data: genesis, local_peerlist_new: [] }));
      const { closed } = await session;
      fake!.stream.end(); // the peer hangs up
      await closed;
      await new Promise((r) => setImmediate(r));
    }
    const [first, again, other] = closes as { byPeer: boolean; peer: string }[];
    expect([first.byPeer, again.byPeer, other.byPeer]).to.deep.equal([true, true, true]);
    expect(again.peer).to.equal(first.peer);
    expect(other.peer).not.to.equal(first.peer);
    expect(JSON.stringify(closes)).not.to.include('10.1.2.3');
  });

  it('connector rejects with the dial error', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const connect = layer.connector(async () => {
      throw new DialError('DIAL_REFUSED', 'refused');
    });
    let error: unknown;
    await connect({ zone: 'clearnet', host: '127.0.0.1', port: 1 }, new AbortController().signal).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(DialError);
  });
});
