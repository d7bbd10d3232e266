import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AbortedError, type TransportConnection, parseSocksProxy } from '@veilnode/plugin-api';
import { TorTransport, OnionV3Codec } from '@veilnode/tor';
import { echoRoundTrip, torFixture, transportContext, type TorFixture } from './fixture';

// Transport compliance over a real private Tor network. @veilnode/compliance's
// transportCompliance suite had not landed when this was written, so the same contract is
// checked directly: dial/round-trip, big and many writes, close, abort, stop.
describe('TorTransport over a private Tor network: dial an onion service', function () {
  this.timeout(240_000);
  let fx: TorFixture;
  const codec = new OnionV3Codec();
  const made: Array<{ transport: TorTransport; cleanup(): void }> = [];

  before(async function () {
    fx = await torFixture(this);
  });
  after(async () => {
    for (const m of made) {
      await m.transport.stop();
      m.cleanup();
    }
  });

  function transport(proxyPort: number, scheme = 'socks5'): TorTransport {
    const ctx = transportContext({ proxy: parseSocksProxy(`${scheme}://127.0.0.1:${proxyPort}`) }, { socksTimeoutMs: 60_000 });
    const t = new TorTransport(ctx);
    made.push({ transport: t, cleanup: ctx.cleanup });
    return t;
  }

  const target = () => codec.parse(`${fx.net.onionHostname}:${fx.net.hsVport}`);

  it('dials the onion through SOCKS5 and round-trips small, big and many writes', async () => {
    const t = transport(fx.net.socksPort);
    await t.start();
    expect(t.status()).to.deep.equal({ healthy: true });
    const before = fx.echoConnections;
    const started = Date.now();
    const conn = await t.dial(target());
    console.log(`      onion dial took ${Date.now() - started} ms`);
    expect(conn.direction).to.equal('outbound');
    expect(conn.remote).to.deep.equal(target());
    expect(fx.echoConnections).to.equal(before + 1);
    expect((await echoRoundTrip(conn.stream, Buffer.from('hello over tor'))).toString()).to.equal('hello over tor');
    conn.stream.removeAllListeners('data');
    const big = randomBytes(16 << 20);
    expect((await echoRoundTrip(conn.stream, big, 180_000)).equals(big), '16 MiB echoed intact').to.equal(true);
    conn.stream.removeAllListeners('data');
    const parts = Array.from({ length: 200 }, (_, i) => Buffer.from(`part-${i};`));
    const all = Buffer.concat(parts);
    const collected = new Promise<Buffer>((resolve) => {
      const got: Buffer[] = [];
      let n = 0;
      conn.stream.on('data', (c: Buffer) => {
        got.push(c);
        n += c.length;
        if (n >= all.length) resolve(Buffer.concat(got));
      });
    });
    for (const p of parts) conn.stream.write(p);
    expect((await collected).equals(all)).to.equal(true);
    conn.stream.destroy();
  });

  it('dials through SOCKS4a as monerod 0.18 does', async () => {
    const conn = await transport(fx.net.socksPort, 'socks4a').dial(target());
    expect((await echoRoundTrip(conn.stream, Buffer.from('4a'))).toString()).to.equal('4a');
    conn.stream.destroy();
  });

  it('sees the remote end close when the peer closes', async () => {
    const conn = await transport(fx.net.socksPort).dial(target());
    await echoRoundTrip(conn.stream, Buffer.from('x'));
    const ended = new Promise<void>((resolve) => conn.stream.once('close', () => resolve()));
    conn.stream.end(); // the echo server ends its side in turn
    await ended;
  });

  it('rejects an aborted dial with AbortedError and leaves no stream behind', async () => {
    const t = transport(fx.net.socksPort);
    const ac = new AbortController();
    const pending = t.dial(target(), { signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AbortedError);
    await t.dial(target(), { signal: AbortSignal.abort() }).then(
      () => expect.fail('dial with an aborted signal succeeded'),
      (e: unknown) => expect(e).to.be.instanceOf(AbortedError),
    );
  });

  it('stop() closes every stream it still owns', async () => {
    const t = transport(fx.net.socksPort);
    const conns: TransportConnection[] = [await t.dial(target()), await t.dial(target())];
    const closed = conns.map((c) => new Promise<void>((resolve) => c.stream.once('close', () => resolve())));
    await t.stop();
    await Promise.all(closed);
    expect(conns.every((c) => c.stream.destroyed)).to.equal(true);
    await t.dial(target()).then(
      () => expect.fail('dial after stop succeeded'),
      (e: unknown) => expect(e).to.have.property('code', 'TRANSPORT_UNAVAILABLE'),
    );
  });
});
