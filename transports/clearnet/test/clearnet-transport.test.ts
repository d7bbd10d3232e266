import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { expect } from 'chai';
import { DialError, DialErrorCode, ListenError, TimeoutError, TransportUnavailableError, type Dialer, type DialTarget, type TransportConnection } from '@veilnode/plugin-api';
import { RecordingLogger, readExactly, rejectionOf, waitForClose } from '@veilnode/compliance';
import { ClearnetTransport } from '../src/clearnet-transport';
import { DirectTcpDialer } from '../src/direct-tcp-dialer';
import { canBind, freePort } from './loopback-fixture';

/** A Dialer whose connect never completes; it records the abort it receives. */
class HangingDialer implements Dialer {
  aborted?: unknown;
  connect(_target: DialTarget, signal: AbortSignal): Promise<Duplex> {
    return new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        this.aborted = signal.reason;
        reject(signal.reason);
      });
    });
  }
}

function listenOn(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen({ host, port: 0 }, () => resolve((server.address() as AddressInfo).port)));
}

describe('ClearnetTransport', function () {
  let logger: RecordingLogger;
  let transport: ClearnetTransport;
  const servers: Server[] = [];

  beforeEach(function () {
    logger = new RecordingLogger();
    transport = new ClearnetTransport({ logger });
  });

  afterEach(async function () {
    await transport.stop();
    for (const server of servers.splice(0)) server.close();
  });

  describe('dial', function () {
    it('maps ECONNREFUSED to DialError CONNECTION_REFUSED naming the address', async function () {
      const port = await freePort('127.0.0.1');
      const err = await rejectionOf(transport.dial({ zone: 'clearnet', host: '127.0.0.1', port }));
      expect(err).to.be.instanceOf(DialError);
      expect((err as DialError).code).to.equal(DialErrorCode.ConnectionRefused);
      expect(err.message).to.include(`127.0.0.1:${port}`).and.include('ECONNREFUSED');
      expect((err as DialError).context).to.include({ errno: 'ECONNREFUSED' });
    });

    it('rejects with TimeoutError at the deadline and aborts the connect attempt', async function () {
      const dialer = new HangingDialer();
      transport = new ClearnetTransport({ logger, dialer, dialTimeoutMs: 150 });
      const started = Date.now();
      const err = await rejectionOf(transport.dial({ zone: 'clearnet', host: '127.0.0.1', port: 9 }));
      expect(err).to.be.instanceOf(TimeoutError);
      expect(err.message).to.equal('dial 127.0.0.1:9 timed out after 150 ms');
      expect(Date.now() - started).to.be.within(140, 1000);
      expect(dialer.aborted).to.equal(err);
    });

    it('lets a per-dial timeoutMs override the transport default', async function () {
      transport = new ClearnetTransport({ logger, dialer: new HangingDialer(), dialTimeoutMs: 60_000 });
      const err = await rejectionOf(transport.dial({ zone: 'clearnet', host: '127.0.0.1', port: 9 }, { timeoutMs: 50 }));
      expect(err).to.be.instanceOf(TimeoutError);
      expect((err as TimeoutError).context).to.include({ ms: 50 });
    });

    it('cancels a dial in flight with TransportUnavailableError when stopped', async function () {
      const dialer = new HangingDialer();
      transport = new ClearnetTransport({ logger, dialer });
      const dialing = rejectionOf(transport.dial({ zone: 'clearnet', host: '127.0.0.1', port: 9 }));
      await transport.stop();
      const err = await dialing;
      expect(err).to.be.instanceOf(TransportUnavailableError);
      expect(dialer.aborted).to.equal(err);
    });

    it('opens connections through the Dialer it is given (the --proxy swap point)', async function () {
      const server = createServer((socket) => socket.end('hello'));
      servers.push(server);
      const realPort = await listenOn(server, '127.0.0.1');
      const targets: DialTarget[] = [];
      const direct = new DirectTcpDialer();
      const redirecting: Dialer = {
        connect(target, signal) {
          targets.push(target);
          return direct.connect({ host: '127.0.0.1', port: realPort }, signal);
        },
      };
      transport = new ClearnetTransport({ logger, dialer: redirecting });
      const connection = await transport.dial({ zone: 'clearnet', host: '10.1.2.3', port: 18080 });
      expect(targets).to.deep.equal([{ host: '10.1.2.3', port: 18080 }]);
      expect(connection.remote).to.deep.equal({ zone: 'clearnet', host: '10.1.2.3', port: 18080 });
      expect((await readExactly(connection.stream, 5, 2000)).toString()).to.equal('hello');
    });

    it('refuses host names and bad ports without opening a socket (no DNS lookup)', async function () {
      for (const address of [
        { zone: 'clearnet', host: 'localhost', port: 18080 },
        { zone: 'clearnet', host: '127.0.0.1', port: 70000 },
      ]) {
        const err = await rejectionOf(transport.dial(address));
        expect(err, JSON.stringify(address)).to.be.instanceOf(DialError);
        expect((err as DialError).code).to.equal(DialErrorCode.AddressInvalid);
      }
      const direct = await rejectionOf(new DirectTcpDialer().connect({ host: 'localhost', port: 1 }, new AbortController().signal));
      expect((direct as DialError).code).to.equal(DialErrorCode.AddressInvalid);
    });

    it('destroys and logs a stream that fails after connecting, never throwing', async function () {
      const server = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
      servers.push(server);
      const port = await listenOn(server, '127.0.0.1');
      const { stream } = await transport.dial({ zone: 'clearnet', host: '127.0.0.1', port });
      stream.write('reset me');
      await waitForClose(stream, 2000);
      expect(stream.destroyed).to.equal(true);
      const entry = logger.entries.find((e) => e.msg === 'clearnet stream error');
      expect(entry?.fields).to.include({ address: `127.0.0.1:${port}`, errno: 'ECONNRESET' });
    });
  });

  describe('listen', function () {
    it('binds 127.0.0.1 on a free port when no bind address is given', async function () {
      const listener = await transport.listen(() => undefined);
      expect(listener.addresses).to.have.length(1);
      expect(listener.addresses[0]).to.match(/^127\.0\.0\.1:[1-9]\d*$/);
    });

    it('binds the address it is given and reports it', async function () {
      const port = await freePort('127.0.0.1');
      const listener = await transport.listen(() => undefined, { bind: { host: '127.0.0.1', port } });
      expect(listener.addresses).to.deep.equal([`127.0.0.1:${port}`]);
    });

    it('rejects a port in use with ListenError ADDRESS_IN_USE naming the bind address', async function () {
      const server = createServer();
      servers.push(server);
      const port = await listenOn(server, '127.0.0.1');
      const err = await rejectionOf(transport.listen(() => undefined, { bind: { host: '127.0.0.1', port } }));
      expect(err).to.be.instanceOf(ListenError);
      expect((err as ListenError).code).to.equal('ADDRESS_IN_USE');
      expect(err.message).to.include(`127.0.0.1:${port}`);
    });

    it('binds a host name the OS resolves (localhost), reporting the address it bound', async function () {
      const listener = await transport.listen(() => undefined, { bind: { host: 'localhost', port: 0 } });
      expect(listener.addresses[0]).to.match(/^(127\.0\.0\.1|\[::1\]):[1-9]\d*$/);
    });

    it('rejects an empty or malformed bind host, or a bad port, with BIND_ADDRESS_INVALID', async function () {
      for (const bind of [
        { host: '', port: 1 },
        { host: 'local host', port: 1 },
        { host: '127.0.0.1', port: 65536 },
      ]) {
        const err = await rejectionOf(transport.listen(() => undefined, { bind }));
        expect(err, JSON.stringify(bind)).to.be.instanceOf(ListenError);
        expect((err as ListenError).code).to.equal('BIND_ADDRESS_INVALID');
      }
    });

    it('frees its port on stop(), even with connections open', async function () {
      const listener = await transport.listen(() => undefined);
      const port = Number(listener.addresses[0].split(':').pop());
      const { stream } = await transport.dial({ zone: 'clearnet', host: '127.0.0.1', port });
      await transport.stop();
      expect(stream.destroyed).to.equal(true);
      const again = createServer();
      servers.push(again);
      await new Promise<void>((resolve, reject) => {
        again.once('error', reject);
        again.listen({ host: '127.0.0.1', port, exclusive: true }, resolve);
      });
    });

    it('names an IPv4 peer of a dual-stack listener by its IPv4 address', async function () {
      if (!(await canBind('::'))) this.skip();
      const inbound: TransportConnection[] = [];
      const listener = await transport.listen((connection) => inbound.push(connection), { bind: { host: '::', port: 0 } });
      const port = Number(listener.addresses[0].split(':').pop());
      const outbound = await transport.dial({ zone: 'clearnet', host: '127.0.0.1', port });
      outbound.stream.write('x');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(inbound).to.have.length(1);
      expect(inbound[0].remote).to.include({ zone: 'clearnet', host: '127.0.0.1' });
    });
  });
});
