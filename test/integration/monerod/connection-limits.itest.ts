import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { composeClearnetNode, type Veilnode } from '../../src/clearnet-node';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { until } from '../../src/until';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800);
/** This suite's ports: BASE+320..325 monerod A, BASE+330..335 monerod B, BASE+326 our p2p, BASE+329 closed. */
const OUR_P2P = BASE + 326;
const NOBODY = BASE + 329;

/** Opens a TCP connection to our p2p port from `localAddress`; resolves with whether it was still open after `ms`. */
function heldOpen(localAddress: string, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: OUR_P2P, localAddress });
    let closed = false;
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.once('close', () => (closed = true));
    socket.once('connect', () =>
      setTimeout(() => {
        socket.destroy();
        resolve(!closed);
      }, ms),
    );
  });
}

const run = promisify(execFile);

describe('inbound connection limits and RPC login against real regtest monerods', function () {
  this.timeout(180_000);

  // both monerods dial us from 127.0.0.1, the one IP of this loopback network they can use
  const monerodA = new MonerodHarness({ basePort: BASE + 320, exclusive: [`127.0.0.1:${OUR_P2P}`] });
  const monerodB = new MonerodHarness({ basePort: BASE + 330, exclusive: [`127.0.0.1:${OUR_P2P}`] });
  const logger = new RecordingLogger();
  let dataDir: string;
  let node: Veilnode | undefined;
  let rpc: string;

  const inbound = (): number => node?.peers.layer.connections('clearnet').filter((c) => c.direction === 'inbound' && c.state === 'ready').length ?? 0;

  before(async function () {
    skipWithoutMonerod(this);
    dataDir = await mkdtemp(join(tmpdir(), 'veilnode-conn-limits-itest-'));
    // our one outbound peer is a closed port: every connection we hold here is inbound
    const { veilnode } = await composeClearnetNode({ dir: dataDir, p2pPort: OUR_P2P, exclusivePeer: `127.0.0.1:${NOBODY}`, logger, args: ['--rpc-login', 'wallet:s3cret'] });
    node = veilnode;
    rpc = (await veilnode.start()).rpc;
    await Promise.all([monerodA.start(), monerodB.start()]);
  });

  after(async () => {
    await node?.stop();
    await Promise.all([monerodA.stop(), monerodB.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lets one of two monerods on 127.0.0.1 in and keeps the other out while it keeps dialling', async () => {
    await until('a monerod handshaken inbound', () => inbound() === 1, 30_000);
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      counts.push(inbound());
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(Math.max(...counts), 'inbound connections over 10 s of both monerods dialling').to.equal(1);
    // a refused attempt may show in the other monerod's list for a moment: wait for a quiet read
    await until('one monerod connected to us and the other not', async () => {
      const [a, b] = await Promise.all([monerodA.getConnections(), monerodB.getConnections()]);
      return [a.length, b.length].sort().join() === '0,1';
    }, 10_000);
  });

  it('refuses a third connection from 127.0.0.1 at once and takes one from 127.0.0.2', async () => {
    expect(await heldOpen('127.0.0.1', 500)).to.equal(false);
    expect(await heldOpen('127.0.0.2', 500)).to.equal(true);
  });

  it('gives the IP\'s slot to the other monerod once the first one is gone', async () => {
    const a = await monerodA.getConnections();
    const [admitted, waiting] = a.length === 1 ? [monerodA, monerodB] : [monerodB, monerodA];
    await admitted.stop();
    await until('the other monerod handshaken inbound', async () => (await waiting.getConnections()).length === 1 && inbound() === 1, 60_000);
  });

  it('lets monerod\'s own RPC client (epee Digest auth, as wallets use it) log in, and not with a wrong password', async () => {
    const [ip, port] = rpc.split(':');
    const printConnections = async (login: string): Promise<string> =>
      (await run('monerod', ['--regtest', '--rpc-bind-ip', ip, '--rpc-bind-port', port, '--rpc-login', login, 'print_cn'], { timeout: 30_000 })).stdout;
    const listed = await printConnections('wallet:s3cret');
    expect(listed, listed).to.match(/Remote Host/);
    expect(listed, listed).to.match(/INC 127\.0\.0\.1:\d+ .* normal /);
    expect(await printConnections('wallet:wrong')).to.match(/Unsuccessful/);
  });

  it('logs the refusals as one summary line with counts by reason, naming no address', async () => {
    await node?.stop();
    node = undefined;
    const lines = logger.entries.filter((e) => e.msg === 'inbound connections refused');
    expect(lines).to.have.length.within(1, 2);
    const refused = lines.reduce((n, e) => n + ((e.fields.byReason as Record<string, number>).perIpLimit ?? 0), 0);
    console.log(`    refused from 127.0.0.1: ${refused} in ${lines.length} log line(s)`);
    expect(refused).to.be.at.least(2);
    expect(JSON.stringify(lines)).not.to.include('127.0.0.1');
  });
});
