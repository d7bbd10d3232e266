import { createHash, randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import { expect } from 'chai';
import { AbortedError, DialError, DialErrorCode, TimeoutError, TransportUnavailableError, VeilnodeError } from '@veilnode/plugin-api';
import { rejectionOf } from '@veilnode/plugin-api/testing';
import { freeTcpPort, tcpConnect } from './local-tcp';
import { ResourceSnapshot } from './resource-snapshot';
import { delay, readExactly, readToEnd, waitForClose, writeRespectingBackpressure } from './stream-helpers';
import type { TransportFixture } from './transport-testbed';
import { TransportSession } from './transport-session';

const CHUNK = 64 * 1024;
const DEFAULT_LARGE_PAYLOAD = 16 * 1024 * 1024;
/** A 'drain' that has not come for this long means the paused reader stopped the writer. */
const STALL_MS = 500;
/** How long a test waits to be sure that something (an inbound connection) did not happen. */
const QUIET_MS = 200;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Registers the mocha tests every veilnode Transport must pass (call it inside a test file;
 * mocha's `describe`/`it` globals must exist). Tests that need a capability the transport
 * lacks (`capabilities.dial` / `listen` false) are skipped, and the transport is instead held
 * to "unavailable" behaviour: every such call rejects with TransportUnavailableError.
 */
export function transportCompliance(name: string, fixture: TransportFixture): void {
  describe(`${name} — transport compliance`, function () {
    this.timeout(fixture.testTimeoutMs ?? 60_000);

    describe('with a started transport', function () {
      let session: TransportSession;

      beforeEach(async function () {
        session = new TransportSession(await fixture.setup());
        await session.start();
      });

      afterEach(async function () {
        await session.stop();
        await fixture.teardown?.(session.bed);
      });

      /** `it`, failing also on an 'error' a stream of the test emits and nobody handles (StreamFaults). */
      function check(title: string, body: (this: Mocha.Context) => Promise<void>): void {
        it(title, async function () {
          await session.faults.guard(() => body.call(this));
        });
      }

      function requireConnectable(test: Mocha.Context): void {
        if (!session.connectable) test.skip();
      }

      describe('dial and listen', function () {
        check('listens and reports its own addresses', async function () {
          requireConnectable(this);
          const listener = await session.listen();
          expect(listener.addresses, 'listener.addresses').to.be.an('array').with.length.above(0);
          for (const text of listener.addresses) expect(text).to.be.a('string').with.length.above(0);
          expect(session.addressOf(listener).zone).to.equal(session.transport.zone);
        });

        check('listens on exactly the bind listen() is given, and frees it on close()', async function () {
          const given = session.bed.listenOptions?.bind;
          // transports that bind no local socket (SAM sessions, in-process networks) have none to check
          if (!session.transport.capabilities.listen || given === undefined) this.skip();
          const bind = given.port === 0 ? { host: given.host, port: await freeTcpPort(given.host) } : given;
          const listener = await session.transport.listen(session.inbox.accept, { ...session.bed.listenOptions, bind });
          let closed = false;
          try {
            const socket = await tcpConnect(bind, session.ioTimeoutMs);
            expect(socket, `a TCP connection to the given bind ${bind.host}:${bind.port}`).to.not.be.a('string');
            const inbound = await session.inbox.next(session.ioTimeoutMs);
            expect(inbound.direction).to.equal('inbound');
            (socket as Duplex).destroy();
            await listener.close();
            closed = true;
            expect(await tcpConnect(bind, session.ioTimeoutMs), 'a connection to the bind after listener.close()').to.equal('ECONNREFUSED');
          } finally {
            if (!closed) await listener.close();
          }
        });

        check('round-trips bytes between a dialed and an accepted stream', async function () {
          requireConnectable(this);
          const { address, outbound, inbound } = await session.openPair();
          expect(outbound.direction).to.equal('outbound');
          expect(inbound.direction).to.equal('inbound');
          expect(outbound.remote, 'outbound remote is the dialed address').to.deep.equal(address);

          const ping = Buffer.from('ping from the dialer');
          outbound.stream.write(ping);
          expect((await readExactly(inbound.stream, ping.length, session.ioTimeoutMs)).equals(ping)).to.equal(true);
          const pong = Buffer.from('pong from the listener');
          inbound.stream.write(pong);
          expect((await readExactly(outbound.stream, pong.length, session.ioTimeoutMs)).equals(pong)).to.equal(true);
        });

        check('reports an inbound remote only as an address of its own zone', async function () {
          requireConnectable(this);
          const { inbound } = await session.openPair();
          if (inbound.remote === undefined) return;
          expect(inbound.remote.zone).to.equal(session.transport.zone);
          if (session.bed.anonymous) {
            expect(isIP(inbound.remote.host), `anonymity zone leaked IP ${inbound.remote.host}`).to.equal(0);
          }
        });

        check('carries a large payload intact while the reader keeps up', async function () {
          requireConnectable(this);
          const payload = randomBytes(session.bed.largePayloadBytes ?? DEFAULT_LARGE_PAYLOAD);
          const { outbound, inbound } = await session.openPair();

          const halfClose = session.transport.capabilities.halfClose !== false;
          const reading = halfClose ? readToEnd(inbound.stream, session.ioTimeoutMs * 3) : readExactly(inbound.stream, payload.length, session.ioTimeoutMs * 3);
          await writeRespectingBackpressure(outbound.stream, payload, CHUNK);
          if (halfClose) outbound.stream.end();
          const received = await reading;

          expect(received.length).to.equal(payload.length);
          expect(sha256(received), 'payload integrity').to.equal(sha256(payload));
        });

        check('a paused reader stops the writer (backpressure)', async function () {
          requireConnectable(this);
          if (session.bed.pathBuffersUnboundedly) this.skip();
          const payload = randomBytes(session.bed.largePayloadBytes ?? DEFAULT_LARGE_PAYLOAD);
          const { outbound, inbound } = await session.openPair();

          // The receiver reads nothing until the writer has been held back by 'drain'.
          let stalledAfter: number | undefined;
          let reading: Promise<Buffer> | undefined;
          const startReading = (): Promise<Buffer> => (reading ??= readToEnd(inbound.stream, session.ioTimeoutMs * 3));
          await writeRespectingBackpressure(outbound.stream, payload, CHUNK, {
            stallMs: STALL_MS,
            onStall: (accepted) => {
              stalledAfter ??= accepted;
              void startReading();
            },
          });
          outbound.stream.end();
          const received = await startReading();

          expect(stalledAfter, `the writer was never held back although the reader read nothing (${payload.length} bytes written)`)
            .to.be.a('number');
          expect(stalledAfter).to.be.lessThan(payload.length);
          expect(received.length).to.equal(payload.length);
          expect(sha256(received), 'payload integrity').to.equal(sha256(payload));
        });

        check('keeps content and order across many small writes in both directions', async function () {
          requireConnectable(this);
          const { outbound, inbound } = await session.openPair();
          const pieces = (count: number): Buffer[] =>
            Array.from({ length: count }, () => randomBytes(1 + Math.floor(Math.random() * 64)));
          const up = pieces(3000);
          const down = pieces(3000);

          const upBytes = Buffer.concat(up).length;
          const downBytes = Buffer.concat(down).length;
          // Without half-close an end() would drop what is still in flight towards the ender:
          // read the exact byte counts instead of reading to end.
          const halfClose = session.transport.capabilities.halfClose !== false;
          const readingUp = halfClose ? readToEnd(inbound.stream, session.ioTimeoutMs) : readExactly(inbound.stream, upBytes, session.ioTimeoutMs);
          const readingDown = halfClose ? readToEnd(outbound.stream, session.ioTimeoutMs) : readExactly(outbound.stream, downBytes, session.ioTimeoutMs);
          for (const piece of up) outbound.stream.write(piece);
          for (const piece of down) inbound.stream.write(piece);
          if (halfClose) {
            outbound.stream.end();
            inbound.stream.end();
          }

          expect((await readingUp).equals(Buffer.concat(up)), 'dialer → listener bytes').to.equal(true);
          expect((await readingDown).equals(Buffer.concat(down)), 'listener → dialer bytes').to.equal(true);
        });

        check('supports half-close both ways: after seeing end, the other side still writes back', async function () {
          requireConnectable(this);
          if (session.transport.capabilities.halfClose === false) this.skip();
          const halfClose = async (first: Duplex, second: Duplex, label: string): Promise<void> => {
            const request = Buffer.from(`${label}: request, then end`);
            const response = Buffer.from(`${label}: response after the request ended`);
            first.end(request);
            expect((await readToEnd(second, session.ioTimeoutMs)).equals(request), `${label} request`).to.equal(true);
            second.end(response);
            expect((await readToEnd(first, session.ioTimeoutMs)).equals(response), `${label} response`).to.equal(true);
            await waitForClose(first, session.ioTimeoutMs, `${label}: first stream`);
            await waitForClose(second, session.ioTimeoutMs, `${label}: second stream`);
          };
          const dialerFirst = await session.openPair();
          await halfClose(dialerFirst.outbound.stream, dialerFirst.inbound.stream, 'dialer ends first');
          const listenerFirst = await session.openPair();
          await halfClose(listenerFirst.inbound.stream, listenerFirst.outbound.stream, 'listener ends first');
        });
      });

      describe('dial failures', function () {
        check('rejects a dial to an address where nothing listens with a DialError or TimeoutError, in time', async function () {
          if (!session.dialer.capabilities.dial) this.skip();
          const baseline = await ResourceSnapshot.take();
          const started = Date.now();
          const err = await rejectionOf(session.dial(session.bed.deadAddress), 'dial to a dead address');
          const elapsed = Date.now() - started;

          expect(err, String(err)).to.satisfy((e: unknown) => e instanceof DialError || e instanceof TimeoutError);
          expect((err as VeilnodeError).code).to.be.a('string').with.length.above(0);
          expect(elapsed, 'rejected within the dial timeout').to.be.below(session.dialTimeoutMs + 1000);
          await ResourceSnapshot.expectReleased(baseline, 2000, 'a failed dial');
        });

        check('rejects with TimeoutError when the dial never completes', async function () {
          const address = session.bed.unresponsiveAddress;
          if (!session.dialer.capabilities.dial || !address) this.skip();
          const baseline = await ResourceSnapshot.take();
          const timeoutMs = 300;
          const started = Date.now();
          const err = await rejectionOf(session.dial(address, { timeoutMs }), 'dial to an unresponsive address');
          const elapsed = Date.now() - started;

          expect(err, String(err)).to.be.instanceOf(TimeoutError);
          expect(elapsed).to.be.within(timeoutMs - 20, timeoutMs + 1500);
          await ResourceSnapshot.expectReleased(baseline, 2000, 'a timed-out dial');
        });

        check("rejects a dial of another zone's address with ZONE_MISMATCH and sends nothing", async function () {
          requireConnectable(this);
          const address = session.addressOf(await session.listen());
          const foreign = { ...address, zone: `${address.zone}-foreign` };
          const err = await rejectionOf(session.dial(foreign), 'dial of a foreign-zone address');

          expect(err, String(err)).to.be.instanceOf(DialError);
          expect((err as DialError).code).to.equal(DialErrorCode.ZoneMismatch);
          await delay(QUIET_MS);
          expect(session.inbox.received, 'connections reaching the listener').to.have.length(0);
        });
      });

      describe('abort', function () {
        check('rejects with AbortedError when the signal is already aborted, opening nothing', async function () {
          requireConnectable(this);
          const address = session.addressOf(await session.listen());
          const baseline = await ResourceSnapshot.take();
          const err = await rejectionOf(session.dial(address, { signal: AbortSignal.abort() }), 'dial with an aborted signal');

          expect(err, String(err)).to.be.instanceOf(AbortedError);
          await delay(QUIET_MS);
          expect(session.inbox.received, 'connections reaching the listener').to.have.length(0);
          await ResourceSnapshot.expectReleased(baseline, 2000, 'an aborted dial');
        });

        check('rejects with AbortedError when aborted while dialing, leaving nothing open', async function () {
          requireConnectable(this);
          const address = session.bed.unresponsiveAddress ?? session.addressOf(await session.listen());
          const baseline = await ResourceSnapshot.take();
          const controller = new AbortController();
          const dialing = session.dial(address, { signal: controller.signal });
          if (session.bed.unresponsiveAddress) await delay(50);
          controller.abort();
          const err = await rejectionOf(dialing, 'dial aborted midway');

          expect(err, String(err)).to.be.instanceOf(AbortedError);
          // The listener may have accepted the half-made connection; its owner (this test) drops it.
          await delay(QUIET_MS);
          session.inbox.destroyAll();
          await ResourceSnapshot.expectReleased(baseline, 2000, 'an aborted dial');
        });

        check('leaves no listener on the AbortSignal once a dial settles', async function () {
          requireConnectable(this);
          const controller = new AbortController();
          const address = session.addressOf(await session.listen());
          await session.dial(address, { signal: controller.signal });
          await rejectionOf(session.dial(session.bed.deadAddress, { signal: controller.signal }), 'dial to a dead address');
          expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);

          controller.abort();
          const [outbound] = session.outbound;
          await delay(QUIET_MS);
          expect(outbound.stream.destroyed, 'a late abort destroyed an established stream').to.equal(false);
        });

        check('rejects listen() with AbortedError when its signal is already aborted', async function () {
          if (!session.transport.capabilities.listen) this.skip();
          const baseline = await ResourceSnapshot.take();
          const err = await rejectionOf(
            session.transport.listen(session.inbox.accept, { ...session.bed.listenOptions, signal: AbortSignal.abort() }),
            'listen with an aborted signal',
          );
          expect(err, String(err)).to.be.instanceOf(AbortedError);
          await ResourceSnapshot.expectReleased(baseline, 2000, 'an aborted listen');
        });
      });

      describe('close', function () {
        check('listener.close() stops accepting without waiting for, or cutting, open streams', async function () {
          requireConnectable(this);
          const listener = await session.listen();
          const { address, outbound, inbound } = await session.openPair();
          const started = Date.now();
          await listener.close();
          await listener.close();
          expect(Date.now() - started, 'close() waited for open streams').to.be.below(2000);

          const bytes = Buffer.from('still open after the listener closed');
          outbound.stream.write(bytes);
          expect((await readExactly(inbound.stream, bytes.length, session.ioTimeoutMs)).equals(bytes)).to.equal(true);

          if (session.bed.routerAcceptsForClosedListener) {
            // The router may grant the dial itself; the stream must then end, and nothing arrives.
            const accepted = session.inbox.received.length;
            const late = await session.dial(address).then(
              (connection) => ({ connection }),
              (error: unknown) => ({ error }),
            );
            if ('error' in late) expect(late.error, String(late.error)).to.satisfy((e: unknown) => e instanceof DialError || e instanceof TimeoutError);
            else {
              // read it, as every consumer does: a paused socket never sees the peer's FIN
              late.connection.stream.on('error', () => undefined).resume();
              await waitForClose(late.connection.stream, session.ioTimeoutMs, 'a router-granted stream to a closed listener');
            }
            expect(session.inbox.received.length, 'a closed listener accepted a connection').to.equal(accepted);
            return;
          }
          const err = await rejectionOf(session.dial(address), 'dial to a closed listener');
          expect(err, String(err)).to.satisfy((e: unknown) => e instanceof DialError || e instanceof TimeoutError);
        });

        check('stop() closes every stream on both sides, is idempotent, and disables the transport', async function () {
          requireConnectable(this);
          const { address, outbound, inbound } = await session.openPair();
          await session.transport.stop();
          await session.dialer.stop();
          await session.transport.stop();

          await waitForClose(outbound.stream, session.ioTimeoutMs, 'dialer stream after stop()');
          await waitForClose(inbound.stream, session.ioTimeoutMs, 'listener stream after stop()');
          const dialErr = await rejectionOf(session.dialer.dial(address), 'dial after stop()');
          expect(dialErr, String(dialErr)).to.be.instanceOf(TransportUnavailableError);
          const listenErr = await rejectionOf(session.transport.listen(session.inbox.accept, session.bed.listenOptions), 'listen after stop()');
          expect(listenErr, String(listenErr)).to.be.instanceOf(TransportUnavailableError);
        });
      });

      describe('unavailable capabilities', function () {
        check('rejects every dial with TransportUnavailableError when it cannot dial', async function () {
          if (session.dialer.capabilities.dial) this.skip();
          const baseline = await ResourceSnapshot.take();
          const err = await rejectionOf(session.dialer.dial(session.bed.deadAddress), 'dial without the dial capability');
          expect(err, String(err)).to.be.instanceOf(TransportUnavailableError);
          expect(err.message).to.include(session.dialer.name);
          await ResourceSnapshot.expectReleased(baseline, 2000, 'a refused dial');
        });

        check('rejects listen() with TransportUnavailableError when it cannot listen', async function () {
          if (session.transport.capabilities.listen) this.skip();
          const baseline = await ResourceSnapshot.take();
          const err = await rejectionOf(session.transport.listen(session.inbox.accept, session.bed.listenOptions), 'listen without the listen capability');
          expect(err, String(err)).to.be.instanceOf(TransportUnavailableError);
          expect(err.message).to.include(session.transport.name);
          await ResourceSnapshot.expectReleased(baseline, 2000, 'a refused listen');
        });

        check('resolves stop() more than once', async function () {
          await session.transport.stop();
          await session.transport.stop();
        });
      });
    });

    describe('resource release', function () {
      it('releases every socket, server and timer it opened once stopped', async function () {
        const baseline = await ResourceSnapshot.take();
        const session = new TransportSession(await fixture.setup());
        let tornDown = false;
        try {
          await session.faults.guard(async () => {
            await session.start();
            if (session.connectable) {
              const { outbound, inbound } = await session.openPair();
              outbound.stream.write('some bytes');
              await readExactly(inbound.stream, 10, session.ioTimeoutMs);
              await rejectionOf(session.dial(session.bed.deadAddress), 'dial to a dead address');
            }
            // No stream is closed by the test: stop() alone must release them.
            await session.transport.stop();
            await session.dialer.stop();
            tornDown = true;
            await fixture.teardown?.(session.bed);
            await ResourceSnapshot.expectReleased(baseline, 3000, `${name} after stop()`);
          });
        } finally {
          await session.stop();
          if (!tornDown) await fixture.teardown?.(session.bed);
        }
      });
    });
  });
}
