import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, publicZonePolicy, type ZoneConfig } from '@veilnode/plugin-api';
import { PeerService } from '../../src/peer';
import { encodeInvokeMessage, encodeResponseMessage, genesisHash, Handshake, networkId } from '@veilnode/protocol';
import { duplexPair } from '../helpers/duplex-pair';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { ipv4Wire, testIpv4Codec } from '../helpers/test-codecs';
import { refusedDial } from '../helpers/refused-dial';

const zoneConfig: ZoneConfig = {
  name: 'clearnet',
  enabled: true,
  transport: 'clearnet',
  proxy: null,
  maxOutbound: 4,
  maxInbound: 8,
  noise: false,
  inbound: { address: '127.0.0.1:18999', bind: { host: '127.0.0.1', port: 18999 }, max: 8 },
  peers: [],
  exclusivePeers: ['10.0.0.1:18080'],
  seeds: [],
};

describe('peer/PeerService', () => {
  it('dials the zone’s exclusive peer, stores what it learns, and persists anchors on stop', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'veilnode-peerservice-'));
    try {
      const service = new PeerService({ network: 'regtest', dataDir, logger: new RecordingLogger(), maintenanceIntervalMs: 60_000 });
      const fakes: FakeLevinPeer[] = [];
      await service.startZone({
        config: zoneConfig,
        codec: testIpv4Codec,
        policy: publicZonePolicy('clearnet'),
        dial: async (address) => {
          const [ours, theirs] = duplexPair();
          fakes.push(new FakeLevinPeer(theirs));
          const connection = { stream: ours, direction: 'outbound', remote: address } as const;
          service.layer.handle({ zone: 'clearnet', policy: publicZonePolicy('clearnet'), codec: testIpv4Codec, connection, remote: undefined });
          return connection;
        },
      });
      expect(fakes).to.have.length(1);
      const request = Handshake.request.decode((await fakes[0].next((m) => m.command === Command.Handshake)).body);
      expect(request.node_data.my_port).to.equal(18999);
      fakes[0].send(
        encodeResponseMessage(Handshake, {
          node_data: { network_id: networkId('mainnet'), peer_id: 5n, my_port: 18080, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 },
          payload_data: { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('regtest'), top_version: 1, pruning_seed: 0 },
          local_peerlist_new: [{ adr: ipv4Wire('10.0.0.2', 18080), id: 6n, last_seen: 0n, pruning_seed: 0, rpc_port: 0, rpc_credits_per_hash: 0 }],
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(service.layer.connectionIds('clearnet')).to.have.length(1);
      await service.stop();
      const saved = JSON.parse(await readFile(join(dataDir, 'peers', 'clearnet.json'), 'utf8'));
      expect(saved.anchor.map((e: { address: string }) => e.address)).to.deep.equal(['10.0.0.1:18080']);
      expect(saved.white.map((e: { address: string }) => e.address)).to.deep.equal(['10.0.0.1:18080']);
      expect(saved.gray.map((e: { address: string }) => e.address)).to.deep.equal(['10.0.0.2:18080']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('openZone loads the store and serves inbound peers without dialling; startDialling dials; a zone that never dialled keeps its anchors', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'veilnode-peerservice-'));
    try {
      const dials: string[] = [];
      const open = async (): Promise<PeerService> => {
        const service = new PeerService({ network: 'regtest', dataDir, logger: new RecordingLogger(), maintenanceIntervalMs: 60_000 });
        await service.openZone({ config: zoneConfig, codec: testIpv4Codec, policy: publicZonePolicy('clearnet'), dial: async (a) => {
            dials.push(testIpv4Codec.format(a));
            return refusedDial();
          } });
        return service;
      };
      const first = await open();
      first.store('clearnet')?.setAnchors([{ zone: 'clearnet', host: '10.0.0.9', port: 18080 }]);
      await first.stop();
      expect(dials, 'no dial before startDialling').to.deep.equal([]);

      const second = await open();
      expect(second.store('clearnet')?.anchors().map((e) => testIpv4Codec.format(e.address))).to.deep.equal(['10.0.0.9:18080']);
      // an inbound peer before dialling starts already gets our port
      const [ours, theirs] = duplexPair();
      const fake = new FakeLevinPeer(theirs);
      second.layer.handle({ zone: 'clearnet', policy: publicZonePolicy('clearnet'), codec: testIpv4Codec, connection: { stream: ours, direction: 'inbound' }, remote: undefined });
      fake.send(
        encodeInvokeMessage(Handshake, {
          node_data: { network_id: networkId('mainnet'), peer_id: 7n, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 },
          payload_data: { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('regtest'), top_version: 1, pruning_seed: 0 },
        }),
      );
      const answer = Handshake.response.decode((await fake.next((m) => m.command === Command.Handshake)).body);
      expect(answer.node_data.my_port).to.equal(18999);
      second.startDialling();
      expect(dials).to.deep.equal(['10.0.0.1:18080']);
      await second.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
