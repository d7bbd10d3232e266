import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
import { parseCommandLine } from '../../src/config/command-line';
import { monerodConfigArgs } from '../../src/config/monerod-config-file';
import { IGNORED_OPTIONS } from '../../src/config/monerod-options';
import { flagSettings as settings, grammarError } from '../helpers/command-line';

const rejection = (argv: string[]): string => grammarError(argv).message;

describe("monerod's flags", () => {
  it('--testnet / --stagenet / --regtest choose the network; two choices are an error', () => {
    expect(settings(['--testnet'])).to.deep.equal({ network: 'testnet' });
    expect(settings(['--stagenet'])).to.deep.equal({ network: 'stagenet' });
    expect(settings(['--regtest'])).to.deep.equal({ network: 'regtest' });
    expect(rejection(['--testnet', '--regtest'])).to.equal('--regtest and --testnet both choose the network; give one');
    expect(rejection(['--network', 'mainnet', '--stagenet'])).to.equal('--stagenet and --network both choose the network; give one');
    expect(rejection(['--regtest', '--network', 'regtest'])).to.equal('--network and --regtest both choose the network; give one');
    expect(rejection(['--network', 'moonnet'])).to.contain('must be one of mainnet, testnet, stagenet, regtest');
  });

  it("--log-level takes monerod's 0..4 and veilnode's names", () => {
    expect(['0', '1', '2', '3', '4'].map((n) => settings(['--log-level', n])['log.level'])).to.deep.equal(['warn', 'info', 'debug', 'trace', 'trace']);
    expect(settings(['--log-level', 'error'])).to.deep.equal({ 'log.level': 'error' });
    expect(rejection(['--log-level', '5'])).to.equal("--log-level \"5\": must be 0..4 (monerod's levels) or one of fatal, error, warn, info, debug, trace, silent");
  });

  it('--out-peers / --in-peers set the clearnet zone; --limit-rate* set both directions in kB/s; -1 keeps the default', () => {
    expect(settings(['--out-peers', '8', '--in-peers=0', '--limit-rate-up', '100', '--limit-rate-down', '300'])).to.deep.equal({
      'zones.clearnet.maxOutbound': 8,
      'zones.clearnet.maxInbound': 0,
      'p2p.limitRateUp': 100,
      'p2p.limitRateDown': 300,
    });
    expect(settings(['--limit-rate', '50'])).to.deep.equal({ 'p2p.limitRateUp': 50, 'p2p.limitRateDown': 50 });
    expect(settings(['--out-peers', '-1', '--limit-rate', '-1'])).to.deep.equal({});
    expect(rejection(['--in-peers', '1.5'])).to.equal('--in-peers "1.5": must be an integer >= 0, or -1 for the default');
    expect(rejection(['--limit-rate-up', '-2'])).to.contain('--limit-rate-up "-2"');
  });

  it('--seed-node and --add-priority-node are peer flags too (priority nodes are dialled first, as --add-peer)', () => {
    const line = parseCommandLine(['--seed-node', '192.0.2.1:18080', '--add-priority-node', '192.0.2.3:18080', '--add-peer', '192.0.2.4:18080']);
    expect(line.peerFlags).to.deep.equal([
      { flag: '--seed-node', field: 'seeds', address: '192.0.2.1:18080' },
      { flag: '--add-priority-node', field: 'peers', address: '192.0.2.3:18080' },
      { flag: '--add-peer', field: 'peers', address: '192.0.2.4:18080' },
    ]);
  });

  it('--rpc-restricted-bind-ip/-port and --confirm-external-bind', () => {
    expect(settings(['--rpc-restricted-bind-ip', '127.0.0.2', '--rpc-restricted-bind-port', '18089', '--confirm-external-bind'])).to.deep.equal({
      'rpc.restrictedBindIp': '127.0.0.2',
      'rpc.restrictedBindPort': 18089,
      'rpc.confirmExternalBind': true,
    });
    expect(rejection(['--rpc-restricted-bind-port', '18089x'])).to.equal('--rpc-restricted-bind-port "18089x": must be an integer in 0..65535');
  });

  it("monerod's options that do not apply are accepted, their value consumed, with one notice each saying why", () => {
    const line = parseCommandLine(['--no-igd', '--db-sync-mode', 'safe:sync', '--prune-blockchain', '--check-updates=disabled', '--non-interactive', '--data-dir', '/tmp/x']);
    expect(line.settings.map((s) => s.path)).to.deep.equal(['dataDir']);
    expect(line.notices).to.deep.equal([
      '--no-igd is accepted and ignored: veilnode never maps ports with UPnP/IGD',
      '--db-sync-mode is accepted and ignored: veilnode keeps no blockchain database',
      '--prune-blockchain is accepted and ignored: veilnode keeps no blockchain',
      '--check-updates is accepted and ignored: veilnode makes no update checks (they would be traffic nobody asked for)',
      '--non-interactive is accepted and ignored: veilnode has no interactive console (commands such as `veilnode status` query the RPC)',
    ]);
    expect(rejection(['--no-igd=1'])).to.equal('--no-igd "1": takes no value');
    expect(rejection(['--db-sync-mode'])).to.equal('--db-sync-mode needs a value');
  });

  it('--detach and --pidfile are refused with the systemd way; other unknown options name themselves once and any equivalent', () => {
    expect(rejection(['--detach'])).to.match(/^--detach is not supported: veilnode does not daemonize itself: run it as a systemd service/);
    expect(rejection(['--pidfile', '/run/monerod.pid'])).to.match(/^--pidfile is not supported: .*systemd tracks its PID/);
    expect(rejection(['--p2p-bind-ipv6-address', '::'])).to.equal("unknown option --p2p-bind-ipv6-address: veilnode's equivalent is --p2p-bind-ip (it takes an IPv6 address)");
    const unknown = rejection(['--frobnicate']);
    expect(unknown).to.equal('unknown option --frobnicate');
  });

  describe('config file (monerod key=value)', () => {
    it('lines become options: dashes added, # comments anywhere, switches take a truth value', () => {
      const text = ['# a comment', '', 'data-dir = /srv/monero   # inline comment', 'no-igd=1', 'restricted-rpc=true', 'pad-transactions=0', 'add-peer=192.0.2.1:18080', 'add-peer=192.0.2.2:18080'].join('\n');
      expect(monerodConfigArgs(text, 'f.conf')).to.deep.equal(['--data-dir=/srv/monero', '--no-igd', '--restricted-rpc', '--add-peer=192.0.2.1:18080', '--add-peer=192.0.2.2:18080']);
    });

    it('refuses a line without =, a switch with another value, and options that belong on the command line', () => {
      expect(() => monerodConfigArgs('x\nno-igd', 'f.conf')).to.throw(ConfigError, 'f.conf:1: expected option=value, got "x"');
      expect(() => monerodConfigArgs('regtest=maybe', 'f.conf')).to.throw(ConfigError, 'f.conf:1: regtest is a switch: its value must be 1, true, 0 or false');
      expect(() => monerodConfigArgs('config-file=other.conf', 'f.conf')).to.throw(ConfigError, 'f.conf:1: config-file belongs on the command line, not in a config file');
    });

    it('every ignored option is either a switch or takes a value, so files and command lines parse alike', () => {
      for (const [flag, option] of Object.entries(IGNORED_OPTIONS)) {
        const args = monerodConfigArgs(`${flag.slice(2)}=${option.takesValue ? 'x' : '1'}`, 'f.conf');
        expect(parseCommandLine(args).notices, flag).to.have.length(1);
      }
    });
  });
});
