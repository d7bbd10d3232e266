import { parseSocksProxy } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Listener, TransportConnection } from '@veilnode/plugin-api';
import { OnionServiceKey, OnionV3Codec, ONION_KEY_FILE, TorControlClient, TorTransport } from '@veilnode/tor';
import { echoRoundTrip, recordingLogger, retryUntil, torFixture, transportContext, type TorFixture } from './fixture';

describe('TorTransport creates its own onion service via the control port (ADD_ONION)', function () {
  this.timeout(240_000);
  let fx: TorFixture;
  const codec = new OnionV3Codec();
  const logLines: string[] = [];
  let ctx: ReturnType<typeof transportContext>;
  let service: TorTransport;
  let listener: Listener;
  const inbound: TransportConnection[] = [];

  before(async function () {
    fx = await torFixture(this);
    // ADD_ONION on the onion-service node's tor; the client tor dials it like any remote peer.
    ctx = transportContext(
      { proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPort}`), inbound: { address: `${fx.net.onionHostname}:18083`, bind: { host: '127.0.0.1', port: 0 }, max: 8 } },
      { control: `127.0.0.1:${fx.net.controlPortHs}`, retryInitialMs: 500, retryMaxMs: 2000 },
      recordingLogger(logLines),
    );
    service = new TorTransport(ctx);
  });
  after(async () => {
    await service?.stop();
    ctx?.cleanup();
  });

  it('publishes an onion derived from a key it generated and stored with mode 0600', async () => {
    const started = Date.now();
    // every accepted stream echoes: a dial attempt that failed on the client side after tor had
    // already connected the service end leaves an extra inbound stream before the one that counts
    listener = await service.listen((c) => {
      inbound.push(c);
      c.stream.on('error', () => undefined);
      c.stream.pipe(c.stream);
    });
    await service.whenPublished();
    console.log(`      ADD_ONION published after ${Date.now() - started} ms`);
    const keyFile = join(ctx.dataDir, ONION_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
    const key = OnionServiceKey.fromTorKeyBlob(readFileSync(keyFile, 'utf8'), keyFile);
    // tor's ServiceID for our key equals the address we derived ourselves (checked by the publisher too)
    expect(listener.addresses).to.deep.equal([`${key.host}:18083`]);
    expect(listener.addresses[0]).to.not.include(fx.net.onionHostname);
    expect(codec.parse(listener.addresses[0]).host).to.equal(key.host);
    expect(service.status()).to.deep.equal({ healthy: true });
  });

  it('is reached by a second connection through Tor; the inbound side has no remote address', async () => {
    const dialer = new TorTransport(transportContext({ proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPortExt}`) }, { socksTimeoutMs: 30_000 }));
    try {
      const started = Date.now();
      // The descriptor needs a few seconds to reach the HSDirs: until then tor says 0xF0.
      const conn = await retryUntil(() => dialer.dial(codec.parse(listener.addresses[0])), 120_000, 1000);
      console.log(`      our onion reachable ${Date.now() - started} ms after publication`);
      await retryUntil(async () => {
        if (inbound.length === 0) throw new Error('no inbound connection yet');
      }, 10_000, 50);
      for (const peer of inbound) {
        expect(peer.direction).to.equal('inbound');
        expect(peer.remote).to.equal(undefined);
      }
      expect((await echoRoundTrip(conn.stream, Buffer.from('to our own onion'))).toString()).to.equal('to our own onion');
      console.log(`      inbound streams accepted for this dial and its retries: ${inbound.length}`);
      conn.stream.destroy();
    } finally {
      await dialer.stop();
    }
  });

  it('never logs the onion key', () => {
    const blob = readFileSync(join(ctx.dataDir, ONION_KEY_FILE), 'utf8').trim();
    const secret = blob.slice('ED25519-V3:'.length);
    expect(logLines.length).to.be.greaterThan(0);
    expect(logLines.join('\n')).to.not.include(secret);
    expect(logLines.join('\n')).to.not.include(Buffer.from(secret, 'base64').toString('hex'));
  });

  it('removes the service on close (DEL_ONION) and gets the same address back after a restart', async () => {
    const address = listener.addresses[0];
    await listener.close();
    await service.stop();
    // Same data dir: the stored key gives the same onion. ADD_ONION would answer 550 (collision)
    // if the previous service were still registered, so success also proves it was removed.
    const again = new TorTransport(transportContext(
      { proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPort}`), inbound: { address: `${fx.net.onionHostname}:18083`, bind: { host: '127.0.0.1', port: 0 }, max: 8 } },
      { control: `127.0.0.1:${fx.net.controlPortHs}`, retryInitialMs: 500, retryMaxMs: 2000 },
      recordingLogger([]),
      ctx.dataDir,
    ));
    try {
      const l2 = await again.listen(() => undefined);
      expect(l2.addresses).to.deep.equal([address]);
      await again.whenPublished();
      expect(again.status().healthy).to.equal(true);
    } finally {
      await again.stop();
    }
  });

  it('leaves no detached onion service behind on tor', async () => {
    const control = await TorControlClient.connect('127.0.0.1', fx.net.controlPortHs);
    try {
      await control.authenticate();
      expect(await control.getInfo('onions/detached')).to.equal('');
    } finally {
      await control.close();
    }
  });
});
