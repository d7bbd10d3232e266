import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, DialError, publicZonePolicy, type PeerAddress } from '../../src/api';
import { PeerLayer, RelayToAll } from '../../src/peer';
import { encodeInvokeMessage, encodeNotifyMessage, encodeResponseMessage, genesisHash, Handshake, networkId, NewTransactions } from '../../src/wire';
import { duplexPair } from '../helpers/duplex-pair';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { RecordingLogger } from '../helpers/recording-logger';
import { testIpv4Codec } from '../helpers/test-codecs';

const TX = JSON.parse(readFileSync(resolve(__dirname, '../../../test/fixtures/txs/regtest-txs.json'), 'utf8')).txs.map(
  (t: { id: string; hex: string }) => ({ id: t.id, blob: Buffer.from(t.hex, 'hex') }),
);
const policy = publicZonePolicy('clearnet');
const nodeData = (peerId: bigint) => ({ network_id: networkId('mainnet'), peer_id: peerId, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 });
const genesis = { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('regtest'), top_version: 1, pruning_seed: 0 };

function inbound(layer: PeerLayer) {
  const [ours, theirs] = duplexPair();
  const peer = layer.attach({ zone: 'clearnet', policy, codec: testIpv4Codec, connection: { stream: ours, direction: 'inbound' }, remote: undefined });
  return { peer, fake: new FakeLevinPeer(theirs) };
}

describe('peer/PeerLayer', () => {
  it('relays a tx received on one connection to the other ready connections of the zone, once', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const relay = new RelayToAll(layer, new RecordingLogger());
    layer.setTxSink(relay);
    const a = inbound(layer);
    const b = inbound(layer);
    for (const [i, p] of [a, b].entries()) {
      p.fake.send(encodeInvokeMessage(Handshake, { node_data: nodeData(BigInt(10 + i)), payload_data: genesis }));
      await p.peer.ready;
    }
    expect(layer.connectionIds('clearnet')).to.have.length(2);
    const notify = encodeNotifyMessage(NewTransactions, { txs: [TX[0].blob], _: Buffer.alloc(0), dandelionpp_fluff: true });
    a.fake.send(notify);
    const relayed = await b.fake.next((m) => m.command === Command.NewTransactions);
    expect(NewTransactions.body.decode(relayed.body).txs[0].equals(TX[0].blob)).to.equal(true);
    expect(relay.has(TX[0].id)).to.equal(true);
    b.fake.send(notify); // back from b: already seen, not relayed to a
    await new Promise((r) => setTimeout(r, 30));
    expect(a.fake.received.filter((m) => m.command === Command.NewTransactions)).to.have.length(0);
    layer.closeAll();
    expect(layer.connectionIds('clearnet')).to.have.length(0);
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

  it('connector resolves with the handshaken connection a dial hands to handle()', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger(), localPeerId: 1234n });
    const address: PeerAddress = { zone: 'clearnet', host: '127.0.0.1', port: 18080 };
    let fake: FakeLevinPeer | undefined;
    const connect = layer.connector(async (dialled) => {
      const [ours, theirs] = duplexPair();
      fake = new FakeLevinPeer(theirs);
      layer.handle({ zone: 'clearnet', policy, codec: testIpv4Codec, connection: { stream: ours, direction: 'outbound', remote: dialled }, remote: '127.0.0.1:18080' });
    });
    const session = connect(address, new AbortController().signal);
    await new Promise((r) => setImmediate(r));
    await fake!.next((m) => m.command === Command.Handshake);
    fake!.send(encodeResponseMessage(Handshake, { node_data: nodeData(77n), payload_data: genesis, local_peerlist_new: [] }));
    expect((await session).peerId).to.equal(77n);
    layer.closeAll();
  });

  it('connector rejects with the dial error and leaves no waiter behind', async () => {
    const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    const connect = layer.connector(async () => {
      throw new DialError('DIAL_REFUSED', 'refused');
    });
    let error: unknown;
    await connect({ zone: 'clearnet', host: '127.0.0.1', port: 1 }, new AbortController().signal).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(DialError);
  });
});
