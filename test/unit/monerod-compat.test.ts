import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { prepareError, prepareFromConfig } from '@veilnode/node/testing';
import { DEFAULT_TOR_CONFIG } from '@veilnode/tor';

const FIXTURE = path.resolve(__dirname, '..', '..', 'unit', 'fixtures', 'monerod.conf');
const PLUGINS = ['@veilnode/clearnet', '@veilnode/tor', '@veilnode/i2p-sam', '@veilnode/i2p-socks'];
const ONION = DEFAULT_TOR_CONFIG.seeds.mainnet[0].replace(/:\d+$/, '');
const B32 = `${'a'.repeat(52)}.b32.i2p`;

/** A monerod operator's files, through the kernel's real start-up with the real transport plugins. */
describe('monerod config file and command line', () => {
  let dir: string;
  let conf: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'veilnode-monerod-conf-'));
    conf = path.join(dir, 'monerod.conf');
    writeFileSync(conf, readFileSync(FIXTURE, 'utf8').replace('DATA_DIR', path.join(dir, 'data')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a monerod.conf from the docs plus a monerod command line: each option has its effect', async () => {
    const prepared = await prepareFromConfig(
      { plugins: PLUGINS },
      {
        // the rest of monero's docs/ANONYMITY_NETWORKS.md example, and the network switch
        argv: ['--config-file', conf, '--testnet', '--add-peer', `${ONION}:18083`, '--anonymous-inbound', `${ONION}:18083,127.0.0.1:18083,25`, '--out-peers', '16'],
      },
    );
    const { config } = prepared;
    expect(prepared.dataDir).to.equal(path.join(dir, 'data'));
    expect(config.network).to.equal('testnet');
    expect(config.log.level).to.equal('info'); // monerod's 1
    expect(config.p2p).to.include({ bindIp: '127.0.0.1', bindPort: 18080, limitRateUp: 1048576, limitRateDown: 1048576 });
    expect(config.rpc).to.include({ restrictedBindIp: '127.0.0.1', restrictedBindPort: 18089, confirmExternalBind: true });
    const zone = (name: string) => prepared.zones.find((z) => z.name === name);
    // the command line's --out-peers wins over the file's; the file's in-peers stands
    expect(zone('clearnet')).to.include({ maxOutbound: 16, maxInbound: 48 });
    expect(zone('clearnet')?.peers).to.deep.equal(['198.51.100.7:18080']); // add-priority-node
    expect(zone('i2p')).to.include({ transport: 'i2p-socks', noise: false });
    expect(String(zone('i2p')?.proxy), 'no scheme: SOCKS5').to.equal('socks5://127.0.0.1:4447');
    expect(zone('tor')).to.include({ transport: 'tor', maxOutbound: 10 });
    expect(String(zone('tor')?.proxy)).to.equal('socks5://127.0.0.1:9050');
    expect(zone('tor')?.peers).to.deep.equal([`${ONION}:18083`]);
    expect(zone('tor')?.inbound).to.deep.equal({ address: `${ONION}:18083`, bind: { host: '127.0.0.1', port: 18083 }, max: 25 });
    const notices = prepared.log.entries.filter((e) => e.level === 'info' && / is accepted and ignored: /.test(e.msg ?? '')).map((e) => (e.msg ?? '').split(' ')[0]);
    expect(notices).to.have.members([
      '--log-file', '--max-log-file-size', '--no-igd', '--public-node', '--zmq-pub', '--no-zmq', '--max-txpool-weight', '--db-sync-mode',
      '--prune-blockchain', '--enforce-dns-checkpoints', '--enable-dns-blocklist', '--check-updates',
    ]);
  });

  it("an option given on the command line replaces all of the file's values of it (monerod's precedence)", async () => {
    const prepared = await prepareFromConfig({ plugins: PLUGINS }, { argv: ['--config-file', conf, '--tx-proxy', 'tor,127.0.0.1:9150', '--limit-rate-up', '64'] });
    expect(prepared.zones.map((z) => z.name)).to.not.include('i2p');
    const tor = prepared.zones.find((z) => z.name === 'tor');
    expect(String(tor?.proxy)).to.equal('socks5://127.0.0.1:9150');
    expect(tor?.maxOutbound).to.not.equal(10); // the file's tor,127.0.0.1:9050,10 is gone whole
    expect(prepared.config.p2p).to.include({ limitRateUp: 64, limitRateDown: 1048576 });
  });

  it('a config-file value that breaks a rule is reported with the file it came from', async () => {
    writeFileSync(conf, 'out-peers=many\n');
    const error = await prepareError({ plugins: PLUGINS }, { argv: ['--config-file', conf] });
    expect(error.message).to.equal(`--config-file ${conf}: --out-peers "many": must be an integer >= 0, or -1 for the default`);
    writeFileSync(conf, '\n\nrpc-bind-ip=0.0.0.0\n');
    const exposed = await prepareError({ plugins: PLUGINS }, { argv: ['--config-file', conf] });
    expect(exposed.message).to.contain(`add --confirm-external-bind (rpc.confirmExternalBind) if you mean it, or --restricted-rpc (from rpc-bind-ip in ${conf})`);
    writeFileSync(conf, 'prune-blockchain=maybe\n');
    expect((await prepareError({ plugins: PLUGINS }, { argv: ['--config-file', conf] })).message).to.equal(`${conf}:1: prune-blockchain is a switch: its value must be 1, true, 0 or false`);
    writeFileSync(conf, 'p2p-bind-port 18080\n');
    expect((await prepareError({ plugins: PLUGINS }, { argv: ['--config-file', conf] })).message).to.equal(`${conf}:1: expected option=value, got "p2p-bind-port 18080"`);
  });

  it('--add-exclusive-node with a .b32.i2p address and no I2P transport says how to choose one', async () => {
    const error = await prepareError({ plugins: PLUGINS }, { argv: ['--add-exclusive-node', `${B32}:0`] });
    expect(error.message).to.contain('zones.i2p.transport: transports i2p-sam, i2p-socks all serve zone i2p; choose one: add --tx-proxy i2p,IP:PORT or --i2p-sam IP:PORT, or set zones.i2p.transport (from --add-exclusive-node)');
    const chosen = await prepareFromConfig({ plugins: PLUGINS }, { argv: ['--add-exclusive-node', `${B32}:0`, '--i2p-sam', '127.0.0.1:7656'] });
    expect(chosen.zones.find((z) => z.name === 'i2p')?.exclusivePeers).to.deep.equal([`${B32}:0`]);
  });

  it('--confirm-external-bind is what lets an unrestricted RPC bind a non-loopback address; --restricted-rpc needs no confirmation', async () => {
    const refused = await prepareError({ plugins: PLUGINS }, { argv: ['--rpc-bind-ip', '0.0.0.0'] });
    expect(refused.message).to.contain('rpc.bindIp: 0.0.0.0 is not a loopback address and the RPC is unrestricted').and.contain('(from --rpc-bind-ip)');
    const confirmed = await prepareFromConfig({ plugins: PLUGINS }, { argv: ['--rpc-bind-ip', '0.0.0.0', '--confirm-external-bind'] });
    expect(confirmed.config.rpc.bindIp).to.equal('0.0.0.0');
    const restricted = await prepareFromConfig({ plugins: PLUGINS }, { argv: ['--rpc-bind-ip', '0.0.0.0', '--restricted-rpc'] });
    expect(restricted.config.rpc.restricted).to.equal(true);
    const samePort = await prepareError({ plugins: PLUGINS }, { argv: ['--rpc-bind-port', '18081', '--rpc-restricted-bind-port', '18081'] });
    expect(samePort.message).to.contain('rpc.restrictedBindPort: 18081 is the port of the main RPC listener; the restricted one needs its own');
  });
});
