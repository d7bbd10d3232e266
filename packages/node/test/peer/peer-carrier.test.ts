import { expect } from 'chai';
import type { PeerAddress } from '@veilnode/plugin-api';
import type { ZonePeerStore } from '../../src/peerstore/zone-peer-store';
import { PeerCarrier } from '../../src/peer/peer-carrier';
import { PeerCarrierOpener, type CarrierZone } from '../../src/peer/peer-carrier-opener';
import { opaquePeerKey } from '../../src/peer/connection-close';
import type { PeerConnection } from '../../src/peer/peer-connection';
import type { PeerLayer } from '../../src/peer/peer-layer';
import { anonymityZone, type CarrierClose } from '../../src/relay/carrier-port';
import { SeededRng } from '../../src/time';
import { VirtualClock } from '@veilnode/plugin-api/testing';
import { fakeSlotBuilder } from '../relay/engine-harness';

const TOR = anonymityZone({ name: 'tor', anonymity: true });

/** A handshaken connection that records what goes out; `end()` is the peer closing it. */
function fakePeer(id = 'tor-7') {
  let end!: (v: { reason: string }) => void;
  const frames: { at: number; frame: Uint8Array }[] = [];
  const txs: { blobs: readonly Uint8Array[]; fluff: boolean }[] = [];
  let open = true;
  const clock = new VirtualClock(0);
  const peer = {
    id,
    zone: 'tor',
    closed: new Promise<{ reason: string }>((resolve) => (end = resolve)),
    sendFrame: (frame: Uint8Array) => open && frames.push({ at: clock.now(), frame }) > 0,
    sendTransactions: (blobs: readonly Uint8Array[], options: { fluff: boolean }) => open && txs.push({ blobs, fluff: options.fluff }) > 0,
    close: () => {
      open = false;
      end({ reason: 'closed' });
    },
  };
  /** The connection ends with PeerConnection's close `reason` ('remote closed': the peer did it). */
  const endWith = (reason: string) => {
    open = false;
    end({ reason });
  };
  return { peer: peer as unknown as PeerConnection, frames, txs, clock, end: () => peer.close(), endWith };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('PeerCarrier: one local tx on a connection of its own that looks like any other', () => {
  it('with noise: one 3072-byte frame per 10–15 s tick, dummies before and after, the tx in the slot nextSendAt named', () => {
    const { peer, frames, txs, clock } = fakePeer();
    let counted = 0;
    const carrier = new PeerCarrier(peer, TOR, { builder: fakeSlotBuilder, clock, rng: new SeededRng(3), timing: { tickMinMs: 10_000, tickRangeMs: 5_000 }, sent: (bytes) => (counted += bytes) });
    clock.advance(60_000);
    const slot = carrier.nextSendAt() as number;
    expect(slot).to.be.within(clock.now(), clock.now() + 15_000);
    expect(carrier.send({ id: 'a', blob: new Uint8Array(100).fill(7) })).to.equal(true);
    expect(carrier.send({ id: 'b', blob: new Uint8Array(100) }), 'one tx per carrier').to.equal(false);
    clock.advance(120_000);
    expect(txs, 'never a plain 2002 on a noise zone').to.deep.equal([]);
    expect(frames.every((f) => f.frame.length === 3072)).to.equal(true);
    const gaps = frames.slice(1).map((f, i) => f.at - frames[i].at);
    for (const gap of gaps) expect(gap).to.be.within(10_000, 15_000);
    const real = frames.filter((f) => f.frame[0] === 0xaa);
    expect(real.map((f) => f.at)).to.deep.equal([slot]);
    expect(frames.some((f) => f.at < slot) && frames.some((f) => f.at > slot)).to.equal(true);
    expect(counted, 'every frame counted for the noise metric').to.equal(frames.length * 3072);
  });

  it('without noise: the tx goes at once as a stem 2002', () => {
    const { peer, txs } = fakePeer();
    const carrier = new PeerCarrier(peer, TOR);
    expect(carrier.nextSendAt()).to.equal(undefined);
    expect(carrier.send({ id: 'a', blob: new Uint8Array([1, 2]) })).to.equal(true);
    expect(txs).to.deep.equal([{ blobs: [new Uint8Array([1, 2])], fluff: false }]);
  });

  it('tells its pool once when the peer closes it, stops its frames and refuses a send; retire closes the connection', async () => {
    const { peer, frames, clock, end } = fakePeer();
    const carrier = new PeerCarrier(peer, TOR, { builder: fakeSlotBuilder, clock, rng: new SeededRng(3), timing: { tickMinMs: 10_000, tickRangeMs: 5_000 } });
    let closes = 0;
    carrier.onClosed(() => closes++);
    clock.advance(30_000);
    end();
    await settle();
    const sent = frames.length;
    clock.advance(60_000);
    expect(frames.length).to.equal(sent);
    expect(closes).to.equal(1);
    expect(carrier.send({ id: 'a', blob: new Uint8Array(1) })).to.equal(false);
    carrier.retire();
    expect(closes).to.equal(1);
  });
});

describe('PeerCarrier: how it closed, for the rejection rule', () => {
  const noise = (clock: VirtualClock) => ({ builder: fakeSlotBuilder, clock, rng: new SeededRng(3), timing: { tickMinMs: 10_000, tickRangeMs: 5_000 } });
  const closeOf = (carrier: PeerCarrier) => {
    const closes: CarrierClose[] = [];
    carrier.onClosed((c) => closes.push(c));
    return closes;
  };

  it('the peer closing after its tx went out: by the peer, its opaque key, when the last slot of the tx was written', async () => {
    const { peer, frames, clock, endWith } = fakePeer();
    const carrier = new PeerCarrier(peer, TOR, noise(clock), { key: 'k1', knownPeers: 3, clock });
    const closes = closeOf(carrier);
    carrier.send({ id: 'a', blob: new Uint8Array(100).fill(7) });
    clock.advance(30_000);
    const txFrameAt = frames.find((f) => f.frame[0] === 0xaa)?.at;
    expect(txFrameAt).to.be.a('number');
    endWith('remote closed');
    await settle();
    expect(closes).to.deep.equal([{ byPeer: true, peer: 'k1', txSentAt: txFrameAt, knownPeers: 3 }]);
  });

  it('without noise the send time is stamped at once; a close before the tx was written names no send', async () => {
    const a = fakePeer();
    const clock = new VirtualClock(500);
    const plain = new PeerCarrier(a.peer, TOR, undefined, { key: 'k', knownPeers: 1, clock });
    const plainCloses = closeOf(plain);
    plain.send({ id: 'a', blob: new Uint8Array([1]) });
    a.endWith('stream error');
    const b = fakePeer();
    const early = new PeerCarrier(b.peer, TOR, noise(b.clock), { key: 'k', knownPeers: 1, clock: b.clock });
    const earlyCloses = closeOf(early);
    early.send({ id: 'b', blob: new Uint8Array([2]) });
    b.endWith('remote closed'); // before its slot came
    await settle();
    expect(plainCloses).to.deep.equal([{ byPeer: true, peer: 'k', txSentAt: 500, knownPeers: 1 }]);
    expect(earlyCloses[0]).to.deep.include({ byPeer: true, txSentAt: undefined });
  });

  it('closes we caused are not the peer’s: retire, a timeout, shutdown', async () => {
    for (const reason of ['carrier retired', 'idle timeout', 'shutdown']) {
      const { peer, clock, endWith } = fakePeer();
      const carrier = new PeerCarrier(peer, TOR, undefined, { key: 'k', knownPeers: 5, clock });
      const closes = closeOf(carrier);
      carrier.send({ id: 'a', blob: new Uint8Array([1]) });
      if (reason === 'carrier retired') carrier.retire();
      else endWith(reason);
      await settle();
      expect(closes.map((c) => c.byPeer), reason).to.deep.equal([false]);
    }
  });
});

describe('PeerCarrierOpener: whom a carrier goes to', () => {
  const addr = (n: number): PeerAddress => ({ zone: 'tor', host: `peer${n}.onion`, port: 18083 });
  const codec = { parse: (t: string) => ({ zone: 'tor', host: t.split(':')[0], port: Number(t.split(':')[1]) }), format: (a: PeerAddress) => `${a.host}:${a.port}` };
  const entries = (ns: number[]) => ns.map((n) => ({ address: addr(n) }));
  const store = (white: number[], gray: number[] = []) => ({ anchors: () => [], white: () => entries(white), gray: () => entries(gray) }) as unknown as ZonePeerStore;

  function opener(zone: CarrierZone | undefined, connected: string[] = []) {
    const dialled: string[] = [];
    const layer = {
      remotes: () => new Set(connected),
      connectCarrier: async (address: PeerAddress) => {
        dialled.push(codec.format(address));
        return fakePeer(`c${dialled.length}`).peer;
      },
    } as unknown as PeerLayer;
    return { opener: new PeerCarrierOpener({ layer, zone: () => zone, dial: () => Promise.reject(new Error('not dialled: the fake layer opens carriers')), rng: new SeededRng(5) }), dialled };
  }
  const zone = (s: ZonePeerStore, exclusivePeers: string[] = []): CarrierZone => ({ config: { name: 'tor', peers: [], exclusivePeers }, codec: codec as never, store: s });

  it('draws uniformly among the known peers no connection reaches', async () => {
    const { opener: o, dialled } = opener(zone(store([1, 2, 3], [4])), ['peer1.onion:18083', 'peer4.onion:18083']);
    for (let i = 0; i < 200; i++) await o.open(TOR);
    const counts = new Map<string, number>();
    for (const d of dialled) counts.set(d, (counts.get(d) ?? 0) + 1);
    expect([...counts.keys()].sort()).to.deep.equal(['peer2.onion:18083', 'peer3.onion:18083']);
    for (const c of counts.values()) expect(c).to.be.within(70, 130);
  });

  it('among all known peers when every one is connected (one exclusive peer), and never outside the exclusive peers', async () => {
    const { opener: o, dialled } = opener(zone(store([1, 2]), ['peer9.onion:18083']), ['peer9.onion:18083']);
    await o.open(TOR);
    expect(dialled).to.deep.equal(['peer9.onion:18083']);
  });

  it('its carriers close naming the drawn peer by the peer layer’s opaque key and the count of known peers', async () => {
    const { opener: o, dialled } = opener(zone(store([1, 2, 3], [3, 4])));
    const carrier = await o.open(TOR);
    const closes: CarrierClose[] = [];
    carrier.onClosed((c) => closes.push(c));
    carrier.retire();
    const drawn = codec.parse(dialled[0]);
    expect(closes).to.deep.equal([{ byPeer: false, peer: opaquePeerKey(drawn), txSentAt: undefined, knownPeers: 4 }]);
    expect(closes[0].peer).to.match(/^[0-9a-f]{16}$/);
  });

  it('fails typed when no peer is known or the zone is not running', async () => {
    const none = await opener(zone(store([]))).opener.open(TOR).catch((e: Error) => e);
    expect(none).to.have.property('code', 'NO_CARRIER_PEER');
    const down = await opener(undefined).opener.open(TOR).catch((e: Error) => e);
    expect(down).to.have.property('code', 'ZONE_NOT_RUNNING');
  });
});
