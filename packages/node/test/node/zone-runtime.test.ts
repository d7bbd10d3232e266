import 'reflect-metadata';
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { container as rootContainer } from 'tsyringe';
import type { DialOptions, Listener, ListenOptions, PeerAddress, Transport, TransportCapabilities, TransportConnection, TransportStatus, ZoneConfig, ZonePolicy } from '@veilnode/plugin-api';
import { ZONE_CODEC, ZONE_CONFIG, ZONE_LOGGER, ZONE_POLICY, ZONE_TRANSPORT } from '../../src/di/tokens';
import type { ConnectionHandler, ZoneConnection } from '../../src/peer/connection-handler';
import { REFUSAL_LOG_INTERVAL_MS, ZoneRuntime } from '../../src/node/zone-runtime';
import { RecordingLogger, type LogEntry, testZoneConfig, VirtualClock } from '@veilnode/plugin-api/testing';
import { testOnionCodec } from '../helpers/test-codecs';

/** A transport double: records listen() calls, reports whatever health the test sets. */
class FakeTransport implements Transport {
  readonly name = 'fake-tor';
  readonly zone = 'tor';
  listens = 0;
  /** The bind each listen() call was given. */
  readonly binds: ListenOptions['bind'][] = [];
  current: TransportStatus = { healthy: true };
  onConnection: ((c: TransportConnection) => void) | undefined;

  constructor(readonly capabilities: TransportCapabilities) {}

  async stop(): Promise<void> {}
  readonly dialOptions: unknown[] = [];
  async dial(_address?: PeerAddress, options?: DialOptions): Promise<TransportConnection> {
    this.dialOptions.push(options?.freshIdentity);
    return { stream: new PassThrough(), direction: 'outbound' };
  }
  async listen(onConnection: (c: TransportConnection) => void, options: ListenOptions = {}): Promise<Listener> {
    this.listens++;
    this.binds.push(options.bind);
    this.onConnection = onConnection;
    return { addresses: ['ours.onion:18083'], close: async () => undefined };
  }
  status(): TransportStatus {
    return this.current;
  }
}

const ZONE = testZoneConfig({ name: 'tor', transport: 'fake-tor', maxOutbound: 8, maxInbound: 8, noise: true });

function runtimeFor(
  transport: Transport,
  zone: ZoneConfig,
  logger: RecordingLogger,
  pollMs = 5,
  clock?: VirtualClock,
  refusal?: ConnectionHandler['refusal'],
): { runtime: ZoneRuntime; handled: ZoneConnection[] } {
  const child = rootContainer.createChildContainer();
  child.register(ZONE_CONFIG, { useValue: zone });
  child.register(ZONE_TRANSPORT, { useValue: transport });
  child.register(ZONE_POLICY, { useValue: {} as ZonePolicy });
  child.register(ZONE_CODEC, { useValue: testOnionCodec });
  child.register(ZONE_LOGGER, { useValue: logger });
  const handled: ZoneConnection[] = [];
  const handler: ConnectionHandler = { handle: (c) => void handled.push(c), refusal };
  return { runtime: new ZoneRuntime(child, handler, pollMs, clock), handled };
}

/** An onion the test codec accepts (56 base32 characters). */
const ONION = testOnionCodec.parse(`${'a'.repeat(56)}.onion:18083`);

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('ZoneRuntime', () => {
  const running: ZoneRuntime[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
  });

  async function start(transport: Transport, zone: ZoneConfig, logger = new RecordingLogger(), clock?: VirtualClock): Promise<{ runtime: ZoneRuntime; handled: ZoneConnection[] }> {
    const made = runtimeFor(transport, zone, logger, 5, clock);
    running.push(made.runtime);
    await made.runtime.start(new AbortController().signal);
    return made;
  }

  it('dials a carrier with a fresh identity, outside maxOutbound, handed over marked as a carrier; refuses when the transport cannot give one', async () => {
    const transport = new FakeTransport({ dial: true, listen: false });
    const asked = transport.dialOptions;
    const { runtime, handled } = await start(transport, testZoneConfig({ ...ZONE, maxOutbound: 1 }));
    await runtime.dial(ONION);
    await runtime.dialCarrier(ONION, true);
    await runtime.dialCarrier(ONION, true);
    expect(asked).to.deep.equal([undefined, true, true]);
    expect(handled.map((c) => c.carrier === true)).to.deep.equal([false, true, true]);
    expect(runtime.connectionCounts).to.deep.equal({ in: 0, out: 3 });
    const refused = await runtime.dialCarrier(ONION, false).catch((e: Error) => e);
    expect(refused).to.have.property('code', 'ZONE_NO_CARRIERS');
    expect(asked, 'nothing dialled without a fresh identity').to.have.length(3);
  });

  it('listens without zones.<name>.inbound when the transport creates its own inbound (tor with tor.control)', async () => {
    const own = new FakeTransport({ dial: true, listen: true, ownInbound: true });
    const { runtime, handled } = await start(own, ZONE);
    expect(own.listens).to.equal(1);
    expect(runtime.addresses).to.deep.equal(['ours.onion:18083']);
    own.onConnection?.({ stream: new PassThrough(), direction: 'inbound' });
    expect(handled.map((c) => [c.zone, c.connection.direction])).to.deep.equal([['tor', 'inbound']]);
  });

  it('does not listen without inbound config when the transport has no inbound of its own', async () => {
    const plain = new FakeTransport({ dial: true, listen: true });
    const { runtime } = await start(plain, ZONE);
    expect(plain.listens).to.equal(0);
    expect(runtime.addresses).to.deep.equal([]);
    const configured = new FakeTransport({ dial: true, listen: true });
    await start(configured, { ...ZONE, inbound: { address: 'ours.onion:18083', bind: { host: '::1', port: 18083 }, max: 8 } });
    expect(configured.listens).to.equal(1);
    expect(configured.binds).to.deep.equal([{ host: '::1', port: 18083 }]);
  });

  it('reports the transport health and logs each loss (with its reason) and each recovery once', async () => {
    const transport = new FakeTransport({ dial: true, listen: false });
    const logger = new RecordingLogger();
    const { runtime } = await start(transport, ZONE, logger);
    expect(runtime.health()).to.deep.equal({ healthy: true });
    transport.current = { healthy: false, reason: 'SOCKS proxy 127.0.0.1:9050 unreachable (ECONNREFUSED)' };
    await tick(30);
    expect(runtime.health()).to.deep.equal(transport.current);
    transport.current = { healthy: true };
    await tick(30);
    const lines = logger.entries.filter((e) => /unhealthy|healthy again/.test(e.msg ?? ''));
    expect(lines.map((e) => [e.level, e.msg, (e.fields as { reason?: string }).reason])).to.deep.equal([
      ['warn', 'zone tor is unhealthy; its transport retries with back-off', 'SOCKS proxy 127.0.0.1:9050 unreachable (ECONNREFUSED)'],
      ['info', 'zone tor is healthy again', undefined],
    ]);
  });

  it('a transport without status() is healthy', async () => {
    const transport = new FakeTransport({ dial: true, listen: false });
    const bare: Transport = { name: transport.name, zone: transport.zone, capabilities: transport.capabilities, stop: () => transport.stop(), dial: () => transport.dial(), listen: (c) => transport.listen(c) };
    const { runtime } = await start(bare, ZONE);
    expect(runtime.health()).to.deep.equal({ healthy: true });
  });

  describe('inbound limits', () => {
    const LIMITED = testZoneConfig({ name: 'tor', transport: 'fake-tor', maxInbound: 4, maxConnectionsPerIp: 1, inbound: { address: 'ours.onion:18083', bind: { host: '127.0.0.1', port: 0 }, max: 4 } });
    const inbound = (host: string): TransportConnection & { stream: PassThrough } => ({ stream: new PassThrough(), direction: 'inbound', remote: { zone: 'tor', host, port: 1 } });

    it('lets one connection per IP in and destroys the others; a closed one frees its IP', async () => {
      const fake = new FakeTransport({ dial: true, listen: true });
      const { runtime, handled } = await start(fake, LIMITED);
      const flood = Array.from({ length: 50 }, () => inbound('attacker'));
      for (const c of flood) fake.onConnection?.(c);
      expect(handled).to.have.length(1);
      expect(flood.slice(1).every((c) => c.stream.destroyed)).to.equal(true);
      const other = inbound('honest');
      fake.onConnection?.(other);
      expect(handled).to.have.length(2);
      expect(runtime.connectionCounts.in).to.equal(2);
      flood[0].stream.destroy();
      await tick(1);
      expect(runtime.connectionCounts.in).to.equal(1);
      fake.onConnection?.(inbound('attacker'));
      expect(handled).to.have.length(3);
    });

    it("refuses a peer the handler refuses (ban list) before anything is read, and never dials it", async () => {
      const fake = new FakeTransport({ dial: true, listen: true });
      let dials = 0;
      fake.dial = async () => (dials++, { stream: new PassThrough(), direction: 'outbound' });
      const logger = new RecordingLogger();
      const clock = new VirtualClock();
      const made = runtimeFor(fake, LIMITED, logger, 5, clock, (_zone, remote) => (remote.host === 'a'.repeat(56) + '.onion' ? 'banned' : undefined));
      running.push(made.runtime);
      await made.runtime.start(new AbortController().signal);
      const banned = inbound('a'.repeat(56) + '.onion');
      fake.onConnection?.(banned);
      expect(banned.stream.destroyed).to.equal(true);
      expect(made.handled).to.have.length(0);
      expect(made.runtime.connectionCounts.in).to.equal(0);
      fake.onConnection?.(inbound('b'.repeat(56) + '.onion'));
      expect(made.handled).to.have.length(1);
      let error: unknown;
      await made.runtime.dial(testOnionCodec.parse('a'.repeat(56) + '.onion:18083')).catch((e: unknown) => (error = e));
      expect(error).to.have.property('code', 'PEER_REFUSED');
      expect(dials).to.equal(0);
      await made.runtime.dial(testOnionCodec.parse('b'.repeat(56) + '.onion:18083'));
      expect(dials).to.equal(1);
      clock.advance(REFUSAL_LOG_INTERVAL_MS);
      const line = logger.entries.find((e) => e.msg === 'inbound connections refused');
      expect(line?.fields).to.deep.include({ total: 1, byReason: { banned: 1 } });
      expect(JSON.stringify(logger.entries)).not.to.include('aaaa');
    });

    it('refuses beyond maxInbound whatever the IP', async () => {
      const fake = new FakeTransport({ dial: true, listen: true });
      const { handled } = await start(fake, LIMITED);
      for (let i = 0; i < 10; i++) fake.onConnection?.(inbound(`host-${i}`));
      expect(handled).to.have.length(4);
    });

    it('logs refusals as one summary line per interval with counts by reason and no addresses', async () => {
      const fake = new FakeTransport({ dial: true, listen: true });
      const logger = new RecordingLogger();
      const clock = new VirtualClock();
      await start(fake, LIMITED, logger, clock);
      for (let i = 0; i < 1000; i++) fake.onConnection?.(inbound(i < 500 ? 'attacker' : `host-${i}`));
      const refusalLines = (): LogEntry[] => logger.entries.filter((e) => e.msg === 'inbound connections refused');
      expect(refusalLines()).to.have.length(0);
      clock.advance(REFUSAL_LOG_INTERVAL_MS);
      expect(refusalLines()).to.have.length(1);
      expect(refusalLines()[0].fields).to.deep.include({ total: 996, byReason: { perIpLimit: 499, zoneFull: 497 }, maxInbound: 4, maxConnectionsPerIp: 1 });
      expect(JSON.stringify(logger.entries)).not.to.match(/attacker|host-/);
    });
  });
});
