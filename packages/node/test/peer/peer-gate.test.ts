import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonymityZonePolicy, publicZonePolicy, type PeerAddress, type ZonePolicy } from '@veilnode/plugin-api';
import { parseBanList } from '../../src/net/ban-list';
import { PeerLayer } from '../../src/peer';
import { DEFAULT_FLOOD_BACKOFF, PeerGate } from '../../src/peer/peer-gate';
import { PEER_REQUEST_LIMITS } from '../../src/peer/peer-request-limits';
import { ZonePeerStore } from '../../src/peerstore';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { encodeInvokeMessage, genesisHash, Handshake, networkId, TimedSync } from '@veilnode/protocol';
import { duplexPair } from '../helpers/duplex-pair';
import { FakeLevinPeer } from '../helpers/fake-levin-peer';
import { ipv4Wire, testIpv4Codec } from '../helpers/test-codecs';

const ONION = 'a'.repeat(56) + '.onion';
const BANS = `# spies\n203.0.113.0/24\n198.51.100.7 # one host\n2001:db8::/32\n${ONION}\n`;
const at = (host: string, port = 18080, zone = 'clearnet'): PeerAddress => ({ zone, host, port });

describe('peer/PeerGate (ban list and flood back-off)', () => {
  it('refuses the banned hosts, subnets and hidden services, and nobody else', () => {
    const gate = new PeerGate(parseBanList(BANS, 'bans.txt'), new VirtualClock());
    for (const host of ['203.0.113.1', '203.0.113.254', '198.51.100.7', '2001:db8:ffff::1', '::ffff:203.0.113.9']) expect(gate.refusal(at(host)), host).to.equal('banned');
    expect(gate.refusal(at(ONION, 18083, 'tor'))).to.equal('banned');
    for (const host of ['203.0.114.1', '198.51.100.8', '2001:db9::1', '127.0.0.1', 'b'.repeat(56) + '.onion']) expect(gate.refusal(at(host)), host).to.equal(undefined);
  });

  it('backs a flooder off by host (an IPv6 /64) on every port, for the back-off time only', () => {
    const clock = new VirtualClock();
    const gate = PeerGate.open(clock);
    gate.backOff(at('192.0.2.5', 40000));
    gate.backOff(at('2001:db8:1:2::1', 40000));
    expect(gate.refusal(at('192.0.2.5', 18080))).to.equal('backedOff');
    expect(gate.refusal(at('2001:db8:1:2::ffff'))).to.equal('backedOff');
    expect(gate.refusal(at('192.0.2.6'))).to.equal(undefined);
    expect(gate.refusal(at('192.0.2.5', 18080, 'other-zone'))).to.equal(undefined);
    clock.advance(DEFAULT_FLOOD_BACKOFF.penaltyMs - 1);
    expect(gate.refusal(at('192.0.2.5'))).to.equal('backedOff');
    clock.advance(1);
    expect(gate.refusal(at('192.0.2.5'))).to.equal(undefined);
  });

  it('keeps banned peers out of the peer store: learnt lists and the saved file', async () => {
    const gate = new PeerGate(parseBanList(BANS, 'bans.txt'), new VirtualClock());
    const dir = mkdtempSync(join(tmpdir(), 'veilnode-gate-'));
    try {
      const file = join(dir, 'clearnet.json');
      const logger = new RecordingLogger();
      const open = new ZonePeerStore({ zone: 'clearnet', codec: testIpv4Codec, anonymity: false, logger, file });
      open.ingest([{ adr: ipv4Wire('203.0.113.5', 1), id: 1n }, { adr: ipv4Wire('192.0.2.1', 1), id: 2n }], 'handshake');
      await open.save();
      const store = new ZonePeerStore({ zone: 'clearnet', codec: testIpv4Codec, anonymity: false, logger, file, isBanned: (a) => gate.isBanned(a) });
      await store.load();
      expect(store.gray().map((e) => e.address.host)).to.deep.equal(['192.0.2.1']);
      const result = store.ingest(
        [{ adr: ipv4Wire('198.51.100.7', 1), id: 3n }, ...Array.from({ length: 200 }, (_, i) => ({ adr: ipv4Wire(`203.0.113.${i + 1}`, 1), id: 4n })), { adr: ipv4Wire('192.0.2.2', 1), id: 5n }],
        'timed_sync',
      );
      expect(result).to.deep.equal({ accepted: 1, dropped: 201 });
      expect(store.gray().map((e) => e.address.host).sort()).to.deep.equal(['192.0.2.1', '192.0.2.2']);
      // a list full of banned entries is not a warning per entry: the sender chooses how many it sends
      expect(logger.entries.filter((e) => e.level === 'warn')).to.have.length(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a peer flooding timed syncs through the peer layer', () => {
    const nodeData = { network_id: networkId('mainnet'), peer_id: 9n, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 0 };
    const genesis = { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('regtest'), top_version: 1, pruning_seed: 0 };

    async function flood(policy: ZonePolicy, remote: PeerAddress, direction: 'inbound' | 'outbound' = 'inbound') {
      const clock = new VirtualClock();
      const gate = PeerGate.open(clock);
      const layer = new PeerLayer({ network: 'regtest', logger: new RecordingLogger(), clock, gate });
      const [ours, theirs] = duplexPair();
      const peer = layer.attach({ zone: remote.zone, policy, codec: testIpv4Codec, connection: { stream: ours, direction, remote }, remote: undefined });
      const fake = new FakeLevinPeer(theirs);
      fake.send(encodeInvokeMessage(Handshake, { node_data: nodeData, payload_data: genesis }));
      await peer.ready;
      for (let i = 0; i <= PEER_REQUEST_LIMITS[1002].burst; i++) fake.send(encodeInvokeMessage(TimedSync, { payload_data: genesis }));
      const closed = await peer.closed;
      await new Promise((r) => setImmediate(r));
      return { closed, gate, layer };
    }

    it('drops a clearnet flooder and refuses its host, inbound and for dials, for the back-off time', async () => {
      const remote = at('192.0.2.9', 51234);
      const { closed, layer } = await flood(publicZonePolicy('clearnet'), remote);
      expect(closed.error?.code).to.equal('PEER_REQUEST_FLOOD');
      expect(layer.refusal('clearnet', at('192.0.2.9', 18080))).to.equal('backedOff');
      expect(layer.refusal('clearnet', at('192.0.2.10', 18080))).to.equal(undefined);
    });

    it("does not back off an anonymity zone's inbound remote (the local daemon every inbound peer arrives from)", async () => {
      const daemon = at('127.0.0.1', 40000, 'tor');
      const { closed, gate } = await flood(anonymityZonePolicy('tor'), daemon);
      expect(closed.error?.code).to.equal('PEER_REQUEST_FLOOD');
      expect(gate.refusal(daemon)).to.equal(undefined);
    });
  });
});
