import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import { accessSync, constants } from 'node:fs';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import sinon from 'sinon';
import { RecordingLogger, RecordingPluginContext, createTestTransportContext } from '@veilnode/compliance';
import { SocksDialer, SocksErrorCode } from '@veilnode/core';
import { clearnetPlugin } from '@veilnode/clearnet';
import { echoRoundTrip, retryUntil } from './fixture';

const MICROSOCKS = process.env.MICROSOCKS ?? '/usr/bin/microsocks';
/** microsocks binds its outgoing connections to this loopback address: the target sees it. */
const PROXY_EGRESS = '127.0.0.2';

/**
 * SocksDialer against a real generic SOCKS5 server (Debian's microsocks) with username/password:
 * every connection must reach the target from the proxy's egress address, never directly.
 */
describe('SocksDialer through a generic SOCKS5 server (microsocks)', function () {
  this.timeout(60_000);
  let proxy: ChildProcess | undefined;
  let proxyPort: number;
  let target: Server;
  const seen: string[] = [];

  before(async function () {
    try {
      accessSync(MICROSOCKS, constants.X_OK);
    } catch {
      console.log(`      skipping: ${MICROSOCKS} is not installed (apt-get install microsocks)`);
      this.skip();
    }
    target = createServer((s) => {
      seen.push(s.remoteAddress ?? '?');
      s.pipe(s);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    proxyPort = Number(process.env.TOR_NET_BASE_PORT ?? 15000) + 45;
    proxy = spawn(MICROSOCKS, ['-i', '127.0.0.1', '-p', String(proxyPort), '-u', 'veil', '-P', 's3cret-pw', '-b', PROXY_EGRESS], { stdio: 'ignore' });
    await retryUntil(
      () =>
        new Promise<void>((resolve, reject) => {
          const s = new Socket();
          s.once('error', reject);
          s.connect(proxyPort, '127.0.0.1', () => {
            s.destroy();
            resolve();
          });
        }),
      5_000,
      100,
    );
  });
  after(async () => {
    if (proxy?.pid !== undefined && proxy.exitCode === null) proxy.kill('SIGTERM');
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
    sinon.restore();
  });

  it('carries every connection through the proxy, with its credentials, and resolves nothing locally', async () => {
    const lookup = sinon.spy(dns, 'lookup');
    const dialer = new SocksDialer({ proxy: `socks5://veil:s3cret-pw@127.0.0.1:${proxyPort}` });
    const port = (target.address() as AddressInfo).port;
    const streams = [await dialer.dial('127.0.0.1', port), await dialer.dial('localhost', port), await dialer.dial('127.0.0.1', port)];
    for (const [i, s] of streams.entries()) {
      expect((await echoRoundTrip(s, Buffer.from(`via proxy ${i}`))).toString()).to.equal(`via proxy ${i}`);
      s.destroy();
    }
    expect(seen).to.deep.equal([PROXY_EGRESS, PROXY_EGRESS, PROXY_EGRESS]);
    expect(lookup.called, 'local DNS lookup').to.equal(false);
  });

  it('maps a wrong password to ProxyAuthFailed and never shows the password', async () => {
    const dialer = new SocksDialer({ proxy: `socks5://veil:wrong-pw@127.0.0.1:${proxyPort}` });
    const err = await dialer.dial('127.0.0.1', (target.address() as AddressInfo).port).then(
      () => expect.fail('dial with a wrong password succeeded'),
      (e: Error & { code: string }) => e,
    );
    expect(err.code).to.equal(SocksErrorCode.ProxyAuthFailed);
    expect(`${err.message} ${JSON.stringify(err)} ${err.stack}`).to.not.include('wrong-pw');
  });

  it('maps a refused target port to ConnectionRefused', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await new SocksDialer({ proxy: `socks5://veil:s3cret-pw@127.0.0.1:${proxyPort}` }).dial('127.0.0.1', port).then(
      () => expect.fail('dial to a closed port succeeded'),
      (e: Error & { code: string }) => e,
    );
    expect(err.code).to.equal(SocksErrorCode.ConnectionRefused);
  });
});

describe('clearnet in all-traffic --proxy mode through microsocks', function () {
  this.timeout(60_000);
  let proxy: ChildProcess | undefined;
  let proxyPort: number;
  let target: Server;
  const seen: string[] = [];

  before(async function () {
    try {
      accessSync(MICROSOCKS, constants.X_OK);
    } catch {
      console.log(`      skipping: ${MICROSOCKS} is not installed (apt-get install microsocks)`);
      this.skip();
    }
    target = createServer((s) => {
      seen.push(s.remoteAddress ?? '?');
      s.pipe(s);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    proxyPort = Number(process.env.TOR_NET_BASE_PORT ?? 15000) + 46;
    proxy = spawn(MICROSOCKS, ['-i', '127.0.0.1', '-p', String(proxyPort), '-u', 'veil', '-P', 'clearnet-pw', '-b', PROXY_EGRESS], { stdio: 'ignore' });
    await retryUntil(
      () =>
        new Promise<void>((resolve, reject) => {
          const s = new Socket();
          s.once('error', reject);
          s.connect(proxyPort, '127.0.0.1', () => {
            s.destroy();
            resolve();
          });
        }),
      5_000,
      100,
    );
  });
  after(async () => {
    if (proxy?.pid !== undefined && proxy.exitCode === null) proxy.kill('SIGTERM');
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  });

  it('dials every clearnet peer through the proxy (zones.clearnet.proxy), never directly', async () => {
    const registered = new RecordingPluginContext({ pluginName: 'clearnet', config: { dialTimeoutMs: 10_000 } });
    clearnetPlugin.register(registered);
    const logger = new RecordingLogger();
    const transport = registered.transports[0].create(
      createTestTransportContext({ zone: 'clearnet', zoneConfig: { proxy: `socks5://veil:clearnet-pw@127.0.0.1:${proxyPort}` }, logger }),
    );
    const port = (target.address() as AddressInfo).port;
    try {
      for (let i = 0; i < 3; i++) {
        const conn = await transport.dial({ zone: 'clearnet', host: '127.0.0.1', port });
        expect((await echoRoundTrip(conn.stream, Buffer.from(`peer ${i}`))).toString()).to.equal(`peer ${i}`);
        conn.stream.destroy();
      }
      expect(seen).to.deep.equal([PROXY_EGRESS, PROXY_EGRESS, PROXY_EGRESS]);
      expect(JSON.stringify(logger.entries)).to.not.include('clearnet-pw');
    } finally {
      await transport.stop();
    }
  });
});
