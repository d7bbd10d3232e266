import { expect } from 'chai';
import { statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { PeerAddress, PluginContext } from '@veilnode/plugin-api';
import { composeNode } from '../../src/node/compose-node';
import type { Node, NodeSummary } from '../../src/node/node';
import { pluginFixture, tempDir } from '../../src/testing/fixtures';
import { prepareFromConfig } from '../../src/testing/prepare';

const TCP = pluginFixture('tcp-zone.cjs');
const DIALER = pluginFixture('dial-and-command.cjs');

async function rpc(summary: NodeSummary, method: string, params: unknown): Promise<{ result?: Record<string, unknown>; error?: { message: string } }> {
  const response = await fetch(`http://${summary.rpc}/json_rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await response.json()) as { result?: Record<string, unknown>; error?: { message: string } };
}

/** What a synchronous call threw. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function context(): PluginContext {
  return (globalThis as { dialFixtureContext?: PluginContext }).dialFixtureContext as PluginContext;
}

describe('PluginContext at run time: dial through the zones, dataDir', () => {
  let data: { dir: string; cleanup: () => void };
  let node: Node | undefined;
  let echo: Server;
  let echoAddress: string;
  const echoTarget = (): PeerAddress => ({ zone: 'clearnet', host: '127.0.0.1', port: (echo.address() as { port: number }).port });
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
    node = composeNode(prepared).node;
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
    node = composeNode(prepared).node;
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

  it('parses an address with the codec of the zone that claims it, and refuses text no zone claims or an address of a zone that is not there', async () => {
    await start();
    expect(context().parseAddress(echoAddress)).to.deep.equal(echoTarget());
    const unclaimed = thrownBy(() => context().parseAddress(`${'a'.repeat(56)}.onion:80`));
    expect(unclaimed).to.have.property('code', 'ADDRESS_INVALID');
    expect((unclaimed as Error).message).to.include('no zone claims this address');
    const foreign = await context()
      .dial({ zone: 'tor', host: 'a'.repeat(56), port: 80 })
      .catch((e: unknown) => e);
    expect(foreign).to.have.property('code', 'ADDRESS_INVALID');
    expect((foreign as Error).message).to.include('no zone tor is registered');
  });

  it('refuses to dial before the node starts and after it stopped, and destroys plugin streams on stop', async () => {
    await prepareFromConfig({ plugins: [TCP, DIALER], dataDir: data.dir, zones: { clearnet: { transport: 'fixture-tcp' } } });
    expect(await context().dial(echoTarget()).catch((e: unknown) => e)).to.have.property('code', 'NODE_NOT_RUNNING');
    expect(thrownBy(() => context().parseAddress(echoAddress))).to.have.property('code', 'NODE_NOT_RUNNING');
    await start();
    const connection = await context().dial(echoTarget());
    expect(connection).to.deep.include({ direction: 'outbound' });
    const closed = new Promise((resolve) => connection.stream.once('close', resolve));
    await node?.stop();
    await closed;
    expect(connection.stream.destroyed).to.equal(true);
    expect(await context().dial(echoTarget()).catch((e: unknown) => e)).to.have.property('code', 'NODE_NOT_RUNNING');
  });

  it('gives each plugin a private 0700 directory in the data dir', async () => {
    await prepareFromConfig({ plugins: [TCP, DIALER], dataDir: data.dir });
    const dir = context().dataDir();
    expect(dir).to.equal(path.join(data.dir, 'plugins', 'dial-and-command'));
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
  });
});
