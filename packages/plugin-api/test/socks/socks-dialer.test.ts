import { expect } from 'chai';
import dns from 'node:dns';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { inspect } from 'node:util';
import sinon from 'sinon';
import { AbortedError, TimeoutError } from '../../src/errors';
import type { Logger } from '../../src/logger';
import { SocksDialer } from '../../src/socks/socks-dialer';
import { SocksError, SocksErrorCode } from '../../src/socks/socks-errors';
import { probeSocksProxy } from '../../src/socks/socks-probe';
import { parseSocksProxy } from '../../src/socks/socks-proxy';
import { rejectionOf } from '../../src/testing/rejection-of';
import { FakeSocksServer } from './fake-socks-server';

const ONION = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';

function roundTrip(socket: Socket, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    socket.on('data', (c: Buffer) => {
      parts.push(c);
      n += c.length;
      if (n >= data.length) resolve(Buffer.concat(parts));
    });
    socket.on('error', reject);
    socket.write(data);
  });
}

describe('SocksDialer', () => {
  let proxy: FakeSocksServer;
  let sockets: Socket[];

  beforeEach(async () => {
    proxy = new FakeSocksServer();
    await proxy.start();
    sockets = [];
  });
  afterEach(async () => {
    sinon.restore();
    for (const s of sockets) s.destroy();
    await proxy.stop();
  });

  const dialer = (uri: string, extra: Partial<ConstructorParameters<typeof SocksDialer>[0]> = {}): SocksDialer =>
    new SocksDialer({ proxy: uri.replace('PORT', String(proxy.port)), ...extra });

  it('sends an onion name to a SOCKS5 proxy as ATYP 3 and never calls local DNS', async () => {
    const spies = [
      sinon.spy(dns, 'lookup'),
      sinon.spy(dns.promises, 'lookup'),
      sinon.spy(dns, 'resolve'),
      sinon.spy(dns, 'resolve4'),
      sinon.spy(dns, 'resolve6'),
      sinon.spy(dns.promises, 'resolve'),
    ];
    const s = await dialer('socks5://127.0.0.1:PORT').dial(ONION, 18083);
    sockets.push(s);
    expect(await roundTrip(s, Buffer.from('ping'))).to.deep.equal(Buffer.from('ping'));
    expect(proxy.requests).to.have.length(1);
    expect(proxy.requests[0]).to.include({ version: 5, atyp: 3, host: ONION, port: 18083 });
    for (const spy of spies) expect(spy.called, 'a DNS function was called').to.equal(false);
  });

  it('sends DNS names to the proxy unresolved too (SOCKS5 and SOCKS4a)', async () => {
    const lookup = sinon.spy(dns, 'lookup');
    sockets.push(await dialer('socks5://127.0.0.1:PORT').dial('node.example.org', 18080));
    sockets.push(await dialer('socks4a://127.0.0.1:PORT').dial('node.example.org', 18080));
    expect(proxy.requests.map((r) => [r.version, r.atyp, r.host])).to.deep.equal([
      [5, 3, 'node.example.org'],
      [4, 3, 'node.example.org'],
    ]);
    expect(lookup.called).to.equal(false);
  });

  it('uses the SOCKS4a host-name form for onions', async () => {
    const s = await dialer('socks4a://127.0.0.1:PORT', { isolation: false }).dial(ONION, 18083);
    sockets.push(s);
    expect(await roundTrip(s, Buffer.from('x'.repeat(1000)))).to.have.length(1000);
    expect(proxy.requests[0]).to.include({ version: 4, atyp: 3, host: ONION, port: 18083 });
    expect(proxy.requests[0].username).to.equal(undefined);
  });

  it('isolates streams: fresh random user=password on every SOCKS5 connection', async () => {
    const d = dialer('socks5://127.0.0.1:PORT');
    for (let i = 0; i < 3; i++) sockets.push(await d.dial(ONION, 18083));
    const creds = proxy.requests.map((r) => r.username);
    expect(proxy.requests.every((r) => r.methods?.includes(2) && r.username === r.password)).to.equal(true);
    expect(new Set(creds).size).to.equal(3);
    creds.forEach((c) => expect(c).to.match(/^[0-9a-f]{24}$/));
  });

  it('isolates SOCKS4a streams with a random user id', async () => {
    const d = dialer('socks4a://127.0.0.1:PORT');
    sockets.push(await d.dial(ONION, 1), await d.dial(ONION, 1));
    const ids = proxy.requests.map((r) => r.username);
    expect(ids[0]).to.match(/^[0-9a-f]{24}$/);
    expect(ids[0]).to.not.equal(ids[1]);
  });

  it('offers no credentials at all when isolation is off', async () => {
    sockets.push(await dialer('127.0.0.1:PORT', { isolation: false }).dial(ONION, 18083));
    expect(proxy.requests[0].methods).to.deep.equal([0]);
    expect(proxy.requests[0].username).to.equal(undefined);
  });

  it('a fresh-credentials dial (a carrier) gets its own random user=password even with isolation off', async () => {
    const d = dialer('127.0.0.1:PORT', { isolation: false });
    sockets.push(await d.dial(ONION, 18083, { freshCredentials: true }), await d.dial(ONION, 18083, { freshCredentials: true }));
    const creds = proxy.requests.map((r) => r.username);
    creds.forEach((c) => expect(c).to.match(/^[0-9a-f]{24}$/));
    expect(creds[0]).to.not.equal(creds[1]);
  });

  it('refuses a fresh-credentials dial through a proxy with fixed credentials, sending nothing', async () => {
    const err = await rejectionOf(dialer('socks5://alice:hunter2@127.0.0.1:PORT').dial(ONION, 1, { freshCredentials: true }));
    expect(err).to.be.instanceOf(SocksError);
    expect(proxy.requests).to.deep.equal([]);
  });

  it('uses fixed credentials for a proxy that requires them', async () => {
    proxy.behaviour = { requireAuth: { username: 'alice', password: 'hunter2' } };
    sockets.push(await dialer('socks5://alice:hunter2@127.0.0.1:PORT').dial('10.1.2.3', 18080));
    expect(proxy.requests[0]).to.include({ username: 'alice', password: 'hunter2', atyp: 1, host: '10.1.2.3' });
  });

  it('maps wrong credentials to ProxyAuthFailed without leaking them', async () => {
    proxy.behaviour = { requireAuth: { username: 'alice', password: 'right' } };
    const err = await rejectionOf(dialer('socks5://alice:hunter2@127.0.0.1:PORT').dial(ONION, 1));
    expect(err).to.be.instanceOf(SocksError).with.property('code', SocksErrorCode.ProxyAuthFailed);
    const shown = [err.message, JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), String((err as Error).stack)].join('\n');
    expect(shown).to.not.include('hunter2');
    expect((err as Error).cause).to.equal(undefined);
  });

  it('maps "auth required but we offered none" to ProxyAuthFailed', async () => {
    proxy.behaviour = { requireAuth: { username: 'a', password: 'b' } };
    const err = await rejectionOf(dialer('127.0.0.1:PORT', { isolation: false }).dial(ONION, 1));
    expect(err).to.have.property('code', SocksErrorCode.ProxyAuthFailed);
  });

  const socks5Replies: Array<[number, string, string]> = [
    [0x01, 'node.example.org', SocksErrorCode.GeneralFailure],
    [0x02, 'node.example.org', SocksErrorCode.NotAllowed],
    [0x03, 'node.example.org', SocksErrorCode.NetworkUnreachable],
    [0x04, 'node.example.org', SocksErrorCode.HostUnreachable],
    [0x04, ONION, SocksErrorCode.OnionServiceUnreachable],
    [0x05, ONION, SocksErrorCode.ConnectionRefused],
    [0x06, ONION, SocksErrorCode.TtlExpired],
    [0x07, ONION, SocksErrorCode.CommandNotSupported],
    [0x08, ONION, SocksErrorCode.AddressTypeNotSupported],
    [0xf0, ONION, SocksErrorCode.OnionServiceNotFound],
    [0xf1, ONION, SocksErrorCode.OnionServiceDescriptorInvalid],
    [0xf2, ONION, SocksErrorCode.OnionServiceIntroFailed],
    [0xf3, ONION, SocksErrorCode.OnionServiceRendezvousFailed],
    [0xf4, ONION, SocksErrorCode.OnionServiceMissingClientAuth],
    [0xf5, ONION, SocksErrorCode.OnionServiceWrongClientAuth],
    [0xf6, ONION, SocksErrorCode.OnionServiceInvalidAddress],
    [0xf7, ONION, SocksErrorCode.OnionServiceIntroTimedOut],
  ];
  for (const [reply, host, code] of socks5Replies) {
    it(`maps SOCKS5 reply 0x${reply.toString(16)} for ${host === ONION ? 'an onion' : 'a DNS name'} to ${code}`, async () => {
      proxy.behaviour = { reply };
      const err = await rejectionOf(dialer('socks5://127.0.0.1:PORT').dial(host, 18083));
      expect(err).to.be.instanceOf(SocksError);
      expect(err).to.have.property('code', code);
      expect((err as SocksError).context).to.include({ reply, proxy: `socks5://127.0.0.1:${proxy.port}` });
      expect((err as SocksError).isProxyFailure).to.equal(false);
    });
  }

  it('maps SOCKS4a reply 0x5b to Socks4Rejected', async () => {
    proxy.behaviour = { reply: 0x5b };
    const err = await rejectionOf(dialer('socks4a://127.0.0.1:PORT').dial(ONION, 18083));
    expect(err).to.have.property('code', SocksErrorCode.Socks4Rejected);
  });

  it('reports ProxyUnreachable when nothing listens on the proxy port', async () => {
    // the next test's proxy starts before this one stops: it cannot be given the freed port
    const dead = proxy;
    proxy = new FakeSocksServer();
    await proxy.start();
    const port = dead.port;
    await dead.stop();
    const err = await rejectionOf(new SocksDialer({ proxy: `127.0.0.1:${port}` }).dial(ONION, 18083));
    expect(err).to.be.instanceOf(SocksError).with.property('code', SocksErrorCode.ProxyUnreachable);
    expect((err as SocksError).isProxyFailure).to.equal(true);
    expect(err.message).to.include('ECONNREFUSED');
  });

  it('reports ProxyProtocolError when the proxy is not SOCKS', async () => {
    const http = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const err = await rejectionOf(new SocksDialer({ proxy: `127.0.0.1:${(http.address() as AddressInfo).port}` }).dial(ONION, 1));
      expect(err).to.have.property('code', SocksErrorCode.ProxyProtocolError);
    } finally {
      http.close();
    }
  });

  it('times out a proxy that never answers, leaving no socket open', async () => {
    proxy.behaviour = { silent: true };
    const started = Date.now();
    const err = await rejectionOf(dialer('socks5://127.0.0.1:PORT', { timeoutMs: 200 }).dial(ONION, 1));
    expect(err).to.be.instanceOf(TimeoutError);
    expect(Date.now() - started).to.be.within(150, 2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.openConnections).to.equal(0);
  });

  it('aborts a pending dial via AbortSignal and rejects at once when already aborted', async () => {
    proxy.behaviour = { silent: true };
    const ac = new AbortController();
    const p = dialer('socks5://127.0.0.1:PORT').dial(ONION, 1, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(await rejectionOf(p)).to.be.instanceOf(AbortedError);
    const before = proxy.requests.length;
    expect(await rejectionOf(dialer('socks5://127.0.0.1:PORT').dial(ONION, 1, { signal: AbortSignal.abort() }))).to.be.instanceOf(AbortedError);
    expect(proxy.requests.length).to.equal(before);
  });

  it('serves as a Dialer: connect() rejects with the signal\'s reason when aborted', async () => {
    const d = dialer('socks5://127.0.0.1:PORT');
    const s = await d.connect({ host: ONION, port: 18083 }, new AbortController().signal);
    sockets.push(s as Socket);
    expect(proxy.requests[0]).to.include({ atyp: 3, host: ONION });
    proxy.behaviour = { silent: true };
    const ac = new AbortController();
    const reason = new Error('caller gave up');
    const pending = d.connect({ host: ONION, port: 18083 }, ac.signal);
    setTimeout(() => ac.abort(reason), 30);
    expect(await rejectionOf(pending)).to.equal(reason);
  });

  it('probes a live proxy without asking it to connect anywhere, and reports a dead one', async () => {
    await probeSocksProxy(parseSocksProxy(`127.0.0.1:${proxy.port}`));
    await probeSocksProxy(parseSocksProxy(`socks4a://127.0.0.1:${proxy.port}`));
    expect(proxy.requests).to.have.length(0);
    // the next test's proxy starts before this one stops: it cannot be given the freed port
    const dead = proxy;
    proxy = new FakeSocksServer();
    await proxy.start();
    const port = dead.port;
    await dead.stop();
    const err = await rejectionOf(probeSocksProxy(parseSocksProxy(`127.0.0.1:${port}`)));
    expect(err).to.be.instanceOf(SocksError).with.property('code', SocksErrorCode.ProxyUnreachable);
  });

  it('keeps bytes the target sent together with the proxy reply', async () => {
    proxy.behaviour = { greetingAfterReply: Buffer.from('hello-from-target') };
    const s = await dialer('socks5://127.0.0.1:PORT').dial(ONION, 18083);
    sockets.push(s);
    await new Promise((r) => setTimeout(r, 30)); // a caller that attaches its reader late
    const first = await new Promise<Buffer>((resolve) => s.once('data', resolve));
    expect(first.toString()).to.equal('hello-from-target');
  });

  it('rejects impossible targets before touching the proxy', async () => {
    const d = dialer('socks4a://127.0.0.1:PORT');
    expect(await rejectionOf(d.dial('::1', 80))).to.have.property('code', SocksErrorCode.AddressTypeNotSupported);
    expect(await rejectionOf(d.dial(ONION, 0))).to.match(/port must be 1\.\.65535/);
    expect(await rejectionOf(d.dial('bad host', 1))).to.match(/printable ASCII/);
    expect(proxy.requests).to.have.length(0);
  });

  it('logs no credentials', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      trace: (o, m) => lines.push(JSON.stringify(o) + m),
      debug: (o, m) => lines.push(JSON.stringify(o) + m),
      info: (o, m) => lines.push(JSON.stringify(o) + m),
      warn: (o, m) => lines.push(JSON.stringify(o) + m),
      error: (o, m) => lines.push(JSON.stringify(o) + m),
      child: () => logger,
    };
    proxy.behaviour = { requireAuth: { username: 'alice', password: 'hunter2' } };
    sockets.push(await dialer('socks5://alice:hunter2@127.0.0.1:PORT', { logger }).dial(ONION, 1));
    expect(lines.length).to.be.greaterThan(0);
    expect(lines.join('\n')).to.not.include('hunter2');
  });
});
