import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { RpcMethodRegistry } from '../../src/rpc/rpc-method-registry';
import { RpcServer } from '../../src/rpc/rpc-server';
import type { RpcTlsMode } from '../../src/rpc/tls-listener';
import type { PemCertificate } from '../../src/rpc/self-signed-certificate';
import { parseUpstreamAddress, type UpstreamAddress } from '../../src/config/upstream-address';
import { UpstreamDaemon } from '../../src/rpc/upstream/upstream-daemon';
import { directDialer } from '../../src/rpc/upstream/upstream-dialers';
import { loadRpcTls } from '../../src/rpc/rpc-tls-config';
import { ConfigError } from '@veilnode/plugin-api';

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { a: 1 } });

/**
 * POSTs the echo call over https (trusting `ca`; with `pinned`, only a certificate of that SHA-256
 * fingerprint, whatever its names, as a wallet pins one) or plain http; the answer text or the error code.
 */
function call(port: number, tls: boolean, ca?: string, pinned?: string): Promise<string> {
  if (!tls) {
    return fetch(`http://127.0.0.1:${port}/json_rpc`, { method: 'POST', body: BODY }).then(
      (r) => r.text(),
      (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
    );
  }
  return new Promise((resolve) => {
    const pin = pinned === undefined ? {} : { checkServerIdentity: (_: string, cert: PeerCertificate) => (cert.fingerprint256 === pinned ? undefined : new Error('not the pinned certificate')) };
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/json_rpc', method: 'POST', ca, agent: false, ...pin }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end(BODY);
  });
}

describe('RPC over TLS (--rpc-ssl) and an https upstream', function () {
  this.timeout(20_000);
  let dir: string;
  let certificate: string;
  let privateKey: string;
  const servers: RpcServer[] = [];

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'veilnode-tls-'));
    try {
      await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1']);
    } catch {
      this.skip(); // no openssl binary
    }
    certificate = await readFile(join(dir, 'cert.pem'), 'utf8');
    privateKey = await readFile(join(dir, 'key.pem'), 'utf8');
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** `pem` null: no certificate files, the server makes its own. */
  async function start(mode: RpcTlsMode, pem: PemCertificate | null = { certificate, privateKey }, logger = new RecordingLogger()): Promise<number> {
    const methods = new RpcMethodRegistry();
    methods.add('echo', (params) => params, { restricted: true }, 'fixture');
    const server = new RpcServer({ bindIp: '127.0.0.1', bindPort: 0, maxBodyBytes: 1024, restricted: false, login: null, zone: 'clearnet', tls: { mode, pem: pem ?? undefined } }, methods, logger);
    await server.start();
    servers.push(server);
    return Number((server.address as string).split(':')[1]);
  }

  it('autodetect serves TLS and plain HTTP on one port', async () => {
    const port = await start('autodetect');
    expect(await call(port, true, certificate)).to.contain('"result":{"a":1}');
    expect(await call(port, false)).to.contain('"result":{"a":1}');
  });

  it('enabled serves TLS only; a client that does not trust the certificate is refused by its own check', async () => {
    const port = await start('enabled');
    expect(await call(port, true, certificate)).to.contain('"result":{"a":1}');
    expect(await call(port, false)).not.to.contain('result');
    expect(await call(port, true)).to.equal('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('an https upstream is verified: accepted with the pinned certificate, refused without it', async () => {
    const port = await start('enabled');
    const upstream = (tlsCa?: string): UpstreamDaemon =>
      new UpstreamDaemon({ address: parseUpstreamAddress(`https://127.0.0.1:${port}`) as UpstreamAddress, login: null, dialer: directDialer, connectTimeoutMs: 2_000, idleTimeoutMs: 2_000, tlsCa });
    const pinned = upstream(certificate);
    expect(await pinned.jsonRpc('echo', { b: 2 })).to.deep.equal({ b: 2 });
    pinned.close();
    const systemCas = upstream();
    const error = await systemCas.jsonRpc('echo').then(() => undefined, (e: Error) => e);
    systemCas.close();
    expect(error?.message).to.match(/TLS with the upstream daemon failed: self.signed certificate/);
  });

  it('without certificate files makes a self-signed one at start, as monerod does: TLS and plain HTTP on one port, its fingerprint logged', async () => {
    const logger = new RecordingLogger();
    const port = await start('autodetect', null, logger);
    const made = logger.entries.find((e) => e.fields.event === 'rpc_tls_certificate_made');
    expect(made?.level).to.equal('info');
    const served = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        resolve(new X509Certificate(socket.getPeerCertificate(true).raw));
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(served.fingerprint256).to.equal(made?.fields.fingerprint);
    expect(served.subject ?? '').to.equal('');
    expect(served.serialNumber).to.equal('01');
    expect(served.checkIssued(served)).to.equal(true);
    expect(served.ca).to.equal(false);
    expect(await call(port, true, served.toString(), served.fingerprint256)).to.contain('"result":{"a":1}');
    expect(await call(port, false)).to.contain('"result":{"a":1}');
    // a second start makes another key: nothing ties two runs of the node together
    const again = new RecordingLogger();
    await start('enabled', null, again);
    expect(again.entries.find((e) => e.fields.event === 'rpc_tls_certificate_made')?.fields.fingerprint).to.be.a('string').and.not.equal(made?.fields.fingerprint);
  });

  it('config: both files or neither; without them TLS uses a certificate made at start', () => {
    expect(() => loadRpcTls({ mode: 'autodetect', certificate: join(dir, 'cert.pem'), privateKey: null })).to.throw(ConfigError, /both/);
    expect(loadRpcTls({ mode: 'enabled', certificate: null, privateKey: null })).to.deep.equal({ mode: 'enabled' });
    expect(loadRpcTls({ mode: 'autodetect', certificate: null, privateKey: null })).to.deep.equal({ mode: 'autodetect' });
    expect(loadRpcTls({ mode: 'disabled', certificate: join(dir, 'cert.pem'), privateKey: join(dir, 'key.pem') })).to.equal(undefined);
    expect(loadRpcTls({ mode: 'enabled', certificate: join(dir, 'cert.pem'), privateKey: join(dir, 'key.pem') })).to.deep.equal({ mode: 'enabled', pem: { certificate, privateKey } });
  });
});
