import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { pluginFixture, tempDir, writeConfig } from '../../src/testing/fixtures';

const MAIN = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
const TCP = pluginFixture('tcp-zone.cjs');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

function runCli(args: string[], home: string, env: Record<string, string> = {}): Run {
  // A clean environment: no VEILNODE_* from the developer's shell, HOME in the temp dir.
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(run: Run, pattern: RegExp, ms = 8000): Promise<RegExpMatchArray> {
  const end = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(run.stdout());
    if (m) return m;
    if (Date.now() > end || run.child.exitCode !== null) throw new Error(`no ${pattern} in output:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function tcpProbe(address: string): Promise<'connected' | string> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect(Number(address.slice(i + 1)), address.slice(0, i));
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('veilnode CLI (the real bin, spawned)', function () {
  this.timeout(20_000);
  let tmp: { dir: string; cleanup: () => void };
  const running: Run[] = [];

  beforeEach(() => {
    tmp = tempDir('veilnode-cli-');
  });
  afterEach(() => {
    for (const run of running.splice(0)) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    tmp.cleanup();
  });

  function start(config: Record<string, unknown>, extra: string[] = []): Run {
    const file = writeConfig(tmp.dir, { dataDir: path.join(tmp.dir, 'data'), p2p: { bindPort: 0 }, rpc: { bindPort: 0 }, ...config });
    const run = runCli(['--config', file, '--log-level', 'warn', ...extra], tmp.dir);
    running.push(run);
    return run;
  }

  it('--help prints usage with every flag and exits 0', async () => {
    const run = runCli(['--help'], tmp.dir);
    expect((await run.exited).code).to.equal(0);
    for (const flag of ['--tx-proxy', '--anonymous-inbound', '--i2p-sam', '--add-exclusive-node', '--rpc-bind-port', '--data-dir']) expect(run.stdout()).to.contain(flag);
  });

  it('an unknown option exits 2 naming it once, with the --help hint once', async () => {
    const run = runCli(['--p2p-bind-ipv6-address', '::'], tmp.dir);
    expect((await run.exited).code).to.equal(2);
    expect(run.stderr()).to.equal("veilnode: unknown option --p2p-bind-ipv6-address: veilnode's equivalent is --p2p-bind-ip (it takes an IPv6 address)\n(veilnode --help lists every option)\n");
  });

  it('a grammar error exits 2 naming the flag, value and rule', async () => {
    const run = runCli(['--tx-proxy', 'tor,127.0.0.1:9050,0'], tmp.dir);
    expect((await run.exited).code).to.equal(2);
    expect(run.stderr()).to.contain('veilnode: --tx-proxy "tor,127.0.0.1:9050,0": unknown option "0": expected MAX (a positive integer), disable_noise, socks4a or socks5');
  });

  it('`veilnode <command>` runs a plugin\'s command with its arguments, settings and data dir; an unknown one lists the commands', async () => {
    const file = writeConfig(tmp.dir, { plugins: [pluginFixture('dial-and-command.cjs')], 'dial-and-command': { greeting: 'hi' }, dataDir: path.join(tmp.dir, 'data') });
    const ok = runCli(['--config', file, '--network', 'regtest', 'echo-args', 'one', '--two'], tmp.dir);
    expect((await ok.exited).code, ok.stderr()).to.equal(0);
    expect(JSON.parse(ok.stdout())).to.deep.equal({ argv: ['one', '--two'], network: 'regtest', greeting: 'hi', dataDir: path.join(tmp.dir, 'data', 'plugins', 'dial-and-command') });
    const failing = runCli(['--config', file, 'echo-args', 'fail'], tmp.dir);
    expect((await failing.exited).code).to.equal(3);
    const unknown = runCli(['--config', file, 'start'], tmp.dir);
    expect((await unknown.exited).code).to.equal(2);
    expect(unknown.stderr()).to.include('unknown command "start" (commands: plugins, help, echo-args)');
  });

  it('`veilnode plugins` lists plugins, versions, contributions and where they were loaded from', async () => {
    const file = writeConfig(tmp.dir, { plugins: [TCP, pluginFixture('esm-rpc.mjs')], zones: { clearnet: { transport: 'fixture-tcp' } } });
    const run = runCli(['plugins', '--config', file], tmp.dir);
    expect((await run.exited).code).to.equal(0);
    expect(run.stdout()).to.contain(`fixture-tcp 1.2.3 (core API ^2.0.0)\n  loaded from  ${TCP} -> ${TCP}\n  zones        clearnet\n  transports   fixture-tcp\n  rpc methods  -`);
    expect(run.stdout()).to.contain('esm-rpc 0.3.0 (core API >=1.0.0)');
    expect(run.stdout()).to.contain('rpc methods  fixture_echo');
  });

  it('refuses to start when a plugin\'s register throws, naming the plugin', async () => {
    const run = start({ plugins: [pluginFixture('throws-on-register.cjs')] });
    expect((await run.exited).code).to.equal(1);
    expect(run.stderr()).to.contain('veilnode: plugin throws-on-register');
    expect(run.stderr()).to.contain('failed to register: the SAM bridge is not configured');
  });

  it('starts, prints its summary, accepts TCP on the printed p2p address, and stops on SIGTERM within 5 s releasing its ports', async () => {
    const run = start({ plugins: [TCP], zones: { clearnet: { transport: 'fixture-tcp' } } });
    const [, p2p] = await waitFor(run, /zone clearnet\s+transport fixture-tcp\s+p2p (\S+)/);
    const [, rpc] = await waitFor(run, /rpc\s+http:\/\/(\S+)\/json_rpc/);
    expect(run.stdout()).to.contain(`data dir  ${path.join(tmp.dir, 'data')}`);
    expect(await tcpProbe(p2p)).to.equal('connected');
    const reply = await fetch(`http://${rpc}/json_rpc`, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"get_zones"}' });
    expect(((await reply.json()) as { result: { zones: { name: string; inbound: string[] }[] } }).result.zones[0]).to.deep.include({ name: 'clearnet', inbound: [p2p] });
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const { code, at } = await run.exited;
    expect(code).to.equal(0);
    expect(at - sent).to.be.below(5000);
    expect(await tcpProbe(p2p)).to.equal('ECONNREFUSED');
    expect(await tcpProbe(rpc)).to.equal('ECONNREFUSED');
  });

  it('runs on the embedded default config (what `npm start` does): loopback RPC, every enabled zone reachable', async () => {
    // Only the network (regtest: mainnet would dial the built-in seed nodes, and a test never leaves
    // loopback), ports and data dir are moved, through the environment, so the test cannot collide.
    const run = runCli(['--log-level', 'warn'], tmp.dir, { VEILNODE_NETWORK: 'regtest', VEILNODE_P2P_BIND_PORT: '0', VEILNODE_RPC_BIND_PORT: '0', VEILNODE_DATA_DIR: path.join(tmp.dir, 'data') });
    running.push(run);
    const [, rpc] = await waitFor(run, /rpc\s+http:\/\/(\S+)\/json_rpc/);
    await waitFor(run, /SIGINT\/SIGTERM/);
    expect(rpc).to.match(/^127\.0\.0\.1:\d+$/);
    const reply = await fetch(`http://${rpc}/json_rpc`, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"get_zones"}' });
    const zones = ((await reply.json()) as { result: { zones: { name: string; enabled: boolean; inbound: string[] }[] } }).result.zones;
    const printed = [...run.stdout().matchAll(/zone (\S+)\s+transport \S+\s+p2p (\S+)/g)].map((m) => [m[1], m[2]]);
    expect(zones.filter((z) => z.enabled && z.inbound.length > 0).map((z) => [z.name, z.inbound[0]])).to.deep.equal(printed);
    for (const [, address] of printed) {
      expect(address).to.match(/^127\.0\.0\.1:\d+$/);
      expect(await tcpProbe(address)).to.equal('connected');
    }
    run.child.kill('SIGTERM');
    expect((await run.exited).code).to.equal(0);
  });

  it('stops on SIGINT too', async () => {
    const run = start({ plugins: [TCP], zones: { clearnet: { transport: 'fixture-tcp' } } });
    await waitFor(run, /SIGINT\/SIGTERM/);
    run.child.kill('SIGINT');
    expect((await run.exited).code).to.equal(0);
  });

  it('a second signal exits at once while a stop hangs', async () => {
    const run = start({ plugins: [pluginFixture('hanging-stop.cjs')] });
    await waitFor(run, /SIGINT\/SIGTERM/);
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(run.child.exitCode, 'still stopping after the first signal').to.equal(null);
    const second = Date.now();
    run.child.kill('SIGTERM');
    const forced = await run.exited;
    expect(forced.code).to.equal(130);
    expect(forced.at - second).to.be.below(1000);
    expect(run.stderr()).to.contain('second SIGTERM, exiting now');
  });
});
