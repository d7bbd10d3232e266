import { expect } from 'chai';
import { UpstreamDaemon } from '../../../src/rpc/upstream/upstream-daemon';
import { parseUpstreamAddress, type UpstreamAddress } from '../../../src/config/upstream-address';
import { directDialer } from '../../../src/rpc/upstream/upstream-dialers';
import { UpstreamForwarder } from '../../../src/rpc/upstream/upstream-forwarder';
import { jsonRpc, startMonerodRpc, type RpcUnderTest } from '../monerod/rpc-harness';
import { fakeSources } from '../monerod/fake-sources';
import { FakeMonerod } from './fake-monerod';

/**
 * A wallet's refresh is hundreds of small calls in a row: a new upstream connection for each
 * would add a TCP handshake (and, through Tor, a circuit stream) per call.
 */
describe('upstream connection reuse', () => {
  let monerod: FakeMonerod;
  let rpc: RpcUnderTest | undefined;
  let upstream: UpstreamDaemon | undefined;

  beforeEach(async () => {
    monerod = new FakeMonerod();
    await monerod.start();
    upstream = new UpstreamDaemon({
      address: parseUpstreamAddress(`http://127.0.0.1:${monerod.port}`) as UpstreamAddress,
      login: null,
      dialer: directDialer,
      connectTimeoutMs: 2_000,
      idleTimeoutMs: 5_000,
    });
    rpc = await startMonerodRpc({ restricted: false }, fakeSources());
    rpc.server.setForwarder(new UpstreamForwarder(upstream, { namesHiddenTx: async () => false }, rpc.logger));
  });

  afterEach(async () => {
    await rpc?.stop();
    upstream?.close();
    await monerod.stop();
  });

  it('sends sequential forwarded calls, binary and JSON-RPC, over one kept-alive upstream connection', async () => {
    const blob = Buffer.alloc(64 * 1024, 7);
    monerod.on('/get_outs.bin', (_request, _body, response) => response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length }).end(blob));
    monerod.json('json_rpc:get_version', { version: 196621, status: 'OK' });
    const address = (rpc as RpcUnderTest).address;
    for (let call = 0; call < 20; call++) {
      const answer = await fetch(`http://${address}/get_outs.bin`, { method: 'POST', body: `request ${call}` });
      expect(Buffer.from(await answer.arrayBuffer()).equals(blob)).to.equal(true);
      expect(((await jsonRpc(address, 'get_version')) as { result: { version: number } }).result.version).to.equal(196621);
    }
    expect(monerod.calls).to.have.length(40);
    expect(monerod.connections).to.equal(1);
  });
});
