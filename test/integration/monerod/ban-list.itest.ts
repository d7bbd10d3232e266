import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { composeClearnetNode, type Veilnode } from '../../src/clearnet-node';
import { MonerodHarness } from '../../src/harness/monerod';
import { TcpGate } from '../../src/harness/tcp-gate';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { until } from '../../src/until';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800);
/**
 * This suite's ports: BASE+420..425 monerod A (127.0.0.1), BASE+430..435 monerod B (p2p on
 * 127.0.0.2), BASE+426 our p2p, BASE+427 the gate B dials us through.
 */
const OUR_P2P = BASE + 426;
const B_GATE = BASE + 427;
const A_P2P = `127.0.0.1:${BASE + 420}`;
const B_P2P = `127.0.0.2:${BASE + 430}`;

describe('--ban-list against real regtest monerods: the banned one is never dialled and refused inbound, the other connects', function () {
  this.timeout(120_000);

  // both are our exclusive peers and both dial us; only B's IP is on the ban list. monerod dials
  // from the kernel's source address (127.0.0.1) whatever it binds, so B reaches us through a
  // gate that connects from 127.0.0.2.
  const monerodA = new MonerodHarness({ basePort: BASE + 420, exclusive: [`127.0.0.1:${OUR_P2P}`] });
  const monerodB = new MonerodHarness({ basePort: BASE + 430, exclusive: [`127.0.0.1:${B_GATE}`], p2pBindIp: '127.0.0.2' });
  const gate = new TcpGate(B_GATE, { host: '127.0.0.1', port: OUR_P2P }, '127.0.0.2');
  const logger = new RecordingLogger();
  let dataDir: string;
  let node: Veilnode | undefined;

  const ready = (): { remote?: string; direction: string }[] =>
    node?.peers.layer.connections('clearnet').filter((c) => c.state === 'ready').map((c) => ({ remote: c.remote, direction: c.direction })) ?? [];
  const dialled = (peer: string): number => logger.entries.filter((e) => e.msg === 'dialling outbound peer' && e.fields.peer === peer).length;

  before(async function () {
    skipWithoutMonerod(this);
    dataDir = await mkdtemp(join(tmpdir(), 'veilnode-ban-list-itest-'));
    const banList = join(dataDir, 'bans.txt');
    await writeFile(banList, '# the spy\n127.0.0.2   # monerod B, seen at the gate it dials us through\n');
    const { veilnode } = await composeClearnetNode({
      dir: dataDir,
      p2pPort: OUR_P2P,
      exclusivePeer: A_P2P,
      logger,
      args: ['--ban-list', banList, '--add-exclusive-node', A_P2P, '--add-exclusive-node', B_P2P, '--log-level', 'debug'],
    });
    node = veilnode;
    await veilnode.start();
    await gate.open();
    await Promise.all([monerodA.start(), monerodB.start()]);
  });

  after(async () => {
    await node?.stop();
    await Promise.all([monerodA.stop(), monerodB.stop(), gate.close()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('connects to the unlisted monerod (outbound, and it may come in too)', async () => {
    await until('monerod A handshaken', async () => ready().some((c) => c.remote?.startsWith('127.0.0.1:')) && (await monerodA.getConnections()).some((c) => c.state === 'normal'), 60_000);
    expect(dialled(A_P2P), 'dials of monerod A').to.be.at.least(1);
  });

  it('never dials the banned monerod, keeps refusing its inbound dials before a handshake, and says so without its address', async () => {
    // B dials us as its exclusive node about once a second: give it time to try several times
    await new Promise((r) => setTimeout(r, 8_000));
    expect(dialled(B_P2P), 'dials of the banned monerod').to.equal(0);
    expect(ready().filter((c) => c.remote?.startsWith('127.0.0.2:')), 'connections with the banned monerod').to.deep.equal([]);
    expect((await monerodB.getConnections()).filter((c) => c.state === 'normal'), "monerod B's handshaken connections").to.deep.equal([]);
    await node?.stop();
    node = undefined;
    const refused = logger.entries
      .filter((e) => e.msg === 'inbound connections refused')
      .reduce((n, e) => n + ((e.fields.byReason as Record<string, number>).banned ?? 0), 0);
    console.log(`    inbound dials of the banned monerod refused: ${refused}`);
    expect(refused, 'refused inbound dials from 127.0.0.2').to.be.at.least(1);
    expect(JSON.stringify(logger.entries.filter((e) => e.msg === 'inbound connections refused'))).not.to.include('127.0.0.2');
  });
});
