import { expect } from 'chai';
import { AbortedError, TimeoutError } from '@veilnode/plugin-api';
import { DestinationKeys, DivaSamClient, i2cpOptions, SamBridgeError, SamPeerUnreachableError, DEFAULT_SAM_CONFIG } from '../src';
import { FakeSamBridge } from './fake-sam-bridge';
import { RecordingLogger, readExactly } from '@veilnode/compliance';
import { rejectionOf, until } from './helpers';

const PEER = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p';
const options = i2cpOptions(DEFAULT_SAM_CONFIG.transientTunnels);
/** Shorter than the product's SESSION_LINGER_MS, long enough to see the order. */
const LINGER_MS = 300;

describe('DivaSamClient against a fake SAM v3.1 bridge', () => {
  let bridge: FakeSamBridge;
  let client: DivaSamClient;
  let logger: RecordingLogger;
  const keys = DestinationKeys.generate();

  beforeEach(async () => {
    bridge = new FakeSamBridge();
    await bridge.listen();
    logger = new RecordingLogger();
    client = new DivaSamClient({ host: '127.0.0.1', port: bridge.port }, logger, LINGER_MS);
  });
  afterEach(() => bridge.close());

  const connect = (timeoutMs = 5000, signal?: AbortSignal) =>
    client.connectWithNewSession({ keys, options, destination: PEER, timeoutMs, signal });

  it('says HELLO 3.1, creates the session with our Ed25519 keys and I2CP options, then connects', async () => {
    const stream = await connect();
    stream.write('ping');
    expect((await readExactly(stream, 4, 5000)).toString()).to.equal('ping');
    stream.destroy();
    expect(bridge.commands[0]).to.equal('HELLO VERSION MIN=3.1 MAX=3.1');
    const create = bridge.commands.find((c) => c.startsWith('SESSION CREATE')) ?? '';
    expect(create).to.include(`DESTINATION=${keys.revealPrivate()}`).and.include('STYLE=STREAM');
    expect(create).to.include('inbound.quantity=1').and.include('inbound.length=3').and.include('i2cp.leaseSetEncType=4,0');
    const connectLine = bridge.commands.find((c) => c.startsWith('STREAM CONNECT')) ?? '';
    expect(connectLine).to.include(`DESTINATION=${PEER}`).and.include('SILENT=false');
    expect(connectLine).to.include(`ID=${/ID=(\S+)/.exec(create)?.[1]}`);
  });

  it('parses replies that arrive split over many TCP chunks', async () => {
    bridge.script = { trickle: true };
    const stream = await connect();
    stream.write('x');
    expect((await readExactly(stream, 1, 5000)).toString()).to.equal('x');
    stream.destroy();
  });

  it('keeps peer bytes that arrive in the same chunk as STREAM STATUS RESULT=OK', async () => {
    bridge.script = { streamConnect: (socket) => socket.write('STREAM STATUS RESULT=OK\nearly bytes') };
    const stream = await connect();
    expect((await readExactly(stream, 11, 5000)).toString()).to.equal('early bytes');
    stream.destroy();
  });

  const peerErrors: Array<[string, string]> = [
    ['STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE="no lease set"', 'SAM_CANT_REACH_PEER'],
    ['STREAM STATUS RESULT=TIMEOUT', 'SAM_TIMEOUT'],
    ['STREAM STATUS RESULT=INVALID_KEY', 'SAM_INVALID_KEY'],
  ];
  for (const [reply, code] of peerErrors) {
    it(`maps "${reply}" on STREAM CONNECT to SamPeerUnreachableError ${code}`, async () => {
      bridge.script = { streamConnect: reply };
      const error = await rejectionOf(connect());
      expect(error).to.be.instanceOf(SamPeerUnreachableError);
      expect((error as SamPeerUnreachableError).code).to.equal(code);
      expect((error as SamPeerUnreachableError).context).to.include({ step: 'STREAM CONNECT' });
    });
  }

  it('carries the bridge message of a quoted MESSAGE', async () => {
    bridge.script = { streamConnect: 'STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE="no lease set"' };
    const error = await rejectionOf(connect());
    expect(error.message).to.include('no lease set');
  });

  const bridgeErrors: Array<[keyof FakeSamBridge['script'], string, string]> = [
    ['sessionCreate', 'SESSION STATUS RESULT=INVALID_KEY', 'SAM_INVALID_KEY'],
    ['sessionCreate', 'SESSION STATUS RESULT=DUPLICATED_ID', 'SAM_DUPLICATED_ID'],
    ['sessionCreate', 'SESSION STATUS RESULT=DUPLICATED_DEST', 'SAM_DUPLICATED_DEST'],
    ['sessionCreate', 'SESSION STATUS RESULT=I2P_ERROR MESSAGE="tunnels"', 'SAM_I2P_ERROR'],
    ['streamConnect', 'STREAM STATUS RESULT=INVALID_ID', 'SAM_INVALID_ID'],
    ['streamConnect', 'STREAM STATUS RESULT=I2P_ERROR', 'SAM_I2P_ERROR'],
    ['hello', 'HELLO REPLY RESULT=NOVERSION', 'SAM_NOVERSION'],
  ];
  for (const [step, reply, code] of bridgeErrors) {
    it(`maps "${reply}" to SamBridgeError ${code}`, async () => {
      bridge.script = { [step]: reply };
      const error = await rejectionOf(connect());
      expect(error).to.be.instanceOf(SamBridgeError);
      expect(error).to.not.be.instanceOf(SamPeerUnreachableError);
      expect((error as SamBridgeError).code).to.equal(code);
    });
  }

  it('fails at once with SAM_BRIDGE_CLOSED when the bridge closes during SESSION CREATE', async () => {
    bridge.script = { sessionCreate: (socket) => socket.destroy() };
    const started = Date.now();
    const error = await rejectionOf(connect(60_000));
    expect(error).to.be.instanceOf(SamBridgeError);
    expect((error as SamBridgeError).code).to.equal('SAM_BRIDGE_CLOSED');
    expect((error as SamBridgeError).context).to.include({ step: 'SESSION CREATE' });
    expect(Date.now() - started).to.be.below(1000);
  });

  it('fails at once when the bridge closes during STREAM CONNECT', async () => {
    bridge.script = { streamConnect: (socket) => socket.end() };
    const started = Date.now();
    const error = await rejectionOf(connect(60_000));
    expect((error as SamBridgeError).code).to.equal('SAM_BRIDGE_CLOSED');
    expect(Date.now() - started).to.be.below(1000);
  });

  it('fails at once with SAM_BRIDGE_UNREACHABLE when nothing listens', async () => {
    const port = bridge.port;
    await bridge.close();
    const started = Date.now();
    const error = await rejectionOf(new DivaSamClient({ host: '127.0.0.1', port }, logger).connectWithNewSession({ keys, options, destination: PEER, timeoutMs: 60_000 }));
    expect((error as SamBridgeError).code).to.equal('SAM_BRIDGE_UNREACHABLE');
    expect(Date.now() - started).to.be.below(1000);
    bridge = new FakeSamBridge();
    await bridge.listen();
  });

  it('times out a bridge that never answers, and closes its sockets', async () => {
    bridge.script = { sessionCreate: () => undefined };
    const error = await rejectionOf(connect(300));
    expect(error).to.be.instanceOf(TimeoutError);
    await until(() => bridge.sockets.size === 0);
  });

  it('aborts on the signal and closes its sockets', async () => {
    bridge.script = { sessionCreate: () => undefined };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejectionOf(connect(60_000, controller.signal));
    expect(error).to.be.instanceOf(AbortedError);
    await until(() => bridge.sockets.size === 0);
  });

  it('closes an open stream promptly when the bridge dies under it', async () => {
    const stream = await connect();
    stream.on('error', () => undefined);
    stream.resume();
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    bridge.dropAll();
    await closed;
  });

  it('fails an open stream with SAM_BRIDGE_CLOSED when only its session\'s control socket drops', async () => {
    const stream = await connect();
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
    expect(bridge.sessions.size).to.equal(1);
    for (const control of bridge.sessions.values()) control.destroy();
    const error = await failed;
    expect((error as SamBridgeError).code).to.equal('SAM_BRIDGE_CLOSED');
  });

  it('opens streams on an existing session without creating another one', async () => {
    const session = await client.createForwardingSession({ keys, options, forwardTo: { host: '127.0.0.1', port: 1234 }, timeoutMs: 5000 });
    const stream = await client.connect(session, PEER, { timeoutMs: 5000 });
    stream.write('via session');
    expect((await readExactly(stream, 11, 5000)).toString()).to.equal('via session');
    expect(bridge.commands.filter((c) => c.startsWith('SESSION CREATE'))).to.have.length(1);
    expect(bridge.commands.find((c) => c.startsWith('STREAM CONNECT'))).to.include(`ID=${session.id}`);
    expect(bridge.forwards).to.deep.equal([{ id: session.id, host: '127.0.0.1', port: 1234 }]);
    stream.destroy();
    await session.close();
  });

  it('resolves a forwarding session\'s `closed` when its control socket drops', async () => {
    const session = await client.createForwardingSession({ keys, options, forwardTo: { host: '127.0.0.1', port: 1234 }, timeoutMs: 5000 });
    bridge.sessions.get(session.id)?.destroy();
    const reason = await session.closed;
    expect((reason as SamBridgeError).code).to.equal('SAM_BRIDGE_CLOSED');
  });

  it('closes a transient stream first and its session only after the linger (i2pd must not lose a destination with live streams)', async () => {
    const stream = await connect();
    const [id] = [...bridge.sessions.keys()];
    stream.destroy();
    await until(() => bridge.closes.length > 0);
    expect(bridge.closes).to.deep.equal([`stream ${id}`]);
    expect(bridge.sessions.has(id), 'the session outlives its stream').to.equal(true);
    await client.drain();
    await until(() => bridge.closes.length === 2);
    expect(bridge.closes).to.deep.equal([`stream ${id}`, `session ${id}`]);
  });

  it('closes a session that never got its stream at once', async () => {
    bridge.script = { streamConnect: 'STREAM STATUS RESULT=CANT_REACH_PEER' };
    await rejectionOf(connect());
    await until(() => bridge.sessions.size === 0, 100);
    await client.drain();
  });

  it('never logs the private key', async () => {
    bridge.script = { sessionCreate: `SESSION STATUS RESULT=OK` }; // no DESTINATION: the library calls it a failure
    const error = await rejectionOf(connect());
    await connect().catch(() => undefined);
    bridge.script = {};
    (await connect()).destroy();
    const everything = [...logger.entries.map((e) => JSON.stringify(e)), error.message, JSON.stringify((error as SamBridgeError).toJSON())].join('\n');
    expect(everything).to.not.include(keys.revealPrivate().slice(-100));
  });
});
