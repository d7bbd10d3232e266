import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, publicZonePolicy } from '@veilnode/plugin-api';
import { packForNoise, encodeInvokeMessage, encodeNotifyMessage, genesisHash, Handshake, networkId, NewTransactions } from '@veilnode/protocol';
import { PeerRelayPort, PeerService } from '../../src/peer';
import type { RelayOutboundPort } from '../../src/relay';
import { duplexPair } from '../helpers/duplex-pair';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { RecordingLogger, testZoneConfig } from '@veilnode/plugin-api/testing';
import { testIpv4Codec } from '../helpers/test-codecs';
import { REGTEST_TXS } from '@veilnode/protocol/testing';
import { refusedDial } from '../helpers/refused-dial';

const TX = REGTEST_TXS[0];
const BLOB = Buffer.from(TX.hex, 'hex');
const policy = publicZonePolicy('clearnet');
const zone = testZoneConfig({ name: 'clearnet', maxOutbound: 1, maxInbound: 8, peers: ['10.0.0.1:18080', '10.0.0.2:18080'] });

describe('peer/PeerRelayPort', () => {
  let dataDir: string;
  let peers: PeerService;
  const dials: string[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'veilnode-relayport-'));
    dials.length = 0;
    peers = new PeerService({ network: 'regtest', dataDir, logger: new RecordingLogger(), maintenanceIntervalMs: 60_000 });
    await peers.openZone({ config: zone, codec: testIpv4Codec, policy, dial: async (a) => {
      dials.push(testIpv4Codec.format(a));
      return refusedDial();
    } });
  });
  afterEach(async () => {
    await peers.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function readyInbound(): Promise<{ id: string; fake: FakeLevinPeer; closed: Promise<unknown> }> {
    const [ours, theirs] = duplexPair();
    const fake = new FakeLevinPeer(theirs);
    const peer = peers.layer.attach({ zone: 'clearnet', policy, codec: testIpv4Codec, connection: { stream: ours, direction: 'inbound' }, remote: undefined });
    fake.send(
      encodeInvokeMessage(Handshake, {
        node_data: { network_id: networkId('mainnet'), peer_id: 3n, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 },
        payload_data: { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('regtest'), top_version: 1, pruning_seed: 0 },
      }),
    );
    await peer.ready;
    return { id: peer.id, fake, closed: peer.closed };
  }

  it('send writes one 2002 on the named connection, stem as dandelionpp_fluff = false; false for an unknown id', async () => {
    const port: RelayOutboundPort = new PeerRelayPort(peers);
    const { id, fake } = await readyInbound();
    expect(port.send('clearnet', id, [BLOB], { fluff: false })).to.equal(true);
    const body = NewTransactions.body.decode((await fake.next((m) => m.command === Command.NewTransactions)).body);
    expect(body.txs.map((t) => Buffer.from(t).toString('hex'))).to.deep.equal([TX.hex]);
    expect(body.dandelionpp_fluff).to.equal(false);
    expect(port.send('clearnet', 'clearnet-404', [BLOB], { fluff: true })).to.equal(false);
    expect(port.send('tor', id, [BLOB], { fluff: true }), 'ids are per zone').to.equal(false);
  });

  it('sendNoiseSlot writes a ready frame unchanged (a padded 2002 arrives as the tx)', async () => {
    const port: RelayOutboundPort = new PeerRelayPort(peers);
    const { id, fake } = await readyInbound();
    const [slot] = packForNoise(encodeNotifyMessage(NewTransactions, { txs: [BLOB], _: Buffer.alloc(0), dandelionpp_fluff: false }));
    expect(slot.length).to.equal(3072);
    expect(port.sendNoiseSlot('clearnet', id, slot)).to.equal(true);
    const body = NewTransactions.body.decode((await fake.next((m) => m.command === Command.NewTransactions)).body);
    expect(Buffer.from(body.txs[0]).toString('hex')).to.equal(TX.hex);
  });

  it('dial asks the zone’s maintainer for one peer beyond its target; close ends the named connection', async () => {
    const port: RelayOutboundPort = new PeerRelayPort(peers);
    peers.startDialling();
    expect(dials).to.deep.equal(['10.0.0.1:18080']); // target 1
    port.dial('clearnet', 'rotation');
    expect(dials).to.deep.equal(['10.0.0.1:18080', '10.0.0.2:18080']);
    port.dial('tor', 'rotation'); // not a running zone: nothing to dial
    expect(dials).to.have.length(2);
    const { id, closed } = await readyInbound();
    port.close('clearnet', id, 'rotation');
    await closed;
    expect(peers.layer.connectionIds('clearnet')).to.deep.equal([]);
  });
});
