import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { RpcMethodError } from '@veilnode/plugin-api';
import { digestHa1, digestResponse } from '../../src/rpc/digest-auth';
import { registerGetZones } from '../../src/rpc/get-zones-method';
import { RpcMethodRegistry } from '../../src/rpc/rpc-method-registry';
import { MAX_CONNECTIONS, RpcServer, type RpcServerOptions } from '../../src/rpc/rpc-server';
import type { ZoneStatus } from '../../src/rpc/zone-status';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(address: string, path: string, body: string | Buffer[], headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else {
      for (const chunk of body) req.write(chunk);
      req.end();
    }
  });
}

const ZONES: ZoneStatus[] = [
  { name: 'clearnet', transport: 'clearnet', enabled: true, inbound: ['127.0.0.1:18080'], connections: { in: 2, out: 1 }, queued: 0, noise: false, healthy: true },
  { name: 'tor', transport: 'tor', enabled: false, inbound: [], connections: { in: 0, out: 0 }, queued: 0, noise: false, healthy: true },
];

describe('RPC server', () => {
  let server: RpcServer;
  let methods: RpcMethodRegistry;
  let logger: RecordingLogger;

  async function startServer(options: Partial<RpcServerOptions> = {}): Promise<string> {
    methods = new RpcMethodRegistry();
    logger = new RecordingLogger();
    registerGetZones(methods, { zoneStatuses: () => ZONES, journalRecovery: () => ({ damagedRecords: 1, unreadableBytes: 20, movedAsideTo: '/data/txqueue/local-txs.journal.damaged-1' }) });
    methods.add('boom', () => {
      throw new Error('secret internals');
    }, {}, 'fixture');
    methods.add('teapot', () => {
      throw new RpcMethodError(-4, 'no tea');
    }, { restricted: true }, 'fixture');
    methods.add('echo', (params) => params, { restricted: true }, 'fixture');
    server = new RpcServer({ bindIp: '127.0.0.1', bindPort: 0, maxBodyBytes: 1024, restricted: false, login: null, zone: 'clearnet', ...options }, methods, logger);
    await server.start();
    return server.address as string;
  }

  afterEach(async () => server.stop());

  it('answers get_zones with every zone and what the journal found damaged at start', async () => {
    const address = await startServer();
    const reply = await post(address, '/json_rpc', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'get_zones' }));
    expect(reply.status).to.equal(200);
    expect(reply.headers['content-type']).to.equal('application/json');
    const journal = { damaged_records: 1, unreadable_bytes: 20, moved_aside_to: '/data/txqueue/local-txs.journal.damaged-1' };
    expect(JSON.parse(reply.body)).to.deep.equal({ jsonrpc: '2.0', id: 7, result: { zones: ZONES, journal } });
  });

  it('binds where configured (ephemeral port reported)', async () => {
    const address = await startServer();
    expect(address).to.match(/^127\.0\.0\.1:\d+$/);
    expect(address).not.to.equal('127.0.0.1:0');
  });

  const malformed: [string, string, object][] = [
    ['not JSON', '{"jsonrpc":', { id: null, error: { code: -32700, message: 'parse error: the body is not valid JSON' } }],
    ['empty body', '', { id: null, error: { code: -32700, message: 'parse error: the body is not valid JSON' } }],
    ['a JSON string', '"get_zones"', { id: null, error: { code: -32600, message: 'invalid request: the request must be a JSON object' } }],
    ['a batch', '[{"jsonrpc":"2.0","id":1,"method":"get_zones"}]', { id: null, error: { code: -32600, message: 'invalid request: batch requests are not supported' } }],
    ['no jsonrpc member', '{"id":3,"method":"get_zones"}', { id: 3, error: { code: -32600, message: 'invalid request: jsonrpc must be "2.0"' } }],
    ['method not a string', '{"jsonrpc":"2.0","id":"a","method":5}', { id: 'a', error: { code: -32600, message: 'invalid request: method must be a non-empty string' } }],
    ['params a string', '{"jsonrpc":"2.0","id":4,"method":"echo","params":"x"}', { id: 4, error: { code: -32600, message: 'invalid request: params must be an object or an array' } }],
    ['id an object', '{"jsonrpc":"2.0","id":{},"method":"echo"}', { id: null, error: { code: -32600, message: 'invalid request: id must be a string, a number or null' } }],
    ['unknown method', '{"jsonrpc":"2.0","id":5,"method":"get_info"}', { id: 5, error: { code: -32601, message: 'method not found: get_info' } }],
  ];
  for (const [what, body, expected] of malformed) {
    it(`answers ${what} with a JSON-RPC error`, async () => {
      const address = await startServer();
      const reply = await post(address, '/json_rpc', body);
      expect(reply.status).to.equal(200);
      expect(JSON.parse(reply.body)).to.deep.equal({ jsonrpc: '2.0', ...expected });
    });
  }

  it('turns a throwing handler into an internal error without leaking its message, and keeps serving', async () => {
    const address = await startServer();
    const reply = await post(address, '/json_rpc', '{"jsonrpc":"2.0","id":1,"method":"boom"}');
    expect(JSON.parse(reply.body)).to.deep.equal({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'internal error in boom' } });
    expect(logger.entries.some((e) => e.msg === 'RPC method threw' && JSON.stringify(e.fields).includes('secret internals'))).to.equal(true);
    const next = await post(address, '/json_rpc', '{"jsonrpc":"2.0","id":2,"method":"echo","params":{"a":1}}');
    expect(JSON.parse(next.body)).to.deep.equal({ jsonrpc: '2.0', id: 2, result: { a: 1 } });
  });

  it('answers with the code of an RpcMethodError', async () => {
    const address = await startServer();
    const reply = await post(address, '/json_rpc', '{"jsonrpc":"2.0","id":1,"method":"teapot"}');
    expect(JSON.parse(reply.body)).to.deep.equal({ jsonrpc: '2.0', id: 1, error: { code: -4, message: 'no tea' } });
  });

  it('answers a notification (no id) with 204 and no body', async () => {
    const address = await startServer();
    const reply = await post(address, '/json_rpc', '{"jsonrpc":"2.0","method":"echo"}');
    expect(reply.status).to.equal(204);
    expect(reply.body).to.equal('');
  });

  it('refuses an oversize body, declared or streamed, with 413 and a JSON-RPC error', async () => {
    const address = await startServer();
    const expected = { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'request body exceeds 1024 bytes' } };
    const declared = await post(address, '/json_rpc', 'x'.repeat(2000));
    expect(declared.status).to.equal(413);
    expect(JSON.parse(declared.body)).to.deep.equal(expected);
    const streamed = await post(address, '/json_rpc', [Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20)], { 'Transfer-Encoding': 'chunked' });
    expect(streamed.status).to.equal(413);
    expect(JSON.parse(streamed.body)).to.deep.equal(expected);
    const after = await post(address, '/json_rpc', '{"jsonrpc":"2.0","id":9,"method":"get_zones"}');
    expect(after.status).to.equal(200);
  });

  it('answers unknown paths with 404 and non-POST with 405', async () => {
    const address = await startServer();
    const missing = await post(address, '/get_info', '{}');
    expect(missing.status).to.equal(404);
    expect(JSON.parse(missing.body).error).to.deep.equal({ code: -32601, message: 'no endpoint /get_info' });
    const get = await post(address, '/json_rpc', '', {}, 'GET');
    expect(get.status).to.equal(405);
    expect(get.headers.allow).to.equal('POST');
  });

  it('serves plain endpoints added later (monerod style)', async () => {
    const address = await startServer();
    server.addEndpoint('/get_height', async () => ({ status: 200, body: { height: 1, status: 'OK' } }));
    const reply = await post(address, '/get_height', '');
    expect(JSON.parse(reply.body)).to.deep.equal({ height: 1, status: 'OK' });
    expect(() => server.addEndpoint('/json_rpc', async () => ({ status: 200 }))).to.throw('RPC endpoint /json_rpc already exists');
  });

  it('in restricted mode serves only methods marked restricted (get_zones is not: it links our addresses)', async () => {
    const address = await startServer({ restricted: true });
    const zones = await post(address, '/json_rpc', '{"jsonrpc":"2.0","id":1,"method":"get_zones"}');
    expect(JSON.parse(zones.body).error).to.deep.equal({ code: -32601, message: 'method get_zones is not available on a restricted RPC server' });
    const echo = await post(address, '/json_rpc', '{"jsonrpc":"2.0","id":2,"method":"echo","params":[1]}');
    expect(JSON.parse(echo.body).result).to.deep.equal([1]);
  });

  it('requires the login when rpc.login is set (HTTP Digest, as monerod; checked with curl --digest)', async function () {
    const address = await startServer({ login: 'alice:s3cret' });
    const body = '{"jsonrpc":"2.0","id":1,"method":"get_zones"}';
    const anonymous = await post(address, '/json_rpc', body);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers['www-authenticate']).to.match(/^Digest realm="veilnode", qop="auth", algorithm=MD5, nonce=/);
    const basic = await post(address, '/json_rpc', body, { Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` });
    expect(basic.status).to.equal(401);
    // Asynchronously: the server runs in this process and must keep serving while curl waits.
    const curl = (user: string): Promise<string> =>
      new Promise((resolve, reject) =>
        execFile('curl', ['-s', '-m', '5', '-o', '/dev/null', '-w', '%{http_code}', '--digest', '-u', user, '-d', body, `http://${address}/json_rpc`], (error, stdout) =>
          error && !stdout ? reject(error) : resolve(stdout),
        ),
      );
    try {
      await curl('probe:probe');
    } catch {
      this.skip(); // no curl binary
    }
    expect(await curl('alice:s3cret')).to.equal('200');
    expect(await curl('alice:nope')).to.equal('401');
  });

  it('answers 401 to everything before authentication: unknown paths and wrong methods cannot be probed', async () => {
    const address = await startServer({ login: 'alice:s3cret' });
    const replies = [
      await post(address, '/json_rpc', '{}'),
      await post(address, '/no_such_path', '{}'),
      await post(address, '/json_rpc', '', {}, 'GET'),
      await post(address, '/no_such_path', '', {}, 'DELETE'),
    ];
    for (const reply of replies) {
      expect(reply.status).to.equal(401);
      expect(reply.headers.allow).to.equal(undefined);
      expect(JSON.parse(reply.body)).to.deep.equal({ status: 'Failed', reason: 'authentication required' });
    }
  });

  it('refuses a replayed Authorization header with stale=true and a fresh nonce', async () => {
    const address = await startServer({ login: 'alice:s3cret' });
    const body = '{"jsonrpc":"2.0","id":1,"method":"get_zones"}';
    const challenge = await post(address, '/json_rpc', body);
    const nonce = /nonce="([^"]+)"/.exec(String(challenge.headers['www-authenticate']))?.[1] as string;
    const authorization = (nc: string): string =>
      `Digest username="alice", realm="veilnode", nonce="${nonce}", uri="/json_rpc", qop=auth, nc=${nc}, cnonce="c1", response="${digestResponse(digestHa1('alice', 'veilnode', 's3cret'), { method: 'POST', uri: '/json_rpc', nonce, nc, cnonce: 'c1', qop: 'auth' })}"`;
    expect((await post(address, '/json_rpc', body, { Authorization: authorization('00000002') })).status).to.equal(200);
    const replayed = await post(address, '/json_rpc', body, { Authorization: authorization('00000002') });
    expect(replayed.status).to.equal(401);
    expect(replayed.headers['www-authenticate']).to.match(/stale=true$/);
    expect(replayed.headers['www-authenticate']).not.to.include(nonce);
    expect((await post(address, '/json_rpc', body, { Authorization: authorization('00000001') })).status, 'count going backwards').to.equal(401);
    expect((await post(address, '/json_rpc', body, { Authorization: authorization('00000003') })).status).to.equal(200);
  });

  it('sends no Date header, on a restricted listener or any other', async () => {
    for (const restricted of [true, false]) {
      const address = await startServer({ restricted, login: restricted ? 'alice:s3cret' : null });
      const reply = await post(address, '/json_rpc', '{"jsonrpc":"2.0","id":2,"method":"echo","params":[1]}');
      expect(reply.status).to.equal(restricted ? 401 : 200);
      expect(reply.headers.date, `restricted ${restricted}`).to.equal(undefined);
      await server.stop();
    }
  });

  it('releases its port on stop, even with a keep-alive client connected', async () => {
    const address = await startServer();
    const [host, port] = address.split(':');
    const idle = connect(Number(port), host);
    await new Promise((resolve) => idle.once('connect', resolve));
    await server.stop();
    const refused = await new Promise<string>((resolve) => {
      const probe = connect(Number(port), host);
      probe.once('connect', () => {
        probe.destroy();
        resolve('connected');
      });
      probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    idle.destroy();
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('keeps an idle client connection open past Node’s 5 s default, so a wallet reuses it (as monerod)', async function () {
    this.timeout(10_000);
    const address = await startServer();
    const [host, port] = address.split(':');
    const socket = connect(Number(port), host);
    const call = (): Promise<string> =>
      new Promise((resolve, reject) => {
        let text = '';
        const onData = (chunk: Buffer): void => {
          text += chunk.toString('utf8');
          if (text.includes('"result"')) {
            socket.off('data', onData);
            resolve(text);
          }
        };
        socket.on('data', onData);
        socket.once('error', reject);
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { a: 1 } });
        socket.write(`POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      });
    let closed = false;
    socket.once('close', () => (closed = true));
    expect(await call()).to.match(/^HTTP\/1\.1 200/);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(closed).to.equal(false);
    expect(await call()).to.match(/^HTTP\/1\.1 200/);
    socket.destroy();
  });

  it('accepts at most MAX_CONNECTIONS client connections at once', async () => {
    const address = await startServer();
    const [host, port] = address.split(':');
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const socket = connect(Number(port), host);
        socket.once('connect', () => resolve(socket));
      });
    const sockets = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, open));
    const extra = await open();
    const extraClosed = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    for (const socket of [...sockets, extra]) socket.destroy();
    expect(extraClosed).to.equal(true);
  });
});
