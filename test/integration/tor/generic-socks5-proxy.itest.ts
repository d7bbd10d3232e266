import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import sinon from 'sinon';
import { RecordingLogger, RecordingPluginContext, createTestTransportContext } from '@veilnode/compliance';
import { SocksDialer, SocksErrorCode, parseSocksProxy } from '@veilnode/plugin-api';
import { clearnetPlugin } from '@veilnode/clearnet';
import { executableMissingReason, skipOrFailWithout } from '../../src/harness/daemon-requirement';
import { echoRoundTrip, retryUntil } from './fixture';

const MICROSOCKS = process.env.MICROSOCKS ?? '/usr/bin/microsocks';
/** microsocks binds its outgoing connections to this loopback address: the target sees it. */
const PROXY_EGRESS = '127.0.0.2';

/** A running microsocks (by PID) with a target server that records where connections come from. */
interface ProxyBed {
  readonly proxyPort: number;
  readonly targetPort: number;
  /** Remote address of every connection the target accepted. */
  readonly seen: string[];
  stop(): Promise<void>;
}

/**
 * Starts microsocks on 127.0.0.1:`port` requiring `user`/`password`, its outgoing connections
 * bound to PROXY_EGRESS, and an echo target on 127.0.0.1. Skips the suite if microsocks is missing (fails under CI=true).
 */
async function startProxyBed(ctx: Mocha.Context, port: number, user: string, password: string): Promise<ProxyBed> {
  skipOrFailWithout(ctx, executableMissingReason(MICROSOCKS, 'microsocks'));
  const seen: string[] = [];
  const target: Server = createServer((s) => {
    seen.push(s.remoteAddress ?? '?');
    s.pipe(s);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const proxy: ChildProcess = spawn(MICROSOCKS, ['-i', '127.0.0.1', '-p', String(port), '-u', user, '-P', password, '-b', PROXY_EGRESS], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    if (proxy.exitCode === null) proxy.kill('SIGTERM');
    await new Promise<void>((r) => target.close(() => r()));
  };
  try {
    await retryUntil(
      () =>
        new Promise<void>((resolve, reject) => {
          const s = new Socket();
          s.once('error', reject);
          s.connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve();
          });
        }),
      5_000,
      100,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { proxyPort: port, targetPort: (target.address() as AddressInfo).port, seen, stop };
}

const basePort = (): number => Number(process.env.TOR_NET_BASE_PORT ?? 15000);

/**
 * SocksDialer against a real generic SOCKS5 server (Debian's microsocks) with username/password:
 * every connection must reach the target from the proxy's egress address, never directly.
 */
describe('SocksDialer through a generic SOCKS5 server (microsocks)', function () {
  this.timeout(60_000);
  let bed: ProxyBed | undefined;

  before(async function () {
    bed = await startProxyBed(this, basePort() + 45, 'veil', 's3cret-pw');
  });
  after(async () => {
    sinon.restore();
    await bed?.stop();
  });

  it('carries every connection through the proxy, with its credentials, and resolves nothing locally', async () => {
    const { proxyPort, targetPort, seen } = bed as ProxyBed;
    const lookup = sinon.spy(dns, 'lookup');
    const dialer = new SocksDialer({ proxy: parseSocksProxy(`socks5://veil:s3cret-pw@127.0.0.1:${proxyPort}`) });
    const streams = [await dialer.dial('127.0.0.1', targetPort), await dialer.dial('localhost', targetPort), await dialer.dial('127.0.0.1', targetPort)];
    for (const [i, s] of streams.entries()) {
      expect((await echoRoundTrip(s, Buffer.from(`via proxy ${i}`))).toString()).to.equal(`via proxy ${i}`);
      s.destroy();
    }
    expect(seen).to.deep.equal([PROXY_EGRESS, PROXY_EGRESS, PROXY_EGRESS]);
    expect(lookup.called, 'local DNS lookup').to.equal(false);
  });

  it('maps a wrong password to ProxyAuthFailed and never shows the password', async () => {
    const { proxyPort, targetPort } = bed as ProxyBed;
    const err = await new SocksDialer({ proxy: parseSocksProxy(`socks5://veil:wrong-pw@127.0.0.1:${proxyPort}`) }).dial('127.0.0.1', targetPort).then(
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
    const err = await new SocksDialer({ proxy: parseSocksProxy(`socks5://veil:s3cret-pw@127.0.0.1:${(bed as ProxyBed).proxyPort}`) }).dial('127.0.0.1', port).then(
      () => expect.fail('dial to a closed port succeeded'),
      (e: Error & { code: string }) => e,
    );
    expect(err.code).to.equal(SocksErrorCode.ConnectionRefused);
  });
});

describe('clearnet in all-traffic --proxy mode through microsocks', function () {
  this.timeout(60_000);
  let bed: ProxyBed | undefined;

  before(async function () {
    bed = await startProxyBed(this, basePort() + 46, 'veil', 'clearnet-pw');
  });
  after(async () => {
    await bed?.stop();
  });

  it('dials every clearnet peer through the proxy (zones.clearnet.proxy), never directly', async () => {
    const { proxyPort, targetPort, seen } = bed as ProxyBed;
    const registered = new RecordingPluginContext({ pluginName: 'clearnet', config: { dialTimeoutMs: 10_000 } });
    clearnetPlugin.register(registered);
    const logger = new RecordingLogger();
    const transport = registered.transports[0].create(
      createTestTransportContext({ zone: 'clearnet', zoneConfig: { proxy: parseSocksProxy(`socks5://veil:clearnet-pw@127.0.0.1:${proxyPort}`) }, logger }),
    );
    try {
      for (let i = 0; i < 3; i++) {
        const conn = await transport.dial({ zone: 'clearnet', host: '127.0.0.1', port: targetPort });
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
