import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicZonePolicy } from '@veilnode/plugin-api';
import { PeerRpcSources } from '../../src/node/peer-rpc-sources';
import { PeerService } from '../../src/peer';
import { encodeInvokeMessage, Handshake, networkId } from '@veilnode/protocol';
import { duplexPair } from '../helpers/duplex-pair';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { RecordingLogger, testZoneConfig } from '@veilnode/plugin-api/testing';
import { testIpv4Codec } from '../helpers/test-codecs';
import { refusedDial } from '../helpers/refused-dial';

const policy = publicZonePolicy('clearnet');
const zone = testZoneConfig({ name: 'clearnet', maxOutbound: 1, maxInbound: 8 });

describe('node/PeerRpcSources', () => {
  let dataDir: string;
  let peers: PeerService;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'veilnode-rpcsources-'));
    peers = new PeerService({ network: 'regtest', dataDir, logger: new RecordingLogger() });
    await peers.openZone({ config: zone, codec: testIpv4Codec, policy, dial: refusedDial });
  });
  afterEach(async () => {
    await peers.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports the chain top, connections and peer books the peer layer learnt, per zone', async () => {
    const sources = new PeerRpcSources(peers, [
      { name: 'clearnet', codec: testIpv4Codec },
      { name: 'tor', codec: testIpv4Codec },
    ]);
    expect(sources.chainTop(), 'genesis only: nothing learnt yet').to.equal(undefined);
    const [ours, theirs] = duplexPair();
    const fake = new FakeLevinPeer(theirs);
    const before = Date.now();
    const peer = peers.layer.attach({ zone: 'clearnet', policy, codec: testIpv4Codec, connection: { stream: ours, direction: 'inbound' }, remote: '10.0.0.7:18080' });
    const top = Buffer.alloc(32, 0xab);
    fake.send(
      encodeInvokeMessage(Handshake, {
        node_data: { network_id: networkId('mainnet'), peer_id: 0x42n, my_port: 0, rpc_port: 18089, rpc_credits_per_hash: 0, support_flags: 1 },
        payload_data: { current_height: 500n, cumulative_difficulty: 499n, cumulative_difficulty_top64: 0n, top_id: top, top_version: 16, pruning_seed: 0 },
      }),
    );
    await peer.ready;

    expect(sources.chainTop('clearnet')).to.deep.equal({ height: 500, topBlockHash: top.toString('hex'), targetHeight: 0 });
    expect(sources.chainTop('tor'), 'another zone’s peers say nothing about this one').to.equal(undefined);
    expect(sources.chainTop()).to.deep.equal({ height: 500, topBlockHash: top.toString('hex'), targetHeight: 0 });

    const [connection] = sources.connections();
    expect(connection).to.deep.include({ zone: 'clearnet', id: peer.id, direction: 'inbound', address: '10.0.0.7:18080', peerId: 0x42n, ready: true, height: 500, rpcPort: 18089, supportFlags: 1 });
    expect(connection.openedAt).to.be.within(before, Date.now());

    peers.store('clearnet')?.markConnected({ zone: 'clearnet', host: '10.0.0.9', port: 18080 }, 5n);
    peers.store('clearnet')?.addKnown({ zone: 'clearnet', host: '10.0.0.8', port: 18080 });
    expect(sources.peerList().map((e) => [e.zone, e.list, e.address])).to.deep.equal([
      ['clearnet', 'white', '10.0.0.9:18080'],
      ['clearnet', 'gray', '10.0.0.8:18080'],
    ]);
  });

  it('offers as public RPC nodes the white-list peers of the asked zones that advertise an RPC port', () => {
    const sources = new PeerRpcSources(peers, [{ name: 'clearnet', codec: testIpv4Codec }]);
    const store = peers.store('clearnet');
    store?.markConnected({ zone: 'clearnet', host: '10.0.0.9', port: 18080 }, 5n, 18089);
    store?.markConnected({ zone: 'clearnet', host: '10.0.0.10', port: 18080 }, 6n, 0);
    store?.ingest([{ adr: { type: 1, ip: 0x0b00000a, port: 18080 }, id: 7n, rpcPort: 18089 }], 'timed_sync'); // 10.0.0.11, gray: only heard of
    expect(store?.gray()).to.have.length(1);
    expect(sources.publicRpcNodes(['clearnet'])).to.deep.equal([{ zone: 'clearnet', host: '10.0.0.9', port: 18089 }]);
    expect(sources.publicRpcNodes(['tor'])).to.deep.equal([]);
  });
});
