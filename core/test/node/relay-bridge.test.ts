import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, publicZonePolicy } from '../../src/api';
import { resolveZoneConfig } from '../../src/config/zone-settings';
import { PeerRelayPort } from '../../src/node/peer-relay-port';
import { PeerRpcSources } from '../../src/node/peer-rpc-sources';
import { RelayingConnectionHandler } from '../../src/node/relaying-connection-handler';
import { LevinCovertSlotBuilder } from '../../src/noise/levin-covert-slot-builder';
import { PeerLayer, PeerService } from '../../src/peer';
import type { IncomingTxBatch } from '../../src/relay/relay-engine';
import { encodeInvokeMessage, encodeNotifyMessage, genesisHash, Handshake, networkId, NewTransactions } from '../../src/wire';
import { duplexPair } from '../helpers/duplex-pair';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { tempDir } from '../helpers/fixtures';
import { RecordingLogger } from '../helpers/recording-logger';
import { testIpv4Codec } from '../helpers/test-codecs';

const TX = JSON.parse(readFileSync(resolve(__dirname, '../../../test/fixtures/txs/regtest-txs.json'), 'utf8')).txs.map(
  (t: { id: string; hex: string }) => ({ id: t.id, blob: Buffer.from(t.hex, 'hex') }),
);
const policy = publicZonePolicy('clearnet');
const nodeData = (peerId: bigint) => ({ network_id: networkId('regtest'), peer_id: peerId, my_port: 0, rpc_port: 18089, rpc_credits_per_hash: 0, support_flags: 1 });
const sync = (height: bigint) => ({ current_height: height, cumulative_difficulty: height, cumulative_difficulty_top64: 0n, top_id: Buffer.alloc(32, 9), top_version: 16, pruning_seed: 0 });
const genesis = { ...sync(1n), cumulative_difficulty: 1n, top_id: genesisHash('regtest'), top_version: 1 };

/** What the relay engine heard, in order. */
class RecordingRelay {
  readonly events: unknown[] = [];
  connectionUp(zone: string, id: string, direction: string): void {
    this.events.push(['up', zone, id, direction]);
  }
  connectionDown(zone: string, id: string): void {
    this.events.push(['down', zone, id]);
  }
  receive(batch: IncomingTxBatch): void {
    this.events.push(['txs', batch.zone, batch.connectionId, batch.txs.map((t) => t.id), batch.fluff]);
  }
}

function connect(handler: RelayingConnectionHandler, remote: string) {
  const [ours, theirs] = duplexPair();
  handler.handle({ zone: 'clearnet', policy, codec: testIpv4Codec, connection: { stream: ours, direction: 'inbound' }, remote });
  return new FakeLevinPeer(theirs);
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).to.equal(true);
};

describe('node: the peer layer bridged to the relay engine and the RPC', () => {
  let layer: PeerLayer;
  let relay: RecordingRelay;
  let handler: RelayingConnectionHandler;

  beforeEach(() => {
    layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger() });
    relay = new RecordingRelay();
    handler = new RelayingConnectionHandler(layer, relay, () => 5_000);
  });
  afterEach(() => layer.closeAll());

  it('RelayingConnectionHandler: the engine hears a connection once it is ready, its txs, and its close; get_connections sees it', async () => {
    const fake = connect(handler, '198.51.100.7:18080');
    expect(handler.connections()).to.have.length(1);
    expect(handler.connections()[0]).to.include({ ready: false, address: '198.51.100.7:18080', openedAt: 5_000, peerId: 0n });
    expect(relay.events).to.deep.equal([]);
    fake.send(encodeInvokeMessage(Handshake, { node_data: nodeData(10n), payload_data: sync(700n) }));
    await until(() => relay.events.length === 1);
    const [id] = layer.connectionIds('clearnet');
    expect(relay.events[0]).to.deep.equal(['up', 'clearnet', id, 'inbound']);
    expect(handler.connections()[0]).to.include({ zone: 'clearnet', id, direction: 'inbound', ready: true, peerId: 10n, height: 700, supportFlags: 1, rpcPort: 18089 });
    fake.send(encodeNotifyMessage(NewTransactions, { txs: [TX[0].blob], _: Buffer.alloc(0), dandelionpp_fluff: false }));
    await until(() => relay.events.length === 2);
    expect(relay.events[1]).to.deep.equal(['txs', 'clearnet', id, [TX[0].id], false]);
    fake.stream.destroy();
    await until(() => relay.events.length === 3);
    expect(relay.events[2]).to.deep.equal(['down', 'clearnet', id]);
    expect(handler.connections()).to.deep.equal([]);
  });

  it('RelayingConnectionHandler: a connection that never finished its handshake is never reported to the engine', async () => {
    const fake = connect(handler, '198.51.100.8:18080');
    fake.stream.destroy();
    await until(() => handler.connections().length === 0);
    expect(relay.events).to.deep.equal([]);
  });

  it('PeerRelayPort: stem and fluff sends, a noise slot written unchanged, close; false for a gone connection', async () => {
    const port = new PeerRelayPort(layer);
    const fake = connect(handler, '198.51.100.9:18080');
    fake.send(encodeInvokeMessage(Handshake, { node_data: nodeData(11n), payload_data: genesis }));
    await until(() => layer.connectionIds('clearnet').length === 1);
    const [id] = layer.connectionIds('clearnet');
    expect(port.send('clearnet', id, [TX[1].blob], { fluff: false })).to.equal(true);
    const stem = NewTransactions.body.decode((await fake.next((m) => m.command === Command.NewTransactions)).body);
    expect(stem.dandelionpp_fluff).to.equal(false);
    expect(stem.txs[0].equals(TX[1].blob)).to.equal(true);
    // a padded 2002 in one 3072-byte slot, as the noise scheduler hands it over
    const [slot] = new LevinCovertSlotBuilder().packTransactions([TX[2].blob]);
    expect(slot.length).to.equal(3072);
    expect(port.sendNoiseSlot('clearnet', id, slot)).to.equal(true);
    const covert = NewTransactions.body.decode((await fake.next((m) => m.command === Command.NewTransactions)).body);
    expect(covert.txs[0].equals(TX[2].blob)).to.equal(true);
    expect(port.send('clearnet', 'clearnet-999', [TX[1].blob], { fluff: true })).to.equal(false);
    expect(port.sendNoiseSlot('clearnet', 'clearnet-999', slot)).to.equal(false);
    port.close('clearnet', id, 'rotation');
    await fake.waitClosed();
  });

  it('PeerRpcSources: chain tops per zone (best over all without a zone) and each zone’s white and gray books', async () => {
    const data = tempDir();
    const service = new PeerService({ network: 'regtest', dataDir: data.dir, logger: new RecordingLogger(), maintenanceIntervalMs: 60_000, allowLoopback: true });
    try {
      const config = resolveZoneConfig('clearnet', {}, policy, { bindIp: '127.0.0.1', bindPort: 0 });
      await service.startZone({ config, codec: testIpv4Codec, policy, dial: () => new Promise(() => undefined) });
      const store = service.store('clearnet')!;
      store.markConnected({ zone: 'clearnet', host: '198.51.100.1', port: 18080 }, 42n);
      store.addKnown({ zone: 'clearnet', host: '203.0.113.5', port: 28080 });
      const [ours, theirs] = duplexPair();
      const peer = service.layer.attach({ zone: 'clearnet', policy, codec: testIpv4Codec, connection: { stream: ours, direction: 'inbound' }, remote: undefined });
      new FakeLevinPeer(theirs).send(encodeInvokeMessage(Handshake, { node_data: nodeData(12n), payload_data: sync(900n) }));
      await peer.ready;

      const sources = new PeerRpcSources(service, [{ name: 'clearnet', codec: testIpv4Codec }]);
      expect(sources.chainTop('clearnet')).to.deep.equal({ height: 900, topBlockHash: '09'.repeat(32), targetHeight: 0 });
      // another zone's top is its own: nothing learnt there yet but the genesis block
      expect(sources.chainTop('tor')).to.deep.equal({ height: 1, topBlockHash: genesisHash('regtest').toString('hex'), targetHeight: 0 });
      expect(sources.chainTop()?.height).to.equal(900);
      const list = sources.peerList();
      expect(list.map((p) => [p.list, p.address, p.peerId])).to.deep.equal([
        ['white', '198.51.100.1:18080', 42n],
        ['gray', '203.0.113.5:28080', 0n],
      ]);
      expect(list.every((p) => p.zone === 'clearnet')).to.equal(true);
    } finally {
      await service.stop();
      data.cleanup();
    }
  });
});
