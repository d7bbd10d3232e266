import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { UpstreamDaemon } from '../../../src/rpc/upstream/upstream-daemon';
import { parseUpstreamAddress, type UpstreamAddress } from '../../../src/config/upstream-address';
import { directDialer } from '../../../src/rpc/upstream/upstream-dialers';
import { UpstreamForwarder, type HiddenTxFilter } from '../../../src/rpc/upstream/upstream-forwarder';
import { UpstreamChainInfo } from '../../../src/rpc/upstream/upstream-chain-info';
import { SystemClock } from '@veilnode/plugin-api';
import { fakeSources } from '../monerod/fake-sources';
import { http, jsonRpc, startMonerodRpc, type RpcUnderTest } from '../monerod/rpc-harness';
import { FakeMonerod } from './fake-monerod';

const HIDDEN_TX = 'aa'.repeat(32);
const PUBLIC_TX = 'bb'.repeat(32);

function upstreamAt(port: number, options: { login?: string; idleTimeoutMs?: number } = {}): UpstreamDaemon {
  return new UpstreamDaemon({
    address: parseUpstreamAddress(`http://127.0.0.1:${port}`) as UpstreamAddress,
    login: options.login ?? null,
    dialer: directDialer,
    connectTimeoutMs: 2_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 5_000,
  });
}

describe('upstream forwarding (a fake monerod behind veilnode’s RPC)', () => {
  let monerod: FakeMonerod;
  let rpc: RpcUnderTest | undefined;
  let upstream: UpstreamDaemon | undefined;
  const hidden: HiddenTxFilter = { namesHiddenTx: async (ids) => ids.includes(HIDDEN_TX) };

  async function start(options: { restricted?: boolean; login?: string; upstream?: UpstreamDaemon | null } = {}): Promise<string> {
    upstream = options.upstream === null ? undefined : (options.upstream ?? upstreamAt(monerod.port, { login: options.login }));
    const sources = { ...fakeSources(), upstreamChain: upstream === undefined ? undefined : new UpstreamChainInfo(upstream, new SystemClock()) };
    rpc = await startMonerodRpc({ restricted: options.restricted ?? false }, sources);
    rpc.server.setForwarder(new UpstreamForwarder(upstream, hidden, rpc.logger));
    return rpc.address;
  }

  beforeEach(async () => {
    monerod = new FakeMonerod();
    await monerod.start();
  });

  afterEach(async () => {
    await rpc?.stop();
    upstream?.close();
    await monerod.stop();
  });

  it('forwards a JSON-RPC method it does not serve and hands the upstream’s answer on', async () => {
    monerod.json('json_rpc:get_version', { version: 196621, release: true, status: 'OK', untrusted: false });
    const address = await start();
    const envelope = await jsonRpc(address, 'get_version');
    expect(envelope).to.deep.equal({ jsonrpc: '2.0', id: '0', result: { version: 196621, release: true, status: 'OK', untrusted: false } });
    expect(monerod.calls).to.deep.equal(['json_rpc:get_version']);
  });

  it('pipes a multi-MB binary answer byte for byte, and a plain JSON path with its query', async () => {
    const blob = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < blob.length; i += 4096) blob[i] = i % 251;
    monerod.on('/getblocks.bin', (_, body, response) => {
      expect(body.toString()).to.equal('epee-request');
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length }).end(blob);
    });
    monerod.json('/get_height', { height: 1234, status: 'OK' });
    const address = await start();
    const bin = await fetch(`http://${address}/getblocks.bin`, { method: 'POST', body: 'epee-request' });
    expect(bin.status).to.equal(200);
    expect(bin.headers.get('content-type')).to.equal('application/octet-stream');
    expect(Buffer.from(await bin.arrayBuffer()).equals(blob)).to.equal(true);
    expect((await http(address, '/get_height?x=1', {})).json).to.deep.equal({ height: 1234, status: 'OK' });
  });

  it('a restricted listener forwards only what monerod’s restricted RPC serves', async () => {
    monerod.json('json_rpc:get_block', { status: 'OK' }).json('json_rpc:generateblocks', { status: 'OK' }).json('/get_net_stats', { status: 'OK' });
    const address = await start({ restricted: true });
    expect((await jsonRpc(address, 'get_block', { height: 1 })).result).to.deep.equal({ status: 'OK' });
    expect((await jsonRpc(address, 'generateblocks')).error).to.deep.include({ code: -32601 });
    const stats = await http(address, '/get_net_stats', {});
    expect(stats.status).to.equal(404);
    expect(stats.json).to.deep.include({ status: 'Failed', reason: '/get_net_stats is not available on a restricted RPC server' });
    expect(monerod.calls).to.deep.equal(['json_rpc:get_block']);
  });

  it('an unrestricted listener forwards the rest too, but never a tx method', async () => {
    monerod.json('json_rpc:generateblocks', { status: 'OK' });
    const address = await start();
    expect((await jsonRpc(address, 'generateblocks')).result).to.deep.equal({ status: 'OK' });
    expect((await jsonRpc(address, 'send_raw_transaction')).error).to.deep.include({ code: -32601 });
    expect((await jsonRpc(address, 'flush_txpool')).result).to.deep.include({ status: 'OK' }); // answered here, on our own queue
    expect(monerod.calls).to.deep.equal(['json_rpc:generateblocks']);
  });

  it('answers a failed upstream as monerod answers when its bootstrap daemon fails', async () => {
    const dead = await closedPort();
    const address = await start({ upstream: upstreamAt(dead) });
    const envelope = await jsonRpc(address, 'get_version');
    expect(envelope).to.deep.include({ jsonrpc: '2.0', id: '0' });
    expect((envelope.error as { code: number }).code).to.equal(0);
    expect((envelope.error as { message: string }).message).to.match(/cannot connect to the upstream daemon: ECONNREFUSED/);
    const bin = await http(address, '/getblocks.bin', 'x');
    expect(bin.status).to.equal(500);
    expect(bin.json).to.deep.include({ status: 'Failed' });
    expect(JSON.stringify(bin.json)).not.to.contain(String(dead)); // never names the upstream
    expect(rpc?.logger.entries.filter((e) => e.fields.event === 'upstream_unavailable')).to.have.length(1);
  });

  it('a small answer that breaks off before its Content-Length gets the failure answer, not a cut body', async () => {
    const breakOff: Parameters<FakeMonerod['on']>[1] = (_, __, response) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': '1000' });
      response.write(Buffer.alloc(100));
      setTimeout(() => response.socket?.destroy(), 50);
    };
    monerod.on('/get_outs.bin', breakOff).on('json_rpc:get_fee_estimate', breakOff);
    const address = await start();
    const bin = await http(address, '/get_outs.bin', 'x');
    expect(bin.status).to.equal(500);
    expect(bin.json).to.deep.include({ status: 'Failed' });
    expect(String(bin.json.reason)).to.match(/answer broke off/);
    const envelope = await jsonRpc(address, 'get_fee_estimate');
    expect(envelope).to.deep.include({ jsonrpc: '2.0', id: '0' });
    expect((envelope.error as { code: number; message: string }).code).to.equal(0);
    expect((envelope.error as { message: string }).message).to.match(/answer broke off/);
  });

  it('fails a request when the upstream goes silent past the idle timeout', async () => {
    monerod.on('json_rpc:get_version', () => undefined); // never answers
    const address = await start({ upstream: upstreamAt(monerod.port, { idleTimeoutMs: 300 }) });
    const envelope = await jsonRpc(address, 'get_version');
    expect((envelope.error as { message: string }).message).to.match(/sent nothing for 300 ms/);
  });

  it('logs in to an upstream that wants Digest auth (--bootstrap-daemon-login), and says so when the login is wrong', async () => {
    await monerod.stop();
    monerod = new FakeMonerod('alice:s3cret');
    await monerod.start();
    monerod.json('json_rpc:get_version', { version: 1, status: 'OK' });
    const address = await start({ login: 'alice:s3cret' });
    expect((await jsonRpc(address, 'get_version')).result).to.deep.equal({ version: 1, status: 'OK' });
    expect((await jsonRpc(address, 'get_version')).result).to.deep.equal({ version: 1, status: 'OK' });
    await rpc?.stop();
    upstream?.close();
    const wrong = await start({ login: 'alice:nope' });
    const refused = await jsonRpc(wrong, 'get_version');
    expect((refused.error as { message: string } | undefined)?.message, JSON.stringify(refused)).to.equal('the upstream daemon refused the login');
  });

  it('without an upstream: chain methods get an error naming --bootstrap-daemon-address, unknown ones stay unknown', async () => {
    const address = await start({ upstream: null });
    const envelope = await jsonRpc(address, 'get_version');
    expect(envelope.error).to.deep.include({ code: -32603 });
    expect((envelope.error as { message: string }).message).to.contain('--bootstrap-daemon-address');
    const bin = await http(address, '/getblocks.bin', 'x');
    expect(bin.status).to.equal(500);
    expect(bin.json.reason).to.contain('--bootstrap-daemon-address');
    expect((await jsonRpc(address, 'no_such_method')).error).to.deep.include({ code: -32601 });
    expect((await http(address, '/no_such_path', {})).status).to.equal(404);
  });

  it('does not ask the upstream about a local tx it has not seen yet (the question would say it started here)', async () => {
    monerod.json('/get_transactions', { status: 'OK', txs: [{ tx_hash: PUBLIC_TX }], missed_tx: [] });
    const address = await start();
    const held = await http(address, '/get_transactions', { txs_hashes: [PUBLIC_TX, HIDDEN_TX.toUpperCase()] });
    expect(held.json).to.deep.include({ status: 'OK', missed_tx: [PUBLIC_TX, HIDDEN_TX], txs: [] });
    expect(monerod.calls).to.deep.equal([]);
    expect((await http(address, '/gettransactions', { txs_hashes: [PUBLIC_TX] })).status).to.equal(404); // only /get_transactions is served by the fake
    expect((await http(address, '/get_transactions', { txs_hashes: [PUBLIC_TX] })).json).to.deep.include({ txs: [{ tx_hash: PUBLIC_TX }] });
    expect(monerod.calls).to.deep.equal(['/gettransactions', '/get_transactions']);
  });

  it('get_info: chain fields from the upstream (u64 exact), connection counts and extras from veilnode', async () => {
    monerod.on('/get_info', (_, __, response) =>
      response
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end('{"status":"OK","height":3001,"top_block_hash":"ff","cumulative_difficulty":18446744073709551615,"difficulty":7,"outgoing_connections_count":99,"version":"0.18.4.0"}'),
    );
    const address = await start();
    const text = await (await fetch(`http://${address}/get_info`, { method: 'POST' })).text();
    expect(text).to.contain('"cumulative_difficulty":18446744073709551615');
    const info = JSON.parse(text) as Record<string, unknown>;
    expect(info).to.include({ height: 3001, top_block_hash: 'ff', difficulty: 7, was_bootstrap_ever_used: true, bootstrap_daemon_address: `http://127.0.0.1:${monerod.port}` });
    expect(info.outgoing_connections_count).not.to.equal(99);
    expect(info.version).not.to.equal('0.18.4.0');
    expect(info).to.have.property('veilnode');
  });
});

async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
