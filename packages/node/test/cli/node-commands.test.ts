import { expect } from 'chai';
import { ConfigError, VeilnodeError } from '@veilnode/plugin-api';
import { runNodeCommand } from '../../src/cli/node-commands';
import { NodeRpcClient } from '../../src/cli/node-rpc-client';
import { parseCommandLine } from '../../src/config/command-line';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { RpcMethodRegistry } from '../../src/rpc/rpc-method-registry';
import { RpcServer } from '../../src/rpc/rpc-server';

const TXID = 'ab'.repeat(32);
const NOW = 1_700_000_000_000;

describe('veilnode status / print_cn / print_pl / flush_txpool', () => {
  let server: RpcServer;
  let flushed: unknown[];
  let journal: { damaged_records: number; unreadable_bytes: number; moved_aside_to: string | null };

  beforeEach(async () => {
    flushed = [];
    journal = { damaged_records: 0, unreadable_bytes: 0, moved_aside_to: null };
    const methods = new RpcMethodRegistry();
    methods.add('get_info', () => ({ nettype: 'regtest', version: '0.1.0', start_time: NOW / 1000 - 3723, veilnode: { local_txs_waiting: 2, local_txs_in_flight: 1, wait_reason: 'no peer on tor' } }));
    methods.add('get_zones', () => ({
      zones: [
        { name: 'clearnet', transport: 'clearnet', enabled: true, inbound: [], connections: { in: 1, out: 3 }, queued: 0, noise: false, healthy: true },
        { name: 'tor', transport: 'tor', enabled: true, inbound: [], connections: { in: 0, out: 0 }, queued: 2, noise: true, healthy: false, problem: 'SOCKS proxy unreachable' },
        { name: 'kovri', transport: 'kovri', enabled: false, inbound: [], connections: { in: 0, out: 0 }, queued: 0, noise: false, healthy: true },
      ],
      journal,
    }));
    methods.add('get_connections', () => ({ connections: [{ zone: 'clearnet', address: '192.0.2.1:18080', incoming: false, state: 'normal', live_time: 61, height: 100, peer_id: '00000000000000aa' }] }));
    methods.add('get_peer_list', (params) => ({
      white_list: (params as { public_only?: boolean }).public_only === false ? [{ host: '192.0.2.1', port: 18080, last_seen: NOW / 1000 - 60, zone: 'clearnet' }] : [],
      gray_list: [{ host: '2001:db8::1', port: 18080, last_seen: 0, zone: 'clearnet' }],
    }));
    methods.add('flush_txpool', (params) => {
      flushed.push(params);
      return { status: 'OK' };
    });
    server = new RpcServer({ bindIp: '127.0.0.1', bindPort: 0, maxBodyBytes: 4096, restricted: false, login: 'alice:s3cret', zone: 'clearnet' }, methods, new RecordingLogger());
    await server.start();
  });
  afterEach(() => server.stop());

  const client = (login: string | null = 'alice:s3cret') => new NodeRpcClient('127.0.0.1', Number((server.address as string).split(':')[1]), login);

  it('status: network, uptime, local txs, and one row per running zone with health, peers, queue and noise', async () => {
    const out = await runNodeCommand('status', [], client(), () => NOW);
    expect(out).to.equal(
      [
        'veilnode 0.1.0 on regtest, uptime 0d 1h 2m 3s',
        'local txs: 2 queued, 1 in flight (no peer on tor)',
        'zone      transport  health                         peers in/out  queued  noise',
        'clearnet  clearnet   ok                             1/3           0       off',
        'tor       tor        DOWN: SOCKS proxy unreachable  0/0           2       on',
        '',
      ].join('\n'),
    );
  });

  it('status names a journal that was found damaged at start, and where the damaged file is kept', async () => {
    journal = { damaged_records: 2, unreadable_bytes: 300, moved_aside_to: '/var/lib/veilnode/txqueue/local-txs.journal.damaged-1' };
    const out = await runNodeCommand('status', [], client(), () => NOW);
    expect(out.trimEnd().split('\n').at(-1)).to.equal('local-tx journal: 2 damaged record(s) at start; the damaged file is kept at /var/lib/veilnode/txqueue/local-txs.journal.damaged-1');
  });

  it('print_cn and print_pl list connections and every zone\'s peer lists', async () => {
    expect(await runNodeCommand('print_cn', [], client())).to.match(/^zone +remote +direction +state +height +live +peer id\nclearnet +192\.0\.2\.1:18080 +OUT +normal +100 +0d 0h 1m 1s +00000000000000aa\n$/);
    const pl = await runNodeCommand('print_pl', [], client(), () => NOW);
    expect(pl).to.contain('clearnet: 2 peers').and.match(/white +192\.0\.2\.1:18080 +0d 0h 1m 0s ago/).and.match(/gray +\[2001:db8::1\]:18080 +-/);
  });

  it('flush_txpool [TXID] calls the node\'s flush_txpool with that id, or none; a bad id is refused before any call', async () => {
    expect(await runNodeCommand('flush_txpool', [], client())).to.equal('Pool successfully flushed\n');
    expect(await runNodeCommand('flush_txpool', [TXID], client())).to.equal(`Transaction ${TXID} flushed from the pool\n`);
    expect(flushed).to.deep.equal([{}, { txids: [TXID] }]);
    const bad = await runNodeCommand('flush_txpool', ['xyz'], client()).catch((e: unknown) => e);
    expect(bad).to.be.instanceOf(ConfigError);
    expect(flushed).to.have.length(2);
  });

  it('answers the Digest challenge with --rpc-login; without or with a wrong login it says so', async () => {
    const none = (await client(null).call('get_info').catch((e: unknown) => e)) as VeilnodeError;
    expect(none.code).to.equal('RPC_LOGIN_REQUIRED');
    const wrong = (await client('alice:nope').call('get_info').catch((e: unknown) => e)) as VeilnodeError;
    expect(wrong.code).to.equal('RPC_LOGIN_REFUSED');
    expect(wrong.message).to.not.contain('nope');
  });

  it('a node that is not running is reported with the address tried', async () => {
    const port = Number((server.address as string).split(':')[1]);
    await server.stop();
    const error = (await new NodeRpcClient('127.0.0.1', port, null).call('get_info').catch((e: unknown) => e)) as VeilnodeError;
    expect(error.code).to.equal('RPC_UNREACHABLE');
    expect(error.message).to.contain(`127.0.0.1:${port}`).and.contain('is it running?');
  });

  it('the command line takes options before and after the command, and flush_txpool its TXID', () => {
    expect(parseCommandLine(['--rpc-bind-port', '18089', 'status', '--rpc-login', 'a:b'])).to.deep.include({ command: 'node-command', nodeCommand: { name: 'status', args: [] } });
    expect(parseCommandLine(['flush_txpool', TXID]).nodeCommand).to.deep.equal({ name: 'flush_txpool', args: [TXID] });
  });
});
