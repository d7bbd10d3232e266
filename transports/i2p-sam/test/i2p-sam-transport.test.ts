import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DialError, TransportUnavailableError, type TransportConnection } from '@veilnode/plugin-api';
import { i2pZone } from '@veilnode/i2p-zone';
import { DEFAULT_SAM_CONFIG, DestinationKeys, DivaSamClient, I2pSamTransport, PRIVATE_KEY_FILE, SESSION_STATE_FILE, type SamTransportConfig } from '../src';
import { FakeSamBridge } from './fake-sam-bridge';
import { RecordingLogger, readExactly, transportCompliance } from '@veilnode/compliance';
import { rejectionOf, until } from './helpers';

const PEER = i2pZone.codec.parse('ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p');

describe('I2pSamTransport against a fake SAM bridge', () => {
  let bridge: FakeSamBridge;
  let dataDir: string;
  const transports: I2pSamTransport[] = [];
  const logger = new RecordingLogger();

  const make = (overrides: Partial<SamTransportConfig> = {}, port = bridge.port) => {
    const config = { ...DEFAULT_SAM_CONFIG, sam: { host: '127.0.0.1', port }, sessionTimeoutMs: 5000, dialTimeoutMs: 5000, ...overrides };
    const t = new I2pSamTransport({ config, client: new DivaSamClient(config.sam, logger, 20), dataDir, logger, sameKeysCooldownMs: 300 });
    transports.push(t);
    return t;
  };
  /** listen() resolves before the session exists; inbound needs the session up. */
  const listening = async (t: I2pSamTransport, onConnection: (c: TransportConnection) => void = () => undefined) => {
    const listener = await t.listen(onConnection);
    await until(() => t.status().healthy);
    return listener;
  };
  const sessionCreates = () => bridge.commands.filter((c) => c.startsWith('SESSION CREATE'));
  const idOf = (line: string) => /ID=(\S+)/.exec(line)?.[1] ?? '';
  const keyOf = (line: string) => /DESTINATION=(\S+)/.exec(line)?.[1] ?? '';

  beforeEach(async () => {
    bridge = new FakeSamBridge();
    await bridge.listen();
    dataDir = await mkdtemp(join(tmpdir(), 'veilnode-i2p-sam-'));
  });
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.stop();
    await bridge.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on a persistent destination whose key file (0600) survives restarts', async () => {
    const first = await listening(make());
    const file = join(dataDir, PRIVATE_KEY_FILE);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    const keys = DestinationKeys.fromPrivate(await readFile(file, 'utf8'));
    expect(first.addresses).to.deep.equal([keys.b32]);
    expect(keyOf(sessionCreates()[0])).to.equal(keys.revealPrivate());
    await transports[0].stop();
    const second = await listening(make());
    expect(second.addresses).to.deep.equal(first.addresses);
  });

  it('re-creates the session on the same keys only after the cooldown, also across a restart or a crash', async () => {
    await listening(make());
    await transports[0].stop();
    const creates = sessionCreates().length;
    const restarted = make();
    await restarted.listen(() => undefined);
    expect(sessionCreates(), 'no SESSION CREATE while i2pd may still hold the old destination').to.have.length(creates);
    expect(restarted.status().healthy).to.equal(false);
    await until(() => restarted.status().healthy);
    expect(sessionCreates()).to.have.length(creates + 1);
    // a process that died with its session up left the state file saying so: the full cooldown applies
    expect(JSON.parse(await readFile(join(dataDir, SESSION_STATE_FILE), 'utf8'))).to.deep.equal({ state: 'up' });
    const afterCrash = make();
    await afterCrash.listen(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(sessionCreates()).to.have.length(creates + 1);
    await until(() => afterCrash.status().healthy);
  });

  it('consumes the destination line of a forwarded stream and reports the peer as remote', async () => {
    const accepted: TransportConnection[] = [];
    await listening(make(), (c) => accepted.push(c));
    const peer = DestinationKeys.generate();
    const router = bridge.forwardInbound(idOf(sessionCreates()[0]), Buffer.from(`${peer.publicDestination} FROM_PORT=0 TO_PORT=0\nfirst bytes`));
    await until(() => accepted.length === 1);
    expect(accepted[0].direction).to.equal('inbound');
    expect(accepted[0].remote).to.deep.equal({ zone: 'i2p', host: peer.b32, port: 1 });
    expect((await readExactly(accepted[0].stream, 11, 5000)).toString()).to.equal('first bytes');
    accepted[0].stream.write('reply');
    expect((await readExactly(router, 5, 5000)).toString()).to.equal('reply');
    router.destroy();
  });

  it('drops forwarded streams that do not start with a destination', async () => {
    const accepted: TransportConnection[] = [];
    await listening(make(), (c) => accepted.push(c));
    const router = bridge.forwardInbound(idOf(sessionCreates()[0]), Buffer.from('not-a-destination\n'));
    await new Promise((resolve) => router.once('close', resolve));
    expect(accepted).to.deep.equal([]);
  });

  it('goes unhealthy when the bridge drops the session and re-creates it with the same keys', async () => {
    const t = make();
    await listening(t);
    bridge.dropAll();
    await until(() => !t.status().healthy, 1000);
    expect(t.status().reason).to.match(/SAM session down/);
    await until(() => t.status().healthy, 5000);
    const creates = sessionCreates();
    expect(creates).to.have.length(2);
    expect(keyOf(creates[1])).to.equal(keyOf(creates[0]));
    expect(idOf(creates[1])).to.not.equal(idOf(creates[0]));
  });

  it('dials every outbound connection from a new transient destination by default', async () => {
    const t = make();
    for (let i = 0; i < 2; i++) {
      const c = await t.dial(PEER);
      expect(c.direction).to.equal('outbound');
      expect(c.remote).to.deep.equal(PEER);
      c.stream.destroy();
    }
    const creates = sessionCreates();
    expect(creates).to.have.length(2);
    expect(keyOf(creates[0])).to.not.equal(keyOf(creates[1]));
    expect(creates[0]).to.include('inbound.quantity=1');
  });

  it('dials from the persistent session when outbound is "persistent"', async () => {
    const t = make({ outbound: 'persistent' });
    const c = await t.dial(PEER);
    c.stream.write('abc');
    expect((await readExactly(c.stream, 3, 5000)).toString()).to.equal('abc');
    const creates = sessionCreates();
    expect(creates).to.have.length(1);
    expect(creates[0]).to.include('inbound.quantity=3');
    expect(bridge.commands.find((l) => l.startsWith('STREAM CONNECT'))).to.include(`ID=${idOf(creates[0])}`);
    const keys = DestinationKeys.fromPrivate(await readFile(join(dataDir, PRIVATE_KEY_FILE), 'utf8'));
    expect(keyOf(creates[0])).to.equal(keys.revealPrivate());
  });

  const streamConnects = () => bridge.commands.filter((c) => c.startsWith('STREAM CONNECT')).map(idOf);

  for (const outbound of ['transient', 'persistent'] as const) {
    it(`gives every fresh-identity dial a new session and destination that dies with its stream (outbound: ${outbound})`, async () => {
      const t = make({ outbound });
      await listening(t);
      const [persistent] = sessionCreates();
      for (let i = 0; i < 3; i++) (await t.dial(PEER, { freshIdentity: true })).stream.destroy();
      const fresh = sessionCreates().slice(1);
      expect(fresh).to.have.length(3);
      expect(new Set(fresh.map(idOf)).size).to.equal(3);
      expect(new Set([persistent, ...fresh].map(keyOf)).size, 'no destination twice, never the persistent one').to.equal(4);
      for (const line of fresh) expect(line).to.include('inbound.quantity=1');
      expect(streamConnects(), 'one stream per fresh session, none on the persistent session').to.deep.equal(fresh.map(idOf));
      // nothing pooled: each session closes after its stream, so it can never carry another
      await until(() => fresh.every((line) => bridge.closes.includes(`session ${idOf(line)}`)));
    });
  }

  const freshFailures: Array<[string, FakeSamBridge['script'], string]> = [
    ['SESSION CREATE refused', { sessionCreate: 'SESSION STATUS RESULT=I2P_ERROR MESSAGE="tunnels"' }, 'SAM_I2P_ERROR'],
    ['bridge closes during SESSION CREATE', { sessionCreate: (socket) => socket.destroy() }, 'SAM_BRIDGE_CLOSED'],
    ['no answer to SESSION CREATE', { sessionCreate: () => undefined }, 'TIMEOUT'],
    ['peer unreachable', { streamConnect: 'STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE="no lease set"' }, 'SAM_CANT_REACH_PEER'],
  ];
  for (const [what, script, code] of freshFailures) {
    it(`a fresh-identity dial that fails (${what}) rejects and never falls back to the ready persistent session`, async () => {
      const t = make({ outbound: 'persistent', dialTimeoutMs: 500 });
      await listening(t);
      const persistentId = idOf(sessionCreates()[0]);
      bridge.script = script;
      expect(await rejectionOf(t.dial(PEER, { freshIdentity: true }))).to.have.property('code', code);
      expect(streamConnects()).to.not.include(persistentId);
      // the fallback was there to take: an ordinary dial uses the persistent session at once
      bridge.script = {};
      (await t.dial(PEER)).stream.destroy();
      expect(streamConnects().at(-1)).to.equal(persistentId);
    });
  }

  it('rejects other zones and dials after stop with typed errors', async () => {
    const t = make();
    expect(await rejectionOf(t.dial({ zone: 'tor', host: 'x.onion', port: 1 }))).to.be.instanceOf(DialError).with.property('code', 'ZONE_MISMATCH');
    expect(await rejectionOf(t.dial({ zone: 'i2p', host: 'short.b32.i2p', port: 1 }))).to.be.instanceOf(DialError).with.property('code', 'ADDRESS_INVALID');
    expect(bridge.commands).to.deep.equal([]);
    await t.stop();
    expect(await rejectionOf(t.dial(PEER))).to.be.instanceOf(TransportUnavailableError);
  });

  it('listens at once while the bridge is down, says why it cannot accept yet, and accepts once the bridge is up', async () => {
    const port = bridge.port;
    await bridge.close();
    const accepted: TransportConnection[] = [];
    const t = make({}, port);
    const started = Date.now();
    const listener = await t.listen((c) => accepted.push(c));
    expect(Date.now() - started, 'listen() does not wait for the bridge').to.be.below(1500);
    const keys = DestinationKeys.fromPrivate(await readFile(join(dataDir, PRIVATE_KEY_FILE), 'utf8'));
    expect(listener.addresses).to.deep.equal([keys.b32]);
    await until(() => /unreachable/.test(t.status().reason ?? ''), 3000);
    expect(t.status()).to.deep.include({ healthy: false });
    expect(t.status().reason).to.include(`127.0.0.1:${port}`);

    bridge = new FakeSamBridge();
    await bridge.listen(port);
    await until(() => t.status().healthy, 5000);
    bridge.forwardInbound(idOf(sessionCreates()[0]), Buffer.from(`${DestinationKeys.generate().publicDestination}\n`));
    await until(() => accepted.length === 1);
  });

  it('stop() closes inbound streams', async () => {
    const accepted: TransportConnection[] = [];
    const t = make();
    await listening(t, (c) => accepted.push(c));
    bridge.forwardInbound(idOf(sessionCreates()[0]), Buffer.from(`${DestinationKeys.generate().publicDestination}\n`));
    await until(() => accepted.length === 1);
    await t.stop();
    expect(accepted[0].stream.destroyed).to.equal(true);
  });
});

describe('I2pSamTransport compliance against a routing fake SAM bridge', () => {
  const UNRESPONSIVE = `${'c'.repeat(51)}a.b32.i2p`;
  let bridge: FakeSamBridge;
  const dirs: string[] = [];
  before(async () => {
    bridge = new FakeSamBridge({ routing: { unresponsive: new Set([UNRESPONSIVE]) } });
    await bridge.listen();
  });
  after(async () => {
    await bridge.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  const make = async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'veilnode-i2p-sam-'));
    dirs.push(dataDir);
    const config = { ...DEFAULT_SAM_CONFIG, sam: { host: '127.0.0.1', port: bridge.port }, sessionTimeoutMs: 5000, dialTimeoutMs: 5000 };
    const logger = new RecordingLogger();
    return new I2pSamTransport({ config, client: new DivaSamClient(config.sam, logger, 20), dataDir, logger });
  };

  transportCompliance('i2p-sam (fake routing bridge)', {
    async setup() {
      return {
        transport: await make(),
        dialer: await make(),
        anonymous: true,
        deadAddress: PEER,
        unresponsiveAddress: i2pZone.codec.parse(UNRESPONSIVE),
        addressOf: (listener) => i2pZone.codec.parse(listener.addresses[0]),
      };
    },
  });
});
