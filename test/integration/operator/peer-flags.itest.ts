import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createNode, type PreparedNode, type Veilnode } from '@veilnode/node';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { until } from '../../src/until';

const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800);
/** This suite's ports: BASE+442..447 monerod, BASE+450 our p2p. */
const OUR_P2P = BASE + 450;

/**
 * Peer flags routed by the zones' codecs, against a real regtest monerod: `--add-exclusive-node`
 * with monerod's address is claimed by the clearnet codec and dialled, while `--add-peer` with a
 * Kovri address lands in the Kovri plugin's zone, in one command line.
 */
describe('--add-exclusive-node and --add-peer routed by codec, against a real regtest monerod', function () {
  this.timeout(120_000);

  const monerod = new MonerodHarness({ basePort: BASE + 442 });
  const logger = new RecordingLogger();
  let dir: string;
  let prepared: PreparedNode;
  let node: Veilnode | undefined;

  before(async function () {
    skipWithoutMonerod(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-peer-flags-itest-'));
    await monerod.start();
    const config = join(dir, 'node.json5');
    await writeFile(
      config,
      JSON.stringify({
        plugins: ['@veilnode/clearnet', '@veilnode/kovri'],
        dataDir: join(dir, 'node'),
        p2p: { bindIp: '127.0.0.1', bindPort: OUR_P2P },
        rpc: { bindIp: '127.0.0.1', bindPort: 0 },
        zones: { clearnet: { enabled: true }, kovri: { enabled: true } },
      }),
    );
    const argv = ['--config', config, '--regtest', '--add-exclusive-node', `127.0.0.1:${monerod.p2pPort}`, '--add-peer', 'node-1.kovri:18080'];
    ({ prepared, veilnode: node } = await createNode({ argv, cwd: dir, createLogger: () => logger }));
    await node.start();
  });

  after(async () => {
    await node?.stop();
    await monerod.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts each address in the zone whose codec claims it', () => {
    const zone = (name: string) => prepared.zones.find((z) => z.name === name);
    expect(zone('clearnet')?.exclusivePeers).to.deep.equal([`127.0.0.1:${monerod.p2pPort}`]);
    expect(zone('kovri')?.peers).to.deep.equal(['node-1.kovri:18080']);
    expect(zone('clearnet')?.peers).to.deep.equal([]);
  });

  it('dials the clearnet one: monerod sees veilnode connected', async () => {
    // monerod lists the connection before its handshake answer reaches us: wait for both ends.
    const ours = () => node?.peers.layer.connections('clearnet').filter((c) => c.direction === 'outbound' && c.state === 'ready') ?? [];
    await until(
      'veilnode connected to monerod, seen from both ends',
      async () => ours().length === 1 && (await monerod.getConnections()).length === 1,
      30_000,
    );
    expect(ours()).to.have.length(1);
    expect(await monerod.getConnections()).to.have.length(1);
  });
});
