import { connect, type NetConnectOpts } from 'node:net';
import { Duplex } from 'node:stream';
import { expect } from 'chai';
import Mocha from 'mocha';
import type { Dialer, DialOptions, Listener, ListenOptions, PeerAddress, Transport, TransportConnection } from '@veilnode/plugin-api';
import { RecordingLogger, transportCompliance, type TransportFixture } from '@veilnode/compliance';
import { ClearnetTransport, DirectTcpDialer, IpAddressCodec } from '@veilnode/clearnet';

/**
 * The compliance suite must be able to fail: it is run here (in a mocha instance of its own)
 * against clearnet transports broken on purpose, one defect each, and must report exactly the
 * defect — and nothing against the intact transport.
 */

const codec = new IpAddressCodec();
const MOCHA_GLOBALS = ['before', 'after', 'beforeEach', 'afterEach', 'run', 'context', 'describe', 'xcontext', 'xdescribe', 'specify', 'it', 'xspecify', 'xit'];

interface SuiteOutcome {
  readonly passed: string[];
  readonly failed: string[];
  /** The failures' messages, in the order of `failed`. */
  readonly reasons: string[];
}

/** Registers the suite in a fresh mocha instance (restoring our own globals after) and runs the tests matching `grep`. */
function runCompliance(fixture: TransportFixture, grep: RegExp): Promise<SuiteOutcome> {
  const mocha = new Mocha({ reporter: Mocha.reporters.Base, timeout: 20_000 });
  const saved = new Map(MOCHA_GLOBALS.map((name) => [name, (globalThis as Record<string, unknown>)[name]]));
  try {
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'self-check', mocha);
    transportCompliance('self-check', fixture);
  } finally {
    for (const [name, value] of saved) (globalThis as Record<string, unknown>)[name] = value;
  }
  mocha.grep(grep);
  return new Promise((resolve) => {
    const outcome: SuiteOutcome = { passed: [], failed: [], reasons: [] };
    const runner = mocha.run(() => resolve(outcome));
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => outcome.passed.push(test.title));
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, error: Error) => {
      outcome.failed.push(test.title);
      outcome.reasons.push(error.message);
    });
  });
}

/** A correct clearnet pair on 127.0.0.1, with the transport swapped for `wrap(transport)`. */
function fixture(wrap: (inner: ClearnetTransport) => Transport, dialer?: Dialer): TransportFixture {
  return {
    async setup() {
      const transport = wrap(new ClearnetTransport({ logger: new RecordingLogger(), dialer }));
      const dead = new ClearnetTransport({ logger: new RecordingLogger() });
      const probe = await dead.listen(() => undefined);
      const deadAddress = codec.parse(probe.addresses[0]);
      await dead.stop();
      return {
        transport,
        listenOptions: { bind: { host: '127.0.0.1', port: 0 } },
        addressOf: (listener) => codec.parse(listener.addresses[0]),
        deadAddress,
        ioTimeoutMs: 1000,
      };
    },
  };
}

/** Delegates everything to a real transport except what a test overrides. */
class TransportWrapper implements Transport {
  readonly name: string;
  readonly zone: string;
  readonly capabilities: Transport['capabilities'];
  constructor(protected readonly inner: ClearnetTransport) {
    this.name = inner.name;
    this.zone = inner.zone;
    this.capabilities = inner.capabilities;
  }
  dial(address: PeerAddress, options?: DialOptions): Promise<TransportConnection> {
    return this.inner.dial(address, options);
  }
  listen(onConnection: (connection: TransportConnection) => void, options?: ListenOptions): Promise<Listener> {
    return this.inner.listen(onConnection, options);
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

describe('the transport compliance suite, run against broken transports', function () {
  this.timeout(60_000);

  it('passes the intact clearnet transport', async function () {
    const outcome = await runCompliance(fixture((t) => t), /half-close|backpressure|stop\(\)|releases every|exactly the bind/);
    expect(outcome.failed).to.deep.equal([]);
    expect(outcome.passed).to.have.length(6);
  });

  it('catches a transport that listens somewhere other than the bind listen() is given', async function () {
    class IgnoresBind extends TransportWrapper {
      override listen(onConnection: (connection: TransportConnection) => void, options?: ListenOptions): Promise<Listener> {
        // The ABI 1.x habit: a bind of its own (here: a free port), whatever the node asks for.
        return this.inner.listen(onConnection, { ...options, bind: { host: '127.0.0.1', port: 0 } });
      }
    }
    const outcome = await runCompliance(fixture((t) => new IgnoresBind(t)), /exactly the bind/);
    expect(outcome.failed).to.deep.equal(['listens on exactly the bind listen() is given, and frees it on close()']);
    expect(outcome.reasons[0]).to.include('a TCP connection to the given bind');
  });

  it('catches streams that are not half-open', async function () {
    class NotHalfOpen extends TransportWrapper {
      override async dial(address: PeerAddress, options?: DialOptions): Promise<TransportConnection> {
        const connection = await this.inner.dial(address, options);
        connection.stream.allowHalfOpen = false;
        return connection;
      }
    }
    const outcome = await runCompliance(fixture((t) => new NotHalfOpen(t)), /half-close/);
    expect(outcome.failed).to.deep.equal(['supports half-close both ways: after seeing end, the other side still writes back']);
  });

  it('catches a writer that buffers without limit instead of applying backpressure', async function () {
    const unbounded: Dialer = {
      connect: (target, signal) =>
        new Promise<Duplex>((resolve, reject) => {
          // writableHighWaterMark is a stream option @types/node does not list for sockets.
          const socket = connect({ ...target, allowHalfOpen: true, writableHighWaterMark: 1 << 30 } as unknown as NetConnectOpts);
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
          signal.addEventListener('abort', () => socket.destroy(), { once: true });
        }),
    };
    const outcome = await runCompliance(fixture((t) => t, unbounded), /backpressure/);
    expect(outcome.failed).to.deep.equal(['a paused reader stops the writer (backpressure)']);
  });

  it('catches a stop() that leaves streams open', async function () {
    class LeavesStreamsOpen extends TransportWrapper {
      private readonly opened: Listener[] = [];
      override async listen(onConnection: (connection: TransportConnection) => void, options?: ListenOptions): Promise<Listener> {
        const listener = await this.inner.listen(onConnection, options);
        this.opened.push(listener);
        return listener;
      }
      override async stop(): Promise<void> {
        // Closes its listeners but forgets the streams: the defect to catch.
        await Promise.all(this.opened.map((listener) => listener.close()));
      }
    }
    const outcome = await runCompliance(fixture((t) => new LeavesStreamsOpen(t)), /stop\(\) closes|releases every/);
    expect(outcome.failed).to.have.members([
      'stop() closes every stream on both sides, is idempotent, and disables the transport',
      'releases every socket, server and timer it opened once stopped',
    ]);
  });

  it('catches a dial that leaves a timer behind', async function () {
    const direct = new DirectTcpDialer();
    const strayTimers: NodeJS.Timeout[] = [];
    const leaky: Dialer = {
      connect(target, signal) {
        // several: the suite counts live timers by type, and in a full run a timer an earlier test
        // armed may fire inside the check's window, hiding one leaked timer from the count
        for (let i = 0; i < 5; i++) strayTimers.push(setTimeout(() => undefined, 30_000));
        return direct.connect(target, signal);
      },
    };
    try {
      const outcome = await runCompliance(fixture((t) => t, leaky), /nothing listens/);
      expect(outcome.failed).to.deep.equal(['rejects a dial to an address where nothing listens with a DialError or TimeoutError, in time']);
    } finally {
      strayTimers.forEach(clearTimeout);
    }
  });
  it('turns a stream that calls a callback twice (a half-close bug) into one failed test, not a mocha crash', async function () {
    class DoubleCallback extends TransportWrapper {
      override async dial(address: PeerAddress, options?: DialOptions): Promise<TransportConnection> {
        const connection = await this.inner.dial(address, options);
        const socket = connection.stream;
        // The bug: end() reaches final(), which reports done twice (ERR_MULTIPLE_CALLBACK).
        const broken = new Duplex({
          allowHalfOpen: true,
          read: () => undefined,
          write: (chunk, encoding, callback) => void socket.write(chunk, encoding, callback),
          final: (callback) => {
            socket.end();
            callback();
            callback();
          },
          destroy: (error, callback) => {
            socket.destroy(error ?? undefined);
            callback(error);
          },
        });
        socket.on('data', (chunk) => broken.push(chunk));
        socket.on('end', () => broken.push(null));
        return { ...connection, stream: broken };
      }
    }
    // Without the suite's guard the error escapes as an uncaught exception and fails (or, in a
    // plugin's own run, crashes) whatever mocha runs at that moment; here it must fail only the
    // half-close test, with its cause, and leave the test before it alone.
    const outcome = await runCompliance(fixture((t) => new DoubleCallback(t)), /half-close|round-trips/);
    expect(outcome.passed).to.deep.equal(['round-trips bytes between a dialed and an accepted stream']);
    expect(outcome.failed).to.deep.equal(['supports half-close both ways: after seeing end, the other side still writes back']);
    expect(outcome.reasons[0]).to.include("the dialed stream emitted an 'error' nobody handles").and.include('ERR_MULTIPLE_CALLBACK');
  });
});
