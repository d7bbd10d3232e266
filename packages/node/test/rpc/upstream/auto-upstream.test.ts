import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { RecordingLogger, VirtualClock } from '@veilnode/plugin-api/testing';
import type { ConnectionInfo } from '../../../src/rpc/monerod/sources';
import { AutoUpstream, NO_PUBLIC_NODE_MESSAGE } from '../../../src/rpc/upstream/auto-upstream';
import type { PublicRpcNode } from '../../../src/rpc/upstream/public-rpc-node';
import { UpstreamDaemon } from '../../../src/rpc/upstream/upstream-daemon';
import { directDialer } from '../../../src/rpc/upstream/upstream-dialers';
import { UpstreamError } from '../../../src/rpc/upstream/upstream-error';
import { UpstreamForwarder } from '../../../src/rpc/upstream/upstream-forwarder';
import { http, jsonRpc, startMonerodRpc } from '../monerod/rpc-harness';
import { FakeMonerod } from './fake-monerod';

const INFO = { status: 'OK', nettype: 'fakechain', height: 100, target_height: 0 };

/** Polls (real time) until `done` holds: the checks are real HTTP to the fake nodes. */
async function eventually(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Moves virtual time on in 1 s steps, letting each tick's continuation run in between. */
async function pass(clock: VirtualClock, ms: number): Promise<void> {
  for (let done = 0; done < ms; done += 1_000) {
    clock.advance(Math.min(1_000, ms - done));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A fake public node: answers get_info with `info` and /get_height with its name. */
async function publicNode(name: string, info: object = INFO): Promise<FakeMonerod> {
  const monerod = new FakeMonerod();
  monerod.json('/get_info', info).json('/get_height', { height: 100, status: 'OK', name });
  await monerod.start();
  return monerod;
}

const asNode = (monerod: FakeMonerod): PublicRpcNode => ({ zone: 'clearnet', host: '127.0.0.1', port: monerod.port });

function harness(options: { anonymous?: boolean; peerHeights?: number[]; idleTimeoutMs?: number } = {}) {
  const clock = new VirtualClock();
  const logger = new RecordingLogger();
  const offered: PublicRpcNode[] = [];
  const tried: number[] = [];
  const connections = (): ConnectionInfo[] =>
    (options.peerHeights ?? []).map((height, i) => ({ zone: 'clearnet', id: String(i), direction: 'outbound', peerId: 1n, ready: true, height, pruningSeed: 0, supportFlags: 1, rpcPort: 0 }));
  const upstream = new AutoUpstream({
    nodes: { publicRpcNodes: (zones) => (zones.includes('clearnet') ? offered : []) },
    connections: { connections },
    zones: ['clearnet'],
    anonymous: options.anonymous ?? false,
    nettype: 'fakechain',
    daemonFor: (node) => {
      tried.push(node.port);
      return new UpstreamDaemon({ address: { tls: false, host: node.host, port: node.port, zone: node.zone }, login: null, dialer: directDialer, connectTimeoutMs: 1_000, idleTimeoutMs: options.idleTimeoutMs ?? 2_000 });
    },
    clock,
    logger,
    random: () => 0,
  });
  const events = (name: string) => logger.entries.filter((e) => (e.fields as { event?: string }).event === name);
  return { clock, logger, offered, tried, upstream, events };
}

describe('rpc/upstream/AutoUpstream (--bootstrap-daemon-address auto)', function () {
  this.timeout(20_000);
  const nodes: FakeMonerod[] = [];
  let upstream: AutoUpstream | undefined;

  afterEach(async () => {
    upstream?.close();
    for (const n of nodes.splice(0)) await n.stop();
  });

  async function started(...names: string[]): Promise<FakeMonerod[]> {
    const made = await Promise.all(names.map((name) => publicNode(name)));
    nodes.push(...made);
    return made;
  }

  it('fails chain requests while no peer advertises a node, says so once, and uses one found later', async () => {
    const h = harness();
    upstream = h.upstream;
    h.upstream.start();
    h.clock.advance(10_000);
    const error = await h.upstream.json('/get_height', {}).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(UpstreamError).and.deep.include({ failure: 'no-public-node', message: NO_PUBLIC_NODE_MESSAGE });
    expect(h.upstream.label).to.equal('');
    expect(h.events('upstream_waiting')).to.have.length(1);
    const [a] = await started('a');
    h.offered.push(asNode(a));
    h.clock.advance(2_000);
    await eventually('a node in use', () => h.upstream.label !== '');
    expect(h.upstream.label).to.equal(`http://127.0.0.1:${a.port}`);
    expect(await h.upstream.json('/get_height', {})).to.deep.include({ name: 'a' });
    expect(h.events('upstream_changed').map((e) => e.fields)).to.deep.equal([{ zone: 'clearnet', upstream: `http://127.0.0.1:${a.port}`, event: 'upstream_changed' }]);
    expect(h.events('upstream_changed')[0]).to.deep.include({ level: 'info' });
  });

  it('checks get_info first: a node on another network, still syncing or far behind our peers is not used', async () => {
    const h = harness({ peerHeights: [100, 100, 100] });
    upstream = h.upstream;
    const wrongNet = await publicNode('mainnet', { ...INFO, nettype: 'mainnet' });
    const syncing = await publicNode('syncing', { ...INFO, height: 100, target_height: 200 });
    const behind = await publicNode('behind', { ...INFO, height: 80 });
    const [good] = await started('good');
    nodes.push(wrongNet, syncing, behind);
    h.offered.push(asNode(wrongNet), asNode(syncing), asNode(behind), asNode(good));
    h.upstream.start();
    for (let i = 0; i < 4 && h.upstream.label === ''; i++) {
      h.clock.advance(2_000);
      await eventually(`try ${i + 1}`, () => h.tried.length > i);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(h.upstream.label).to.equal(`http://127.0.0.1:${good.port}`);
    expect(h.events('public_node_refused').map((e) => (e.fields as { reason: string }).reason)).to.deep.equal([
      'it runs "mainnet", not fakechain',
      'it is still syncing (height 100 of 200)',
      'it is 20 blocks behind our peers',
    ]);
  });

  it('switches to another node when the one in use fails, and waits out the failed one’s back-off', async () => {
    const h = harness();
    upstream = h.upstream;
    const [a, b] = await started('a', 'b');
    // a answers get_info but breaks every other request: it is dropped at its first failure
    a.on('/get_height', (request) => request.socket.destroy());
    h.offered.push(asNode(a), asNode(b));
    h.upstream.start();
    h.clock.advance(0);
    await eventually('a in use', () => h.upstream.label.endsWith(`:${a.port}`));
    const failed = await h.upstream.json('/get_height', {}).then(() => undefined, (e: unknown) => e);
    expect(failed).to.be.instanceOf(UpstreamError);
    expect(h.upstream.label).to.equal('');
    h.clock.advance(0);
    await eventually('b in use', () => h.upstream.label.endsWith(`:${b.port}`));
    expect(await h.upstream.json('/get_height', {})).to.deep.include({ name: 'b' });
    expect(h.events('upstream_dropped').map((e) => (e.fields as { reason: string }).reason)).to.deep.equal(['connect']);

    // b goes too: a still waits its minute, so nothing is tried and requests fail at once
    b.on('/get_height', (request) => request.socket.destroy());
    await h.upstream.json('/get_height', {}).catch(() => undefined);
    const triesBefore = h.tried.length;
    await pass(h.clock, 50_000);
    expect(h.tried.length, 'both wait out their back-off').to.equal(triesBefore);
    expect(await h.upstream.json('/get_height', {}).then(() => 'answered', (e: UpstreamError) => e.failure)).to.equal('no-public-node');
    await pass(h.clock, 12_000);
    await eventually('a tried again after its minute', () => h.tried.length > triesBefore);
    expect(h.tried.at(-1)).to.equal(a.port);
  });

  it('keeps the node when a client’s streamed body goes silent (the silence may be the client’s), drops it when its own answer does', async () => {
    const h = harness({ idleTimeoutMs: 300 });
    upstream = h.upstream;
    const [a] = await started('a');
    a.on('/get_outs.bin', () => undefined); // reads the whole body, never answers
    h.offered.push(asNode(a));
    h.upstream.start();
    h.clock.advance(0);
    await eventually('a in use', () => h.upstream.label !== '');
    const stalled = new PassThrough(); // the client sends a first chunk and then nothing
    stalled.write('epee');
    const streamed = await h.upstream.request('POST', '/get_outs.bin', undefined, { stream: stalled, length: undefined }).then(() => undefined, (e: UpstreamError) => e.failure);
    expect(streamed).to.equal('idle-timeout');
    expect(h.upstream.label, 'kept').not.to.equal('');
    const whole = await h.upstream.request('POST', '/get_outs.bin', undefined, Buffer.from('epee')).then(() => undefined, (e: UpstreamError) => e.failure);
    expect(whole).to.equal('idle-timeout');
    expect(h.upstream.label, 'a complete request it left unanswered: dropped').to.equal('');
  });

  it('tries a node that keeps failing ever more rarely (1, 2, 4 min...), however often clients ask', async () => {
    const h = harness();
    upstream = h.upstream;
    const [a] = await started('a');
    a.on('/get_height', (request) => request.socket.destroy());
    h.offered.push(asNode(a));
    h.upstream.start();
    for (let second = 0; second < 10 * 60; second += 5) {
      h.clock.advance(5_000);
      // a check started by this tick ends (real HTTP) before the client asks
      await new Promise((resolve) => setTimeout(resolve, 15));
      await h.upstream.json('/get_height', {}).catch(() => undefined);
    }
    const checks = a.calls.filter((c) => c === '/get_info').length;
    // at 0, ~1, ~3 and ~7 min: four checks in ten minutes, each followed by one failed request
    expect(checks).to.be.within(3, 4);
    expect(a.calls.filter((c) => c === '/get_height').length).to.equal(checks);
  });

  it('checks the node in use again every 30 s and drops it once it falls behind our peers', async () => {
    const heights = [100];
    const h = harness({ peerHeights: heights });
    upstream = h.upstream;
    const [a, b] = await started('a', 'b');
    h.offered.push(asNode(a), asNode(b));
    h.upstream.start();
    h.clock.advance(0);
    await eventually('a in use', () => h.upstream.label.endsWith(`:${a.port}`));
    await pass(h.clock, 30_000);
    await eventually('a checked again', () => a.calls.filter((c) => c === '/get_info').length === 2);
    heights[0] = 200; // our peers moved on; a (and b) still say 100
    b.json('/get_info', { ...INFO, height: 200 });
    // the recheck is due 30 s after the last one ended (virtual time moved on while it ran)
    await pass(h.clock, 40_000);
    await eventually('b in use', () => h.upstream.label.endsWith(`:${b.port}`));
    expect(h.events('upstream_dropped').map((e) => (e.fields as { reason: string }).reason)).to.deep.equal(['it is 100 blocks behind our peers']);
  });

  it('logs no node address when the candidates are an anonymity zone’s', async () => {
    const h = harness({ anonymous: true });
    upstream = h.upstream;
    const [a] = await started('a');
    a.on('/get_height', (request) => request.socket.destroy());
    h.offered.push(asNode(a));
    h.upstream.start();
    h.clock.advance(0);
    await eventually('a in use', () => h.upstream.label !== '');
    await h.upstream.json('/get_height', {}).catch(() => undefined);
    expect(h.events('upstream_changed')).to.have.length(1);
    expect(h.events('upstream_dropped')).to.have.length(1);
    expect(JSON.stringify(h.logger.entries)).not.to.include(String(a.port));
  });

  it('a wallet’s chain request without a node gets monerod’s failed-bootstrap answer from the forwarder', async () => {
    const h = harness();
    upstream = h.upstream;
    const rpc = await startMonerodRpc();
    try {
      rpc.server.setForwarder(new UpstreamForwarder(h.upstream, { namesHiddenTx: async () => false }, rpc.logger));
      const plain = await http(rpc.address, '/get_height', {});
      expect(plain.status).to.equal(500);
      expect(plain.json).to.deep.include({ status: 'Failed', reason: NO_PUBLIC_NODE_MESSAGE });
      expect((await jsonRpc(rpc.address, 'get_block_count')).error).to.deep.equal({ code: 0, message: NO_PUBLIC_NODE_MESSAGE });
    } finally {
      await rpc.stop();
    }
  });
});
