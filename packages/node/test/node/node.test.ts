import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { ConnectionHandler, ZoneConnection } from '../../src/peer/connection-handler';
import type { DependencyContainer } from 'tsyringe';
import { CONNECTION_HANDLER, NODE_SERVICE } from '../../src/di/tokens';
import { composeNode } from '../../src/node/compose-node';
import type { Node, NodeService, NodeSummary } from '../../src/node/node';
import type { ZoneStatus } from '../../src/rpc/zone-status';
import { pluginFixture, tempDir } from '../../src/testing/fixtures';
import { prepareFromConfig } from '../../src/testing/prepare';

const TCP = pluginFixture('tcp-zone.cjs');

function tcpConnect(address: string): Promise<Socket> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(address.slice(i + 1)), address.slice(0, i));
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function refused(address: string): Promise<boolean> {
  return tcpConnect(address).then(
    (s) => {
      s.destroy();
      return false;
    },
    (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
  );
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function getZones(summary: NodeSummary): Promise<ZoneStatus[]> {
  const response = await fetch(`http://${summary.rpc}/json_rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'get_zones' }) });
  return ((await response.json()) as { result: { zones: ZoneStatus[] } }).result.zones;
}

describe('Node: zones runtime', () => {
  let data: { dir: string; cleanup: () => void };
  const nodes: Node[] = [];
  const servers: Server[] = [];

  beforeEach(() => {
    data = tempDir();
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
    for (const server of servers.splice(0)) server.close();
    data.cleanup();
  });

  async function startNode(config: Record<string, unknown>, handler?: ConnectionHandler): Promise<{ node: Node; summary: NodeSummary }> {
    const prepared = await prepareFromConfig({ plugins: [TCP], dataDir: data.dir, p2p: { bindPort: 0 }, rpc: { bindPort: 0 }, ...config });
    const { node } = composeNode(prepared, { zoneStartTimeoutMs: 300, overrides: handler === undefined ? undefined : (root) => void root.register(CONNECTION_HANDLER, { useValue: handler }) });
    nodes.push(node);
    return { node, summary: await node.start() };
  }

  it('listens on p2p.bindIp:bindPort, counts inbound connections in get_zones, and closes everything on stop', async () => {
    const { node, summary } = await startNode({ zones: { clearnet: { transport: 'fixture-tcp' } } });
    expect(summary.zones).to.have.length(1);
    const [address] = summary.zones[0].listening;
    expect(address).to.match(/^127\.0\.0\.1:\d+$/);
    const socket = await tcpConnect(address);
    await until('the inbound connection to be counted', async () => (await getZones(summary))[0].connections.in === 1);
    expect(await getZones(summary)).to.deep.equal([{ name: 'clearnet', transport: 'fixture-tcp', enabled: true, inbound: [address], connections: { in: 1, out: 0 }, queued: 0, noise: false, healthy: true }]);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    const stopsBefore = (globalThis as { fixtureTcpStops?: number }).fixtureTcpStops ?? 0;
    await node.stop();
    await closed;
    expect(await refused(address), 'p2p port released').to.equal(true);
    expect(await refused(summary.rpc), 'rpc port released').to.equal(true);
    expect((globalThis as { fixtureTcpStops?: number }).fixtureTcpStops).to.equal(stopsBefore + 1);
    expect(existsSync(path.join(data.dir, 'veilnode.lock')), 'lock released').to.equal(false);
  });

  it('hands every connection, inbound and dialled with Node.dial, to the ConnectionHandler; it dials nobody by itself', async () => {
    const peer = createServer((s) => s.resume());
    servers.push(peer);
    let accepted = 0;
    peer.on('connection', () => accepted++);
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    const peerAddress = `127.0.0.1:${(peer.address() as { port: number }).port}`;
    const handled: ZoneConnection[] = [];
    const handler: ConnectionHandler = { handle: (c) => void handled.push(c) };
    // configured peers are the peer layer's OutboundMaintainer's to dial (with backoff), not the kernel's
    const { node, summary } = await startNode({ zones: { clearnet: { transport: 'fixture-tcp', peers: [peerAddress] } } }, handler);
    await new Promise((r) => setTimeout(r, 50));
    expect(accepted, 'no dial before the peer layer asks').to.equal(0);
    const dialled = await node.dial('clearnet', { zone: 'clearnet', host: '127.0.0.1', port: (peer.address() as { port: number }).port });
    const inbound = await tcpConnect(summary.zones[0].listening[0]);
    await until('two connections handled', () => handled.length === 2);
    expect(handled.map((c) => [c.zone, c.connection.direction]).sort()).to.deep.equal([
      ['clearnet', 'inbound'],
      ['clearnet', 'outbound'],
    ]);
    expect(handled.find((c) => c.connection.direction === 'outbound')?.remote).to.equal(peerAddress);
    expect(handled.find((c) => c.connection.direction === 'outbound')?.connection, 'dial returns the connection it handed over').to.equal(dialled);
    expect((await getZones(summary))[0].connections).to.deep.equal({ in: 1, out: 1 });
    inbound.destroy();
    await until('the closed connection to be forgotten', async () => (await getZones(summary))[0].connections.in === 0);
    let error: unknown;
    await node.dial('tor', { zone: 'tor', host: '127.0.0.1', port: 1 }).catch((e: unknown) => (error = e));
    expect(error).to.have.property('code', 'ZONE_NOT_RUNNING');
  });

  it('refuses inbound connections past maxInbound', async () => {
    const { summary } = await startNode({ zones: { clearnet: { transport: 'fixture-tcp', maxInbound: 1 } } });
    const address = summary.zones[0].listening[0];
    const first = await tcpConnect(address);
    first.resume();
    const second = await tcpConnect(address);
    await new Promise((resolve) => second.once('close', resolve));
    expect((await getZones(summary))[0].connections.in).to.equal(1);
    first.destroy();
  });

  it('get_zones also lists registered zones that are not enabled', async () => {
    const { summary } = await startNode({ plugins: [TCP, pluginFixture('shared-zone-a.cjs')], zones: { clearnet: { transport: 'fixture-tcp' } } });
    const zones = await getZones(summary);
    expect(zones.map((z) => [z.name, z.transport, z.enabled])).to.deep.equal([
      ['clearnet', 'fixture-tcp', true],
      ['shared', 'shared-a', false],
    ]);
    expect(zones[1]).to.deep.include({ inbound: [], connections: { in: 0, out: 0 }, queued: 0 });
  });

  it('stops a stopBeforeZones service after the RPC while the connections are open, the other services after the zones', async () => {
    const streams: Duplex[] = [];
    const handler: ConnectionHandler = { handle: ({ connection }) => void streams.push(connection.stream.resume()) };
    const stopped: string[] = [];
    const service = (name: string, stopBeforeZones: boolean): NodeService => ({
      name,
      stopBeforeZones,
      start: async () => undefined,
      stop: async () => void stopped.push(`${name}: ${streams.filter((s) => !s.destroyed).length} of ${streams.length} connections open`),
    });
    const prepared = await prepareFromConfig({ plugins: [TCP], dataDir: data.dir, p2p: { bindPort: 0 }, rpc: { bindPort: 0 }, zones: { clearnet: { transport: 'fixture-tcp' } } });
    const overrides = (root: DependencyContainer): void => {
      root.register(CONNECTION_HANDLER, { useValue: handler });
      root.register(NODE_SERVICE, { useValue: service('before-zones', true) });
      root.register(NODE_SERVICE, { useValue: service('after-zones', false) });
    };
    const { node } = composeNode(prepared, { overrides });
    const summary = await node.start();
    const socket = await tcpConnect(summary.zones[0].listening[0]);
    await until('the connection handed over', () => streams.length === 1);
    await node.stop();
    socket.destroy();
    expect(stopped).to.deep.equal(['before-zones: 1 of 1 connections open', 'after-zones: 0 of 1 connections open']);
    expect(await refused(summary.rpc)).to.equal(true);
  });

  it('a transport start that hangs fails start-up at the deadline and is stopped', async () => {
    (globalThis as { stuckTransportStopped?: boolean }).stuckTransportStopped = false;
    try {
      await startNode({ plugins: [pluginFixture('hanging-start.cjs')], zones: { stuck: {} } });
      expect.fail('started');
    } catch (error) {
      expect((error as Error).message).to.equal('zone stuck (transport stuck, plugin hanging-start) failed to start: zone stuck start timed out after 300 ms');
    }
    expect((globalThis as { stuckTransportStopped?: boolean }).stuckTransportStopped).to.equal(true);
  });

  it('one node per data dir', async () => {
    await startNode({ zones: { clearnet: { transport: 'fixture-tcp' } } });
    const prepared = await prepareFromConfig({ plugins: [TCP], dataDir: data.dir, p2p: { bindPort: 0 }, rpc: { bindPort: 0 } });
    const { node } = composeNode(prepared);
    try {
      await node.start();
      expect.fail('a second node on the same data dir started');
    } catch (error) {
      expect(error).to.have.property('code', 'DATA_DIR_LOCKED');
      expect((error as Error).message).to.equal(`data dir ${data.dir} is in use by another veilnode (pid ${process.pid})`);
    }
  });

  it('a zone that cannot listen fails start-up naming the zone and plugin, and releases what started', async () => {
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    const prepared = await prepareFromConfig({ plugins: [TCP], dataDir: data.dir, p2p: { bindPort: port }, rpc: { bindPort: 0 }, zones: { clearnet: { transport: 'fixture-tcp' } } });
    const { node } = composeNode(prepared);
    try {
      await node.start();
      expect.fail('started on a taken port');
    } catch (error) {
      expect((error as Error).message).to.match(/^zone clearnet \(transport fixture-tcp, plugin fixture-tcp\) failed to start: listen EADDRINUSE/);
    }
    expect(existsSync(path.join(data.dir, 'veilnode.lock'))).to.equal(false);
  });
});
