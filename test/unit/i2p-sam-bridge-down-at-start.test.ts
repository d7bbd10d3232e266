import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Veilnode } from '@veilnode/node';
import { createFromConfig, tempDir } from '@veilnode/node/testing';
import { until } from '../src/until';

interface ZoneRow {
  name: string;
  enabled: boolean;
  healthy: boolean;
  problem?: string;
  inbound: string[];
}

async function getZones(rpc: string): Promise<ZoneRow[]> {
  const response = await fetch(`http://${rpc}/json_rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'get_zones' }) });
  return ((await response.json()) as { result: { zones: ZoneRow[] } }).result.zones;
}

/**
 * An operator's node whose SAM bridge is slow or not up yet (a router still starting, or
 * restarted) must run anyway: the i2p zone starts unhealthy, says why, and keeps trying, while
 * the node's other parts (RPC, the journal) work. The zone-start deadline is set far below a
 * real SESSION CREATE (~20 s on i2pd) to show the bridge no longer holds start-up.
 */
describe('a node whose SAM bridge is down or silent at start', function () {
  this.timeout(15_000);
  const running: Veilnode[] = [];
  const cleanups: (() => void)[] = [];

  afterEach(async () => {
    for (const node of running.splice(0)) await node.stop();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  async function startWithBridge(bridge: string): Promise<{ node: Veilnode; rpc: string }> {
    const dir = tempDir('veilnode-sam-down-');
    cleanups.push(dir.cleanup);
    const { veilnode: node } = await createFromConfig(
      { plugins: ['@veilnode/i2p-sam'], network: 'regtest', dataDir: join(dir.dir, 'data'), rpc: { bindIp: '127.0.0.1', bindPort: 0 } },
      { argv: ['--i2p-sam', bridge], compose: { zoneStartTimeoutMs: 500 } },
    );
    running.push(node);
    const summary = await node.start();
    return { node, rpc: summary.rpc };
  }

  it('starts with the i2p zone unhealthy, naming the unreachable bridge, and its b32 address already known', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
    const { rpc } = await startWithBridge(`127.0.0.1:${port}`);
    const i2p = await until('the failed SESSION CREATE to be reported', async () => {
      const row = (await getZones(rpc)).find((z) => z.name === 'i2p');
      return row?.problem?.includes('unreachable') ? row : undefined;
    }, 5_000, 50);
    expect(i2p).to.deep.include({ enabled: true, healthy: false });
    expect(i2p.problem).to.include(`127.0.0.1:${port}`);
    expect(i2p.inbound).to.have.length(1);
    expect(i2p.inbound[0]).to.match(/^[a-z2-7]{52}\.b32\.i2p$/);
  });

  it('starts while SESSION CREATE goes unanswered, reporting the session as being created', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });
    const { rpc } = await startWithBridge(`127.0.0.1:${(silent.address() as { port: number }).port}`);
    await until('the node to reach the bridge', () => sockets.length > 0, 5_000, 20);
    const i2p = (await getZones(rpc)).find((z) => z.name === 'i2p');
    expect(i2p).to.deep.include({ enabled: true, healthy: false, problem: 'SAM session being created' });
  });
});
