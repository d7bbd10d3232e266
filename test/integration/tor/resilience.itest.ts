import { parseSocksProxy } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { OnionV3Codec, TorTransport } from '@veilnode/tor';
import { echoRoundTrip, recordingLogger, retryUntil, torFixture, transportContext, type TorFixture } from './fixture';

describe('TorTransport when tor goes away and comes back', function () {
  this.timeout(300_000);
  let fx: TorFixture;
  const codec = new OnionV3Codec();
  const logLines: string[] = [];
  let transport: TorTransport;
  let ctx: ReturnType<typeof transportContext>;
  let clientStopped = false;

  before(async function () {
    fx = await torFixture(this);
    ctx = transportContext(
      { proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPort}`), inbound: null },
      { control: `127.0.0.1:${fx.net.controlPortClient}`, retryInitialMs: 500, retryMaxMs: 2000, socksTimeoutMs: 20_000 },
      recordingLogger(logLines),
    );
    transport = new TorTransport(ctx);
  });
  after(async () => {
    await transport?.stop();
    ctx?.cleanup();
    // never leave the shared network without its client
    if (clientStopped) await fx.net.startNode('client');
  });

  it('reports unhealthy with reasons while tor is down, then recovers by itself', async () => {
    await transport.start();
    await transport.listen(() => undefined);
    await transport.whenPublished();
    expect(transport.status()).to.deep.equal({ healthy: true });
    const harnessOnion = codec.parse(`${fx.net.onionHostname}:${fx.net.hsVport}`);

    await fx.net.stopNode('client');
    clientStopped = true;
    await transport.dial(harnessOnion).then(
      () => expect.fail('dial succeeded with tor stopped'),
      (err: unknown) => expect(err).to.have.property('code', 'PROXY_UNREACHABLE'),
    );
    await retryUntil(async () => {
      if (transport.status().healthy) throw new Error('still healthy');
    }, 10_000, 100);
    const down = transport.status();
    expect(down.healthy).to.equal(false);
    expect(down.reason).to.match(/SOCKS proxy socks5:\/\/127\.0\.0\.1:\d+ is unreachable/);
    expect(down.reason).to.match(/onion service not published: (Tor control connection .* lost|Tor control port .* is unreachable)/);

    const restartedAt = Date.now();
    const bootSeconds = await fx.net.startNode('client');
    clientStopped = false;
    await retryUntil(async () => {
      const s = transport.status();
      if (!s.healthy) throw new Error(`still unhealthy: ${s.reason}`);
    }, 90_000, 250);
    const conn = await retryUntil(() => transport.dial(harnessOnion), 90_000, 1000);
    console.log(
      `      tor client re-bootstrapped in ${bootSeconds} s; transport healthy and dialing again ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after restart`,
    );
    expect((await echoRoundTrip(conn.stream, Buffer.from('back again'))).toString()).to.equal('back again');
    conn.stream.destroy();
    expect(logLines.some((l) => l.includes('SOCKS proxy is reachable again'))).to.equal(true);
    expect(logLines.filter((l) => l.includes('onion service published')).length).to.be.at.least(2);
  });
});
