import { expect } from 'chai';
import { statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { PluginContext } from '@veilnode/plugin-api';
import { composeNode } from '../../src/node/compose-node';
import type { Node, NodeSummary } from '../../src/node/node';
import { pluginFixture, tempDir } from '../../src/testing/fixtures';
import { prepareFromConfig } from '../../src/testing/prepare';
import { withoutPeerLayer } from '../helpers/no-peer-layer';

const TCP = pluginFixture('tcp-zone.cjs');
const DIALER = pluginFixture('dial-and-command.cjs');

async function rpc(summary: NodeSummary, method: string, params: unknown): Promise<{ result?: Record<string, unknown>; error?: { message: string } }> {
  const response = await fetch(`http://${summary.rpc}/json_rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await response.json()) as { result?: Record<string, unknown>; error?: { message: string } };
}

function context(): PluginContext {
  return (globalThis as { dialFixtureContext?: PluginContext }).dialFixtureContext as PluginContext;
}

describe('PluginContext at run time: dial through the zones, dataDir', () => {
  let data: { dir: string; cleanup: () => void };
  let node: Node | undefined;
  let echo: Server;
  let echoAddress: string;
  const accepted: Socket[] = [];

  beforeEach(async () => {
    data = tempDir();
    echo = createServer((socket) => {
      accepted.push(socket);
      socket.on('data', (chunk) => socket.write(chunk));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoAddress = `127.0.0.1:${(echo.address() as { port: number }).port}`;
  });

  afterEach(async () => {
    await node?.stop();
    node = undefined;
    for (const socket of accepted.splice(0)) socket.destroy();
    echo.close();
    data.cleanup();
  });

  async function start(): Promise<NodeSummary> {
    const prepared = await prepareFromConfig({ plugins: [TCP, DIALER], dataDir: data.dir, p2p: { bindPort: 0 }, rpc: { bindPort: 0 }, zones: { clearnet: { transport: 'fixture-tcp' } } });
    node = composeNode(prepared, withoutPeerLayer(prepared)).node;
    return node.start();
  }

  it('dials through the zone whose codec claims the address, outside the p2p layer', async () => {
    const summary = await start();
    expect(await rpc(summary, 'fixture_dial', { address: echoAddress })).to.deep.include({ result: { echoed: 'ping' } });
    const zones = (await rpc(summary, 'get_zones', {})).result as { zones: { connections: { out: number } }[] };
    expect(zones.zones[0].connections.out, 'not counted as a p2p connection').to.equal(0);
  });

  it('dials an onion address through the tor zone\'s transport and an IP through clearnet\'s', async () => {
    const prepared = await prepareFromConfig({
      plugins: [TCP, pluginFixture('onion-recorder.cjs'), DIALER],
      dataDir: data.dir,
      p2p: { bindPort: 0 },
      rpc: { bindPort: 0 },
      zones: { clearnet: { transport: 'fixture-tcp' }, tor: { enabled: true, transport: 'onion-recorder' } },
    });
    node = composeNode(prepared, withoutPeerLayer(prepared)).node;
    const summary = await node.start();
    const onion = `${'b'.repeat(56)}.onion:18089`;
    (globalThis as { onionDials?: string[] }).onionDials = [];
    expect(await rpc(summary, 'fixture_dial', { address: onion })).to.deep.include({ result: { echoed: 'ping' } });
    expect((globalThis as { onionDials?: string[] }).onionDials).to.deep.equal([onion]);
    expect(accepted, 'nothing reached the clearnet listener').to.have.length(0);
    expect(await rpc(summary, 'fixture_dial', { address: echoAddress })).to.deep.include({ result: { echoed: 'ping' } });
    expect((globalThis as { onionDials?: string[] }).onionDials).to.have.length(1);
    expect(accepted).to.have.length(1);
  });

  it('refuses an address no running zone claims with DialError ADDRESS_INVALID', async () => {
    await start();
    const error = await context()
      .dial(`${'a'.repeat(56)}.onion:80`)
      .catch((e: unknown) => e);
    expect(error).to.have.property('code', 'ADDRESS_INVALID');
    expect((error as Error).message).to.include('no zone claims this address');
  });

  it('refuses to dial before the node starts and after it stopped, and destroys plugin streams on stop', async () => {
    await prepareFromConfig({ plugins: [TCP, DIALER], dataDir: data.dir, zones: { clearnet: { transport: 'fixture-tcp' } } });
    expect(await context().dial(echoAddress).catch((e: unknown) => e)).to.have.property('code', 'NODE_NOT_RUNNING');
    await start();
    const stream = await context().dial(echoAddress);
    const closed = new Promise((resolve) => stream.once('close', resolve));
    await node?.stop();
    await closed;
    expect(stream.destroyed).to.equal(true);
    expect(await context().dial(echoAddress).catch((e: unknown) => e)).to.have.property('code', 'NODE_NOT_RUNNING');
  });

  it('gives each plugin a private 0700 directory in the data dir', async () => {
    await prepareFromConfig({ plugins: [TCP, DIALER], dataDir: data.dir });
    const dir = context().dataDir();
    expect(dir).to.equal(path.join(data.dir, 'plugins', 'dial-and-command'));
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
  });
});
