import { expect } from 'chai';
import { FLAGS, parseCommandLine } from '../../src/config/command-line';
import { usage } from '../../src/cli/usage';
import { flagSettings as settings, grammarError } from '../helpers/command-line';

describe('command line (monerod flags)', () => {
  it('defaults to running the node; `plugins` and --help select the other commands', () => {
    expect(parseCommandLine([]).command).to.equal('run');
    expect(parseCommandLine(['plugins', '--config', 'x.json5'])).to.include({ command: 'plugins', configFile: 'x.json5' });
    expect(parseCommandLine(['--help']).command).to.equal('help');
    expect(parseCommandLine(['-h', 'plugins']).command).to.equal('help');
  });

  it('translates the simple flags into config paths (both --flag value and --flag=value)', () => {
    expect(
      settings([
        '--data-dir', '/tmp/x', '--network=testnet', '--log-level', 'debug', '--p2p-bind-ip', '::1', '--p2p-bind-port', '0',
        '--rpc-bind-ip', '127.0.0.2', '--rpc-bind-port=18089', '--rpc-login', 'alice:secret', '--restricted-rpc', '--pad-transactions',
      ]),
    ).to.deep.equal({
      dataDir: '/tmp/x',
      network: 'testnet',
      'log.level': 'debug',
      'p2p.bindIp': '::1',
      'p2p.bindPort': 0,
      'rpc.bindIp': '127.0.0.2',
      'rpc.bindPort': 18089,
      'rpc.login': 'alice:secret',
      'rpc.restricted': true,
      'p2p.padTransactions': true,
    });
  });

  it('--ban-list FILE (monerod\'s flag) sets p2p.banList', () => {
    expect(settings(['--ban-list', 'bans.txt'])).to.deep.equal({ 'p2p.banList': 'bans.txt' });
    expect(() => parseCommandLine(['--ban-list='])).to.throw('--ban-list');
  });

  it('--max-connections-per-ip N (monerod\'s flag) sets the clearnet zone\'s per-IP inbound limit', () => {
    expect(settings(['--max-connections-per-ip', '3'])).to.deep.equal({ 'zones.clearnet.maxConnectionsPerIp': 3 });
    expect(() => parseCommandLine(['--max-connections-per-ip', '0'])).to.throw('--max-connections-per-ip "0": must be a positive integer');
  });

  it('--tx-proxy: tor selects transport tor, i2p selects i2p-socks; MAX and disable_noise in either order', () => {
    expect(settings(['--tx-proxy', 'tor,127.0.0.1:9050,16,disable_noise', '--tx-proxy', 'i2p,127.0.0.1:4447,disable_noise,8'])).to.deep.equal({
      'zones.tor.enabled': true,
      'zones.tor.transport': 'tor',
      'zones.tor.proxy': '127.0.0.1:9050',
      'zones.tor.maxOutbound': 16,
      'zones.tor.noise': false,
      'zones.i2p.enabled': true,
      'zones.i2p.transport': 'i2p-socks',
      'zones.i2p.proxy': '127.0.0.1:4447',
      'zones.i2p.maxOutbound': 8,
      'zones.i2p.noise': false,
    });
    expect(settings(['--tx-proxy', 'tor,socks5://u:p@127.0.0.1:9050'])).to.include({ 'zones.tor.proxy': 'socks5://u:p@127.0.0.1:9050' });
  });

  it('--tx-proxy / --proxy NETWORK,...: socks4a or socks5 picks the SOCKS version, anywhere after PROXY', () => {
    expect(settings(['--proxy', 'tor,127.0.0.1:9050,10,socks4a'])).to.include({ 'zones.tor.proxy': 'socks4a://127.0.0.1:9050', 'zones.tor.maxOutbound': 10 });
    expect(settings(['--tx-proxy', 'tor,127.0.0.1:9050,socks4a,disable_noise,3'])).to.include({
      'zones.tor.proxy': 'socks4a://127.0.0.1:9050',
      'zones.tor.maxOutbound': 3,
      'zones.tor.noise': false,
    });
    expect(settings(['--tx-proxy', 'i2p,127.0.0.1:4447,disable_noise,socks5,8'])).to.include({ 'zones.i2p.proxy': 'socks5://127.0.0.1:4447', 'zones.i2p.noise': false });
    expect(settings(['--tx-proxy', 'tor,socks4a://127.0.0.1:9050,socks4a'])).to.include({ 'zones.tor.proxy': 'socks4a://127.0.0.1:9050' });
    expect(settings(['--tx-proxy', 'tor,u:p@127.0.0.1:9050,socks5'])).to.include({ 'zones.tor.proxy': 'socks5://u:p@127.0.0.1:9050' });
  });

  it('--tor-control and --tor-control-password set tor.control / tor.controlPassword; the password is never echoed', () => {
    expect(settings(['--tor-control', '127.0.0.1:9051', '--tor-control-password', 's3cret pass'])).to.deep.equal({
      'tor.control': '127.0.0.1:9051',
      'tor.controlPassword': 's3cret pass',
    });
    const error = grammarError(['--tor-control-password', 'x', '--tor-control-password', 'hunter2']);
    expect(error.message).to.equal('--tor-control-password is given more than once');
    const empty = grammarError(['--tor-control-password', '']);
    expect(empty.context.value).to.equal(undefined);
    expect(settings(['--proxy', 'tor,127.0.0.1:9050'])).to.include({ 'zones.tor.transport': 'tor' });
  });

  it('--proxy IP:PORT proxies all clearnet traffic', () => {
    expect(settings(['--proxy', '127.0.0.1:9050'])).to.deep.equal({ 'zones.clearnet.proxy': '127.0.0.1:9050' });
  });

  it('--i2p-sam selects the SAM transport for zone i2p and sets i2p-sam.sam', () => {
    expect(settings(['--i2p-sam', '127.0.0.1:7656'])).to.deep.equal({
      'zones.i2p.enabled': true,
      'zones.i2p.transport': 'i2p-sam',
      'i2p-sam.sam': '127.0.0.1:7656',
    });
  });

  it('--anonymous-inbound picks the zone from the address suffix; BIND-IP defaults to 127.0.0.1', () => {
    const onion = 'zpv4fa3szgel7vf6jdjeugizdclq2vzkelscs2bhbgnlldzzggcen3ad.onion';
    const b32 = 'xmrto2bturnore26xmrto2bturnore26xmrto2bturnore26xmr2.b32.i2p';
    expect(settings(['--anonymous-inbound', `${onion},18083,25`, '--anonymous-inbound', `${b32},127.0.0.1:18084`])).to.deep.equal({
      'zones.tor.inbound': { address: onion, bind: '127.0.0.1:18083', max: 25 },
      'zones.i2p.inbound': { address: b32, bind: '127.0.0.1:18084' },
    });
  });

  it('--add-peer and --add-exclusive-node keep their addresses in order, for the zones to claim once plugins registered', () => {
    const onion = 'zpv4fa3szgel7vf6jdjeugizdclq2vzkelscs2bhbgnlldzzggcen3ad.onion:18083';
    const line = parseCommandLine(['--add-peer', '127.0.0.1:18080', '--add-peer', onion, '--add-exclusive-node', '10.0.0.1:18080', '--add-peer=node.kovri:1']);
    expect(line.settings).to.deep.equal([]);
    expect(line.peerFlags).to.deep.equal([
      { flag: '--add-peer', field: 'peers', address: '127.0.0.1:18080' },
      { flag: '--add-peer', field: 'peers', address: onion },
      { flag: '--add-exclusive-node', field: 'exclusivePeers', address: '10.0.0.1:18080' },
      { flag: '--add-peer', field: 'peers', address: 'node.kovri:1' },
    ]);
  });

  describe('grammar errors name the flag, the value and the rule', () => {
    const cases: [string[], string][] = [
      [['--tx-proxy', 'tor'], '--tx-proxy "tor": expected NETWORK,PROXY[,MAX][,disable_noise][,socks4a|socks5]'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,1,disable_noise,socks4a,x'], 'expected NETWORK,PROXY[,MAX][,disable_noise][,socks4a|socks5]'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,1,disable_noise,x'], '--tx-proxy "tor,127.0.0.1:9050,1,disable_noise,x": unknown option "x": expected MAX (a positive integer), disable_noise, socks4a or socks5'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,socks4'], 'unknown option "socks4"'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,0'], '--tx-proxy "tor,127.0.0.1:9050,0": unknown option "0"'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,socks4a,socks5'], 'the SOCKS version is given twice (socks4a, socks5)'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,socks4a,socks4a'], 'the SOCKS version is given twice (socks4a, socks4a)'],
      [['--tx-proxy', 'tor,socks5://127.0.0.1:9050,socks4a'], 'PROXY "socks5://127.0.0.1:9050" names another SOCKS version than socks4a'],
      [['--tx-proxy', 'tor,u:p@127.0.0.1:9050,socks4a'], 'SOCKS4a cannot carry a username and password; use socks5://'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,5,6'], '--tx-proxy "tor,127.0.0.1:9050,5,6": MAX is given twice'],
      [['--tx-proxy', 'tor,127.0.0.1:9050,disable_noise,disable_noise'], 'disable_noise is given twice'],
      [['--tx-proxy', 'tor,localhost:9050'], '--tx-proxy "tor,localhost:9050": PROXY "localhost:9050": proxy host "localhost" must be an IPv4 address or [IPv6] literal (no DNS names)'],
      [['--tx-proxy', 'tor,127.0.0.1:0'], 'PROXY "127.0.0.1:0": port "0" must be 1..65535'],
      [['--tx-proxy', 'tor,socks4a://u:p@127.0.0.1:9050'], 'SOCKS4a cannot carry a username and password; use socks5://'],
      [['--tx-proxy', 'clearnet,127.0.0.1:9050'], 'NETWORK "clearnet" must be an anonymity network such as tor or i2p'],
      [['--tx-proxy', 'tor,127.0.0.1:9050', '--tx-proxy', 'tor,127.0.0.1:9051'], 'network tor is already given a proxy (once per network)'],
      [['--i2p-sam', '127.0.0.1:7656', '--tx-proxy', 'i2p,127.0.0.1:4447'], '--i2p-sam already chose the i2p transport; use one of them'],
      [['--proxy', '127.0.0.1:99999'], '--proxy "127.0.0.1:99999": port "99999" must be 1..65535'],
      [['--proxy', '::1:9050'], 'IPv6 addresses must be written in brackets'],
      [['--anonymous-inbound', 'example.com,18083'], 'ADDRESS "example.com" must end in .onion or .i2p'],
      [['--anonymous-inbound', 'abc.onion,18083,0'], 'MAX "0" must be a positive integer'],
      [['--anonymous-inbound', 'abc.onion'], 'expected ADDRESS,[BIND-IP:]PORT[,MAX]'],
      [['--anonymous-inbound', 'abc.onion,host:1'], '[BIND-IP:]PORT "host:1": "host" is not a literal IPv4 or IPv6 address'],
      [['--anonymous-inbound', 'a.onion,1', '--anonymous-inbound', 'b.onion,2'], 'network tor already has an inbound address (once per network)'],
      [['--add-peer', 'a:1,b:2'], '--add-peer "a:1,b:2": expected one ADDRESS (repeat the flag for more)'],
      [['--p2p-bind-port', '65536'], '--p2p-bind-port "65536": must be an integer in 0..65535'],
      [['--rpc-bind-ip', 'localhost'], '--rpc-bind-ip "localhost": must be a literal IPv4 or IPv6 address'],
      [['--network', 'moon'], '--network "moon": must be one of mainnet, testnet, stagenet, regtest'],
      [['--log-level', 'loud'], '--log-level "loud": must be 0..4 (monerod\'s levels) or one of fatal, error, warn, info, debug, trace, silent'],
      [['--rpc-login', 'nopassword'], '--rpc-login <hidden>: must be USER:PASSWORD'],
      [['--tor-control', 'localhost:9051'], '--tor-control "localhost:9051": "localhost" is not a literal IPv4 or IPv6 address'],
      [['--tor-control', '127.0.0.1:0'], '--tor-control "127.0.0.1:0": port must not be 0'],
      [['--tor-control-password', ''], '--tor-control-password <hidden>: must not be empty'],
      [['--tor-control', '127.0.0.1:9051', '--tor-control', '127.0.0.1:9052'], '--tor-control is given more than once'],
      [['--restricted-rpc=yes'], '--restricted-rpc "yes": takes no value'],
      [['--p2p-bind-port', '1', '--p2p-bind-port', '2'], '--p2p-bind-port is given more than once'],
      [['--data-dir'], '--data-dir needs a value: --data-dir DIR'],
      [['--out-peer', '8'], 'unknown option --out-peer'],
    ];
    for (const [argv, message] of cases) {
      it(argv.join(' '), () => {
        expect(grammarError(argv).message).to.contain(message);
      });
    }
  });

  it('hands a plugin command its own arguments: core options before the name, the rest after it', () => {
    const line = parseCommandLine(['--config', 'x.json5', '--network', 'regtest', 'query', '--via', 'http://127.0.0.1:1', 'tx', 'ab']);
    expect(line.command).to.equal('plugin-command');
    expect(line.configFile).to.equal('x.json5');
    expect(line.settings).to.deep.equal([{ path: 'network', value: 'regtest', flag: '--network' }]);
    expect(line.pluginCommand).to.deep.equal({ name: 'query', argv: ['--via', 'http://127.0.0.1:1', 'tx', 'ab'] });
    expect(parseCommandLine(['plugins']).pluginCommand).to.equal(undefined);
  });

  it('--query-backend sets split-query.backend and wants an http:// URL', () => {
    expect(parseCommandLine(['--query-backend', 'http://127.0.0.1:18081']).settings).to.deep.equal([
      { path: 'split-query.backend', value: 'http://127.0.0.1:18081', flag: '--query-backend' },
    ]);
    expect(grammarError(['--query-backend', '127.0.0.1:18081']).message).to.contain('must be an http:// URL');
  });

  it('never echoes an RPC password in an error', () => {
    const error = grammarError(['--rpc-login', 'secretvalue']);
    expect(error.message).not.to.contain('secretvalue');
    expect(JSON.stringify(error.toJSON())).not.to.contain('secretvalue');
  });

  it('--help lists every flag', () => {
    const text = usage();
    for (const flag of FLAGS) expect(text).to.contain(flag.name);
  });
});
