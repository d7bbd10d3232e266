import { expect } from 'chai';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { parseUpstreamAddress, type UpstreamAddress } from '../../../src/config/upstream-address';
import { UpstreamDaemon } from '../../../src/rpc/upstream/upstream-daemon';
import { directDialer } from '../../../src/rpc/upstream/upstream-dialers';
import { UpstreamForwarder } from '../../../src/rpc/upstream/upstream-forwarder';
import { startMonerodRpc, type RpcUnderTest } from '../monerod/rpc-harness';
import { FakeMonerod } from './fake-monerod';

const MAX_BODY = 64 * 1024;

/** An upstream that reports each request body chunk as it arrives, and answers with the byte count at its end. */
class ChunkWatchingUpstream {
  readonly chunks: Buffer[] = [];
  readonly requests: IncomingMessage[] = [];
  private server: Server | undefined;
  private waiter: (() => void) | undefined;

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.requests.push(request);
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        this.chunks.push(chunk);
        this.waiter?.();
      });
      request.on('end', () => response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(`got ${size}`));
      request.on('error', () => undefined);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** Resolves once the upstream has received some body bytes. */
  firstChunk(): Promise<void> {
    return this.chunks.length > 0 ? Promise.resolve() : new Promise((resolve) => (this.waiter = resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function upstreamAt(port: number, login: string | null = null): UpstreamDaemon {
  const address = parseUpstreamAddress(`http://127.0.0.1:${port}`) as UpstreamAddress;
  return new UpstreamDaemon({ address, login, dialer: directDialer, connectTimeoutMs: 2_000, idleTimeoutMs: 5_000 });
}

/** A POST whose body the test writes piece by piece (chunked); resolves with status and body text. */
function openPost(address: string, path: string, headers: Record<string, string | number> = {}): { request: ReturnType<typeof httpRequest>; answer: Promise<{ status: number; text: string }> } {
  const [host, port] = address.split(':');
  const request = httpRequest({ host, port: Number(port), path, method: 'POST', headers });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.once('response', (response) => {
      const parts: Buffer[] = [];
      response.on('data', (c: Buffer) => parts.push(c));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
    });
    request.once('error', reject);
  });
  return { request, answer };
}

describe('upstream forwarding: request bodies', () => {
  let rpc: RpcUnderTest | undefined;
  let upstream: UpstreamDaemon | undefined;

  async function start(daemon: UpstreamDaemon): Promise<string> {
    upstream = daemon;
    rpc = await startMonerodRpc({ maxBodyBytes: MAX_BODY });
    rpc.server.setForwarder(new UpstreamForwarder(upstream, { namesHiddenTx: async () => false }, rpc.logger));
    return rpc.address;
  }

  afterEach(async () => {
    await rpc?.stop();
    upstream?.close();
    rpc = undefined;
    upstream = undefined;
  });

  describe('an upstream without a login', () => {
    const watcher = new ChunkWatchingUpstream();
    beforeEach(async () => {
      watcher.chunks.length = 0;
      watcher.requests.length = 0;
      await watcher.start();
    });
    afterEach(() => watcher.stop());

    it('pipes the body through: the upstream gets its first part before the client has sent the rest', async () => {
      const address = await start(upstreamAt(watcher.port));
      const { request, answer } = openPost(address, '/get_outs.bin', { 'Content-Type': 'application/octet-stream' });
      request.write(Buffer.alloc(1000, 1));
      await watcher.firstChunk(); // would never resolve if veilnode waited for the whole body
      request.end(Buffer.alloc(500, 2));
      expect(await answer).to.deep.equal({ status: 200, text: 'got 1500' });
      expect(Buffer.concat(watcher.chunks).equals(Buffer.concat([Buffer.alloc(1000, 1), Buffer.alloc(500, 2)]))).to.equal(true);
      expect(watcher.requests[0].headers['content-type']).to.equal('application/octet-stream');
    });

    it('hands on the client’s Content-Length', async () => {
      const address = await start(upstreamAt(watcher.port));
      const { request, answer } = openPost(address, '/getblocks.bin', { 'Content-Length': 3000 });
      request.end(Buffer.alloc(3000, 7));
      expect(await answer).to.deep.equal({ status: 200, text: 'got 3000' });
      expect(watcher.requests[0].headers['content-length']).to.equal('3000');
    });

    it('a chunked body past rpc.maxBodyBytes is cut off with 413, not counted as an upstream failure', async () => {
      const address = await start(upstreamAt(watcher.port));
      const { request, answer } = openPost(address, '/getblocks.bin');
      request.write(Buffer.alloc(1000));
      await watcher.firstChunk();
      request.write(Buffer.alloc(MAX_BODY));
      const reply = await answer;
      request.destroy();
      expect(reply.status).to.equal(413);
      expect(JSON.parse(reply.text)).to.deep.include({ status: 'Failed', reason: `request body exceeds ${MAX_BODY} bytes` });
      expect(Buffer.concat(watcher.chunks).length).to.be.at.most(MAX_BODY);
      expect(rpc?.logger.entries.filter((e) => e.fields.event === 'upstream_unavailable')).to.have.length(0);
    });

    it('a Content-Length past rpc.maxBodyBytes gets 413 before anything reaches the upstream', async () => {
      const address = await start(upstreamAt(watcher.port));
      const { request, answer } = openPost(address, '/getblocks.bin', { 'Content-Length': MAX_BODY + 1 });
      request.write(Buffer.alloc(100));
      const reply = await answer;
      request.destroy();
      expect(reply.status).to.equal(413);
      expect(watcher.requests).to.have.length(0);
    });
  });

  it('with a login, the body is kept whole so the Digest retry resends it intact', async () => {
    const monerod = new FakeMonerod('alice:s3cret');
    await monerod.start();
    try {
      const sent = Buffer.alloc(20_000);
      for (let i = 0; i < sent.length; i++) sent[i] = i % 253;
      let received: Buffer | undefined;
      monerod.on('/get_outs.bin', (_, body, response) => {
        received = body;
        response.writeHead(200).end('ok');
      });
      const address = await start(upstreamAt(monerod.port, 'alice:s3cret'));
      const { request, answer } = openPost(address, '/get_outs.bin');
      request.write(sent.subarray(0, 5000));
      request.end(sent.subarray(5000));
      expect(await answer).to.deep.equal({ status: 200, text: 'ok' });
      expect(received?.equals(sent)).to.equal(true);
    } finally {
      await monerod.stop();
    }
  });
});
