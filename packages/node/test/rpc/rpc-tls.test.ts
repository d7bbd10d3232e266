import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { RpcMethodRegistry } from '../../src/rpc/rpc-method-registry';
import { RpcServer } from '../../src/rpc/rpc-server';
import type { RpcTlsMode } from '../../src/rpc/tls-listener';
import { parseUpstreamAddress, type UpstreamAddress } from '../../src/config/upstream-address';
import { UpstreamDaemon } from '../../src/rpc/upstream/upstream-daemon';
import { directDialer } from '../../src/rpc/upstream/upstream-dialers';
import { loadRpcTls } from '../../src/rpc/rpc-tls-config';
import { ConfigError } from '@veilnode/plugin-api';

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { a: 1 } });

/** POSTs the echo call over https (trusting `ca`) or plain http; the answer text or the error code. */
function call(port: number, tls: boolean, ca?: string): Promise<string> {
  if (!tls) {
    return fetch(`http://127.0.0.1:${port}/json_rpc`, { method: 'POST', body: BODY }).then(
      (r) => r.text(),
      (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
    );
  }
  return new Promise((resolve) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/json_rpc', method: 'POST', ca, agent: false }, (res) => {
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

  async function start(mode: RpcTlsMode): Promise<number> {
    const methods = new RpcMethodRegistry();
    methods.add('echo', (params) => params, { restricted: true }, 'fixture');
    const server = new RpcServer({ bindIp: '127.0.0.1', bindPort: 0, maxBodyBytes: 1024, restricted: false, login: null, zone: 'clearnet', tls: { mode, certificate, privateKey } }, methods, new RecordingLogger());
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

  it('config: enabled needs both files; autodetect without them is plain HTTP', () => {
    expect(() => loadRpcTls({ mode: 'enabled', certificate: null, privateKey: null })).to.throw(ConfigError, /needs --rpc-ssl-certificate/);
    expect(() => loadRpcTls({ mode: 'autodetect', certificate: join(dir, 'cert.pem'), privateKey: null })).to.throw(ConfigError, /both/);
    expect(loadRpcTls({ mode: 'autodetect', certificate: null, privateKey: null })).to.equal(undefined);
    expect(loadRpcTls({ mode: 'disabled', certificate: join(dir, 'cert.pem'), privateKey: join(dir, 'key.pem') })).to.equal(undefined);
    expect(loadRpcTls({ mode: 'enabled', certificate: join(dir, 'cert.pem'), privateKey: join(dir, 'key.pem') })).to.deep.include({ mode: 'enabled', certificate });
  });
});
