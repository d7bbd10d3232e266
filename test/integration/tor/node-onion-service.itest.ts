import { parseSocksProxy } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnionV3Codec, TorTransport } from '@veilnode/tor';
import { retryUntil, torFixture, transportContext, type TorFixture } from './fixture';

const MAIN = require.resolve('@veilnode/node/cli');
/** Any valid onion: with tor.control set, the node announces the onion of its own key instead. */
const PLACEHOLDER_ONION = 'zghpp44hm3csmdc47wir32y577t4s5i6kldnejusmhdckn2y7rrkcnid.onion';

function rpc(port: number, method: string): Promise<unknown> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method });
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/json_rpc', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolvePromise((JSON.parse(text) as { result: unknown }).result));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * The whole node (the real CLI): `--tx-proxy tor,…` plus `tor.control` in the config file make it
 * create its own onion service; get_zones lists that onion as the tor zone's inbound address and
 * a peer reaches it through Tor.
 */
describe('veilnode node with its own onion service (CLI, get_zones)', function () {
  this.timeout(240_000);
  let fx: TorFixture;
  let node: ChildProcess | undefined;
  let dir: string;
  let stdout = '';

  before(async function () {
    fx = await torFixture(this);
    dir = mkdtempSync(join(tmpdir(), 'veilnode-node-tor-'));
  });
  after(async () => {
    if (node && node.exitCode === null) {
      const exited = new Promise((r) => node?.once('exit', r));
      node.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('announces the ADD_ONION address in get_zones and accepts a peer through Tor', async () => {
    const config = join(dir, 'veilnode.json5');
    writeFileSync(config, JSON.stringify({ tor: { control: `127.0.0.1:${fx.net.controlPortHs}`, retryInitialMs: 500, retryMaxMs: 2000 } }));
    node = spawn(
      process.execPath,
      [
        MAIN,
        '--config', config,
        '--network', 'regtest',
        '--data-dir', join(dir, 'data'),
        '--p2p-bind-port', '0',
        '--rpc-bind-port', '0',
        '--tx-proxy', `tor,socks5://127.0.0.1:${fx.net.socksPort}`,
        '--anonymous-inbound', `${PLACEHOLDER_ONION}:18083,127.0.0.1:0`,
      ],
      { env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    node.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    const rpcPort = await retryUntil(async () => {
      const m = /"rpc":"127\.0\.0\.1:(\d+)"/.exec(stdout);
      if (!m) throw new Error(`node not started yet:\n${stdout}`);
      return Number(m[1]);
    }, 30_000, 100);

    const { zones } = (await rpc(rpcPort, 'get_zones')) as { zones: Array<{ name: string; transport: string; inbound: string[] }> };
    const tor = zones.find((z) => z.name === 'tor');
    expect(tor?.transport).to.equal('tor');
    expect(tor?.inbound).to.have.length(1);
    const ours = tor?.inbound[0] as string;
    expect(ours).to.match(/^[a-z2-7]{56}\.onion:18083$/);
    expect(ours).to.not.include(PLACEHOLDER_ONION);

    const peer = new TorTransport(transportContext({ proxy: parseSocksProxy(`socks5://127.0.0.1:${fx.net.socksPortExt}`) }, { socksTimeoutMs: 30_000 }));
    try {
      const conn = await retryUntil(() => peer.dial(new OnionV3Codec().parse(ours)), 120_000, 1000);
      expect(conn.direction).to.equal('outbound');
      await retryUntil(async () => {
        const status = (await rpc(rpcPort, 'get_zones')) as { zones: Array<{ name: string; connections: { in: number } }> };
        if (status.zones.find((z) => z.name === 'tor')?.connections.in !== 1) throw new Error('no inbound tor connection in get_zones');
      }, 10_000, 100);
      conn.stream.destroy();
    } finally {
      await peer.stop();
    }
    expect(stdout).to.not.match(/ED25519-V3:/);
  });
});
