import { expect } from 'chai';
import { ConfigError, DialError, type PeerAddress } from '@veilnode/plugin-api';
import { OutboundMaintainer, type OutboundMaintainerOptions, type OutboundSession } from '../../src/peer/outbound-maintainer';
import { ZonePeerStore } from '../../src/peerstore';
import { ipv4Wire, testIpv4Codec } from '../helpers/test-codecs';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

interface Dial {
  address: string;
  signal: AbortSignal;
  succeed(peerId?: bigint, rpcPort?: number): () => void;
  fail(): void;
}

function harness(
  zone: { peers?: string[]; exclusivePeers?: string[]; seeds?: string[]; maxOutbound?: number } = {},
  transportHealthy?: () => boolean,
  namedBackoffMaxMs?: number,
  random: () => number = () => 0,
  more: Partial<OutboundMaintainerOptions> = {},
) {
  let time = 0;
  const dials: Dial[] = [];
  const logger = new RecordingLogger();
  const store = new ZonePeerStore({ zone: 'clearnet', codec: testIpv4Codec, anonymity: false, logger, now: () => time });
  const maintainer = new OutboundMaintainer({
    zone: { name: 'clearnet', maxOutbound: zone.maxOutbound ?? 2, peers: zone.peers ?? [], exclusivePeers: zone.exclusivePeers ?? [], seeds: zone.seeds ?? [] },
    codec: testIpv4Codec,
    store,
    logger,
    now: () => time,
    random,
    backoffBaseMs: 1000,
    stableAfterMs: 10_000,
    backoffMaxMs: 4000,
    namedBackoffMaxMs,
    transportHealthy,
    connect: (address: PeerAddress, signal: AbortSignal) =>
      new Promise<OutboundSession>((resolve, reject) => {
        dials.push({
          address: testIpv4Codec.format(address),
          signal,
          succeed(peerId = 5n, rpcPort?: number) {
            let close!: () => void;
            resolve({ peerId, rpcPort, closed: new Promise<void>((r) => (close = r)) });
            return () => close();
          },
          fail: () => reject(new DialError('DIAL_REFUSED', 'refused')),
        });
      }),
    ...more,
  });
  return { maintainer, store, dials, logger, advance: (ms: number) => (time += ms) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('peer/OutboundMaintainer', () => {
  it('dials only exclusive peers when they are set', async () => {
    const h = harness({ exclusivePeers: ['10.0.1.1:1'], peers: ['10.0.2.1:1'], seeds: ['10.0.3.1:1'], maxOutbound: 8 });
    h.store.ingest([{ adr: ipv4Wire('10.0.4.1', 1), id: 1n }], 'test');
    h.maintainer.tick();
    expect(h.maintainer.target).to.equal(1);
    expect(h.dials.map((d) => d.address)).to.deep.equal(['10.0.1.1:1']);
  });

  it('stores the RPC port a peer’s handshake advertised with its white-list entry', async () => {
    const h = harness({ peers: ['10.0.0.2:1'], maxOutbound: 1 });
    h.maintainer.tick();
    h.dials[0].succeed(5n, 18089);
    await settle();
    expect(h.store.white().map((e) => [testIpv4Codec.format(e.address), e.rpcPort])).to.deep.equal([['10.0.0.2:1', 18089]]);
  });

  it('prefers configured peers, then stored peers, and uses seeds only while the store is empty', async () => {
    const h = harness({ peers: ['10.0.2.1:1'], seeds: ['10.0.3.1:1'], maxOutbound: 3 });
    h.maintainer.tick();
    expect(h.dials.map((d) => d.address)).to.deep.equal(['10.0.2.1:1', '10.0.3.1:1']);

    const g = harness({ seeds: ['10.0.3.1:1'], maxOutbound: 3 });
    g.store.ingest([{ adr: ipv4Wire('10.0.4.1', 1), id: 1n }], 'test');
    g.maintainer.tick();
    expect(g.dials.map((d) => d.address)).to.deep.equal(['10.0.4.1:1']);
  });

  it('says once that no peer is reachable when every seed failed, keeps retrying with back-off, and says it again only after a new outage', async () => {
    const h = harness({ seeds: ['10.0.3.1:1', '10.0.4.1:1'], maxOutbound: 2 });
    const unreachable = () => h.logger.entries.filter((e) => e.level === 'warn' && /^no clearnet peer is reachable/.test(e.msg ?? ''));
    h.maintainer.tick();
    h.dials[0].fail();
    await settle();
    expect(unreachable(), 'one seed is still being dialled').to.have.length(0);
    h.dials[1].fail();
    await settle();
    expect(unreachable()).to.have.length(1);
    expect(unreachable()[0].fields).to.deep.include({ peersTried: 2, nextRetryInMs: 1000 });
    for (let round = 0; round < 3; round++) {
      h.advance(8000);
      h.maintainer.tick();
      for (const dial of h.dials.slice(-2)) dial.fail();
      await settle();
    }
    expect(h.dials, 'still dialling the seeds after the warning').to.have.length(8);
    expect(unreachable(), 'told once per outage').to.have.length(1);
    h.advance(8000);
    h.maintainer.tick();
    const close = h.dials[h.dials.length - 2].succeed();
    h.dials[h.dials.length - 1].fail();
    await settle();
    close();
    await settle();
    for (let round = 0; round < 2; round++) {
      h.advance(8000);
      h.maintainer.tick();
      for (const dial of h.dials.slice(h.dials.length - (h.dials.length % 2 === 0 ? 2 : 1))) dial.fail();
      await settle();
    }
    expect(unreachable(), 'a new outage is told again').to.have.length(2);
  });

  it('keeps the configured number of outbound peers and refills when one closes', async () => {
    const h = harness({ maxOutbound: 2 });
    h.store.ingest(['10.0.1.1', '10.0.2.1', '10.0.3.1'].map((ip) => ({ adr: ipv4Wire(ip, 1), id: 1n })), 'test');
    h.maintainer.tick();
    expect(h.dials).to.have.length(2);
    const close = h.dials[0].succeed(42n);
    h.dials[1].succeed();
    await settle();
    h.maintainer.tick();
    expect(h.dials).to.have.length(2);
    expect(h.maintainer.connected()).to.have.length(2);
    expect(h.store.white().map((e) => e.peerId)).to.include(42n);
    h.advance(10_000); // a connection that lasted: no back-off
    close();
    await settle();
    expect(h.dials).to.have.length(3);
    // the closed peer is now on the white list, which is preferred over the gray one
    expect(h.dials[2].address).to.equal(h.dials[0].address);
    expect(h.dials[2].address).not.to.equal(h.dials[1].address);
  });

  it('does not blame a peer for dials that fail while the zone transport is unhealthy (Tor proxy down)', async () => {
    let healthy = true;
    const h = harness({ peers: ['10.0.1.1:1'], maxOutbound: 1 }, () => healthy);
    h.store.markConnected({ zone: 'clearnet', host: '10.0.1.1', port: 1 }, 5n);
    healthy = false;
    for (let i = 0; i < 4; i++) {
      h.maintainer.tick();
      h.dials[i].fail();
      await settle();
      h.advance(1000); // the base delay, never more
    }
    expect(h.dials).to.have.length(4);
    expect(h.store.white().map((e) => e.address.host)).to.deep.equal(['10.0.1.1']);
    healthy = true;
    h.maintainer.tick();
    expect(h.dials).to.have.length(5);
    h.dials[4].fail();
    await settle();
    // a failure with a healthy transport counts again: first step of the back-off, peer demoted
    h.advance(999);
    h.maintainer.tick();
    expect(h.dials).to.have.length(5);
    expect(h.store.white()).to.have.length(0);
  });

  it('backs off exponentially from a failing peer', async () => {
    const h = harness({ exclusivePeers: ['10.0.1.1:1'] });
    h.maintainer.tick();
    h.dials[0].fail();
    await settle();
    h.maintainer.tick();
    expect(h.dials).to.have.length(1);
    h.advance(999);
    h.maintainer.tick();
    expect(h.dials).to.have.length(1);
    h.advance(1);
    h.maintainer.tick();
    expect(h.dials).to.have.length(2);
    h.dials[1].fail();
    await settle();
    h.advance(1999);
    h.maintainer.tick();
    expect(h.dials).to.have.length(2);
    h.advance(1);
    h.maintainer.tick();
    expect(h.dials).to.have.length(3);
  });

  /** Fails each dial of `address` that `tick()` starts until `rounds` redials were seen; returns the delay before each redial. */
  async function failRepeatedly(h: ReturnType<typeof harness>, address: string, rounds: number, afterFailure = (): void => undefined): Promise<number[]> {
    const delays: number[] = [];
    let waited = 0;
    while (delays.length < rounds) {
      const before = h.dials.length;
      h.maintainer.tick();
      const dial = h.dials.slice(before).find((d) => d.address === address);
      if (dial) {
        if (h.dials.length > 1) delays.push(waited);
        waited = 0;
        dial.fail();
        await settle();
        afterFailure();
      }
      h.advance(100);
      waited += 100;
      if (waited > 60_000) throw new Error(`${address} was not redialled within 60 s`);
    }
    return delays;
  }

  it('caps the back-off of the peers the operator named far below that of store peers', async () => {
    const named = harness({ exclusivePeers: ['10.0.1.1:1'] }, undefined, 2000);
    expect(await failRepeatedly(named, '10.0.1.1:1', 5)).to.deep.equal([1000, 2000, 2000, 2000, 2000]);
    const stored = harness({ maxOutbound: 1 }, undefined, 2000);
    // a failed gray peer leaves the store; peer lists keep announcing it
    const announce = (): void => void stored.store.ingest([{ adr: ipv4Wire('10.0.4.1', 1), id: 1n }], 'test');
    announce();
    expect(await failRepeatedly(stored, '10.0.4.1:1', 5, announce)).to.deep.equal([1000, 2000, 4000, 4000, 4000]);
  });

  it('forgets every back-off when the zone transport comes back, and redials at once', async () => {
    let healthy = true;
    const h = harness({ exclusivePeers: ['10.0.1.1:1'] }, () => healthy);
    // failures while the transport looked healthy (Tor's SOCKS port up, its circuits not yet): 1, 2, 4 s
    await failRepeatedly(h, '10.0.1.1:1', 3);
    h.advance(1000); // the 4 s back-off runs, the 1 s dial floor has passed
    h.maintainer.tick();
    const dialled = h.dials.length;
    healthy = false;
    h.maintainer.tick();
    healthy = true;
    h.maintainer.tick();
    expect(h.dials).to.have.length(dialled + 1);
    expect(h.logger.entries.some((e) => e.msg === 'zone transport is back: every peer is retried now')).to.equal(true);
  });

  /** Lets every dial of `address` handshake and hang up `livedMs` later, for `forMs` of fake time; returns the dial times. */
  async function hangUpRepeatedly(h: ReturnType<typeof harness>, address: string, forMs: number, livedMs: number, everyTick = (): void => undefined): Promise<number[]> {
    const dialTimes: number[] = [];
    for (let t = 0; t < forMs; t += 10) {
      everyTick();
      const before = h.dials.length;
      h.maintainer.tick();
      const dial = h.dials.slice(before).find((d) => d.address === address);
      if (dial) {
        dialTimes.push(t);
        const close = dial.succeed();
        await settle();
        h.advance(livedMs);
        t += livedMs;
        close();
        await settle(); // the close itself ticks: a redial now would be counted by the next slice
        const again = h.dials.slice(before + 1).filter((d) => d.address === address);
        for (const d of again) {
          dialTimes.push(t);
          d.fail();
        }
        await settle();
      }
      h.advance(10);
    }
    return dialTimes;
  }

  it('backs off from a peer that hangs up right after the handshake, and dials it at most once a second', async () => {
    const h = harness({ exclusivePeers: ['10.0.1.1:1'] }, undefined, 8000);
    const times = await hangUpRepeatedly(h, '10.0.1.1:1', 20_000, 5);
    // before: a redial on every close (740 in 20 s against a real peer); now 1, 2, 4, 8, 8 s apart
    expect(times.length).to.be.within(4, 6);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).to.be.at.least(1000);
    expect(gaps.slice(0, 4)).to.deep.equal([1005, 2005, 4005, 8005]); // each step after a 5 ms connection
  });

  it('keeps the one-dial-per-second floor while the transport flaps between unhealthy and healthy', async () => {
    let healthy = true;
    const h = harness({ exclusivePeers: ['10.0.1.1:1'] }, () => healthy, 8000);
    let flips = 0;
    // every flip back to healthy forgets the failures, never the floor
    const times = await hangUpRepeatedly(h, '10.0.1.1:1', 10_000, 5, () => {
      healthy = flips++ % 2 === 0 ? false : true;
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(times.length).to.be.at.least(5);
    expect(Math.min(...gaps)).to.be.at.least(1000);
  });

  it('resets the back-off only after a connection that lasted', async () => {
    const h = harness({ exclusivePeers: ['10.0.1.1:1'] }, undefined, 8000);
    await failRepeatedly(h, '10.0.1.1:1', 3); // back-off now 4 s
    h.advance(10_000);
    h.maintainer.tick();
    const close = h.dials[h.dials.length - 1].succeed();
    await settle();
    h.advance(9_999); // not long enough: the failure count still grows (8 s)
    close();
    await settle();
    h.advance(7_999);
    h.maintainer.tick();
    const dialled = h.dials.length;
    h.advance(1);
    h.maintainer.tick();
    expect(h.dials).to.have.length(dialled + 1);
    const closeStable = h.dials[dialled].succeed();
    await settle();
    h.advance(10_000);
    closeStable();
    await settle(); // a stable connection: redialled at once
    expect(h.dials).to.have.length(dialled + 2);
  });

  it('jitters each back-off step down to no less than half of it', async () => {
    const late = harness({ exclusivePeers: ['10.0.1.1:1'] }, undefined, 8000, () => 0.999);
    const delays = await failRepeatedly(late, '10.0.1.1:1', 4);
    expect(delays).to.deep.equal([1000, 1100, 2100, 4100]); // steps 1, 2, 4, 8 s × ~0.5, floor 1 s, 100 ms grain
  });

  it('logs no peer address on an anonymity zone', async () => {
    const logger = new RecordingLogger();
    const store = new ZonePeerStore({ zone: 'clearnet', codec: testIpv4Codec, anonymity: true, logger });
    const maintainer = new OutboundMaintainer({
      zone: { name: 'clearnet', maxOutbound: 1, peers: [], exclusivePeers: ['10.7.7.7:1'], seeds: [] },
      codec: testIpv4Codec,
      store,
      logger,
      anonymity: true,
      connect: async () => {
        throw new DialError('DIAL_REFUSED', 'refused');
      },
    });
    maintainer.tick();
    await settle();
    expect(logger.entries.some((e) => e.msg === 'outbound peer failed')).to.equal(true);
    expect(JSON.stringify(logger.entries)).not.to.include('10.7.7.7');
  });

  it('aborts pending dials on stop and records connected peers as anchors', async () => {
    const h = harness({ exclusivePeers: ['10.0.1.1:1', '10.0.2.1:1'] });
    h.maintainer.tick();
    h.dials[0].succeed();
    await settle();
    h.maintainer.stop();
    expect(h.dials[1].signal.aborted).to.equal(true);
    expect(h.store.anchors().map((e) => e.address.host)).to.deep.equal(['10.0.1.1']);
  });

  it('dials one peer beyond the target on request (rotation)', async () => {
    const h = harness({ maxOutbound: 1 });
    h.store.ingest(['10.0.1.1', '10.0.2.1'].map((ip) => ({ adr: ipv4Wire(ip, 1), id: 1n })), 'test');
    h.maintainer.tick();
    expect(h.dials).to.have.length(1);
    h.dials[0].succeed();
    await settle();
    expect(h.maintainer.dialExtra()).to.equal(true);
    expect(h.dials).to.have.length(2);
    expect(h.dials[1].address).not.to.equal(h.dials[0].address);
    expect(h.maintainer.dialExtra()).to.equal(false); // nobody left to dial
  });

  describe('subnet diversity and refused peers', () => {
    const many = (prefix: string, n: number, id = 1n) => Array.from({ length: n }, (_, i) => ({ adr: ipv4Wire(`${prefix}.${i + 1}`, 18080), id }));
    let seed = 1;
    // a reproducible uniform source (the harness' default always draws 0)
    const uniform = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };

    it('dials at most one store peer per /24, even when a spy fills the store with one subnet', () => {
      const h = harness({ maxOutbound: 12 }, undefined, undefined, uniform);
      h.store.ingest([...many('198.51.100', 200), ...many('203.0.113', 3), { adr: ipv4Wire('192.0.2.7', 18080), id: 1n }], 'test');
      h.maintainer.tick();
      const subnets = h.dials.map((d) => d.address.split('.').slice(0, 3).join('.'));
      expect(subnets.sort()).to.deep.equal(['192.0.2', '198.51.100', '203.0.113']);
    });

    it('counts an outbound peer still being dialled as occupying its subnet', () => {
      const h = harness({ maxOutbound: 12 }, undefined, undefined, uniform);
      h.store.ingest(many('198.51.100', 5), 'test');
      h.maintainer.tick();
      expect(h.dials).to.have.length(1);
      h.maintainer.tick();
      expect(h.maintainer.dialExtra()).to.equal(false);
      expect(h.dials).to.have.length(1);
    });

    it('draws the peer standing for a crowded subnet uniformly', () => {
      const counts = new Map<string, number>();
      for (let run = 0; run < 400; run++) {
        const h = harness({ maxOutbound: 1 }, undefined, undefined, uniform);
        h.store.ingest([...many('198.51.100', 4), { adr: ipv4Wire('203.0.113.1', 18080), id: 1n }], 'test');
        h.maintainer.tick();
        const subnet = h.dials[0].address.startsWith('203.') ? 'honest' : 'spy';
        counts.set(subnet, (counts.get(subnet) ?? 0) + 1);
      }
      // one subnet each: 200 of 400 expected (sd 10); four spy addresses would have made it 320
      expect(counts.get('spy')).to.be.within(160, 240);
    });

    it("dials the operator's peers as named, but lets them occupy their subnet", () => {
      const h = harness({ peers: ['10.0.1.1:1', '10.0.1.2:1'], maxOutbound: 4 }, undefined, undefined, uniform);
      h.store.ingest([{ adr: ipv4Wire('10.0.1.9', 1), id: 1n }, { adr: ipv4Wire('10.0.2.9', 1), id: 1n }], 'test');
      h.maintainer.tick();
      expect(h.dials.map((d) => d.address)).to.deep.equal(['10.0.1.1:1', '10.0.1.2:1', '10.0.2.9:1']);
    });

    it('lets loopback peers through (a local test network): one per address and port', () => {
      // the store keeps loopback entries only in loopback tests; the operator's list is where they come from
      const m = harness({ peers: ['127.0.0.1:1', '127.0.0.1:2'], seeds: ['127.0.0.1:3'], maxOutbound: 4 }, undefined, undefined, uniform);
      m.maintainer.tick();
      expect(m.dials.map((d) => d.address).sort()).to.deep.equal(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
    });

    it('never dials a refused peer, named, stored or seed', () => {
      const refused = new Set(['10.0.1.1', '10.0.3.1', '10.0.4.1']);
      const h = harness({ peers: ['10.0.1.1:1'], seeds: ['10.0.3.1:1'], maxOutbound: 4 }, undefined, undefined, uniform, { refused: (a) => refused.has(a.host) });
      h.maintainer.tick();
      expect(h.dials).to.have.length(0);
      h.store.ingest([{ adr: ipv4Wire('10.0.4.1', 1), id: 1n }, { adr: ipv4Wire('10.0.5.1', 1), id: 1n }], 'test');
      h.maintainer.tick();
      expect(h.dials.map((d) => d.address)).to.deep.equal(['10.0.5.1:1']);
      const x = harness({ exclusivePeers: ['10.0.1.1:1'] }, undefined, undefined, uniform, { refused: (a) => refused.has(a.host) });
      x.maintainer.tick();
      expect(x.dials).to.have.length(0);
    });
  });

  it('rejects a bad configured address with a ConfigError naming the key', () => {
    expect(() => harness({ peers: ['nonsense'] })).to.throw(ConfigError, /zones\.clearnet\.peers/);
  });
});
