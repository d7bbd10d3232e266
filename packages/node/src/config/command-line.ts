import { ConfigError, type PluginOption } from '@veilnode/plugin-api';
import { LOG_LEVELS, NETWORKS } from './core-schema';
import { MONEROD_LOG_LEVELS, logLevelOf } from './monerod-log-level';
import { IGNORED_OPTIONS, REFUSED_OPTIONS, unknownOptionMessage } from './monerod-options';
import { bindRule, endpointRule, ipRule, loginRule, parsePort, parsePositiveInt, proxyRule, type Rule } from './host-port';
import { ZONE_NAME_PATTERN } from './zone-settings';
import { upstreamAddressProblem } from './upstream-address';
import type { PeerFlag, PeerListField } from './peer-flags';

/**
 * veilnode's command line: monerod's flags with monerod's grammar, translated into config
 * settings. Nothing here reads process.argv; callers pass the arguments in.
 */

/** One config value a flag sets, with the flag that set it (so validation errors can name it). */
export interface FlagSetting {
  readonly path: string;
  readonly value: unknown;
  readonly flag: string;
}

export type Command = 'run' | 'plugins' | 'help' | 'plugin-command' | 'node-command';

/** monerod's console commands, answered from the running node's RPC (options may come before and after). */
export const NODE_COMMANDS: readonly string[] = ['status', 'print_cn', 'print_pl', 'flush_txpool'];

/** Commands core itself knows; any other first word names a plugin's command. */
export const CORE_COMMANDS: readonly string[] = ['plugins', 'help'];

export interface CommandLine {
  readonly command: Command;
  readonly configFile: string | undefined;
  readonly settings: readonly FlagSetting[];
  /** `--config-file FILE`: monerod's key=value config file (read by monerod-config-file.ts). */
  readonly monerodConfigFile?: string;
  /** Every option given (ignored ones too), so a config file's options can yield to them. */
  readonly given?: ReadonlySet<string>;
  /** One info line per accepted monerod option that does nothing here, saying why. */
  readonly notices?: readonly string[];
  /** For `node-command`: the command and its arguments (flush_txpool's TXID). */
  readonly nodeCommand?: { readonly name: string; readonly args: readonly string[] };
  /** `--add-peer`-like flags in order; their zones are known once the plugins registered (peer-flags.ts). */
  readonly peerFlags?: readonly PeerFlag[];
  /** For `plugin-command`: the command's name and every argument after it (parsed by the plugin). */
  readonly pluginCommand?: { readonly name: string; readonly argv: readonly string[] };
  /** The plugins' options this command line was parsed with (a `--config-file` is parsed with them too). */
  readonly pluginFlags?: readonly PluginFlag[];
}

/** A plugin's command-line option, with the plugin whose settings it sets (`<plugin>.<key>`). */
export interface PluginFlag {
  readonly plugin: string;
  readonly option: PluginOption;
}

export interface FlagSpec {
  readonly name: string;
  /** Metavariable shown in --help; absent for switches. */
  readonly value?: string;
  readonly repeatable?: boolean;
  readonly help: string;
}

/** Every flag, in --help order. The parser below handles exactly these. */
export const FLAGS: readonly FlagSpec[] = [
  { name: '--config', value: 'FILE', help: 'JSON5 config file (relative plugin paths resolve from its directory)' },
  { name: '--config-file', value: 'FILE', help: "monerod's config file format: one option per line as key=value without the dashes, # comments; options on the command line win" },
  { name: '--data-dir', value: 'DIR', help: 'data directory (default ~/.veilnode)' },
  { name: '--network', value: NETWORKS.join('|'), help: 'Monero network (default mainnet)' },
  { name: '--testnet', help: 'same as --network testnet' },
  { name: '--stagenet', help: 'same as --network stagenet' },
  { name: '--regtest', help: 'same as --network regtest (no seed nodes)' },
  { name: '--log-level', value: `0..4|${LOG_LEVELS.join('|')}`, help: `log level (default info); monerod's numbers: ${MONEROD_LOG_LEVELS.map((l, i) => `${i}=${l}`).join(' ')}` },
  { name: '--p2p-bind-ip', value: 'IP', help: 'clearnet p2p listen IP (default 127.0.0.1)' },
  { name: '--p2p-bind-port', value: 'PORT', help: 'clearnet p2p listen port (default 18080; 0 = ephemeral)' },
  { name: '--rpc-bind-ip', value: 'IP', help: 'RPC listen IP (default 127.0.0.1)' },
  { name: '--rpc-bind-port', value: 'PORT', help: 'RPC listen port (default 18081; 0 = ephemeral)' },
  {
    name: '--rpc-restricted-bind-ip',
    value: 'IP',
    help: 'IP of a second RPC listener that serves only methods safe for untrusted clients (default: --rpc-bind-ip)',
  },
  { name: '--rpc-restricted-bind-port', value: 'PORT', help: 'port of that restricted RPC listener (off when not given)' },
  { name: '--confirm-external-bind', help: 'confirm a non-loopback --rpc-bind-ip without --restricted-rpc (required then, as monerod)' },
  { name: '--rpc-login', value: 'USER:PASS', help: 'require this login on the RPC server (HTTP Digest auth, as monerod)' },
  { name: '--restricted-rpc', help: 'serve only RPC methods safe for untrusted clients' },
  { name: '--max-connections-per-ip', value: 'N', help: 'inbound clearnet connections one IP (one IPv6 /64) may hold (default 1, as monerod)' },
  { name: '--pad-transactions', help: 'pad transaction messages to a multiple of 1024 bytes (as monerod)' },
  { name: '--ban-list', value: 'FILE', help: 'never dial, refuse inbound and drop from peer lists the IPs, CIDR subnets and .onion/.b32.i2p hosts in FILE (one per line, # comments, as monerod)' },
  {
    name: '--tx-proxy',
    value: 'NETWORK,PROXY[,MAX][,disable_noise][,socks4a|socks5]',
    repeatable: true,
    help: 'send transactions over NETWORK (tor, i2p, ...) through SOCKS PROXY ([socks4a|socks5://][user[:pass]@]IP:PORT); once per network; options after PROXY in any order',
  },
  {
    name: '--proxy',
    value: 'IP:PORT | NETWORK,PROXY[,MAX][,disable_noise][,socks4a|socks5]',
    repeatable: true,
    help: 'without NETWORK: route all clearnet p2p through the SOCKS proxy; with NETWORK: same as --tx-proxy',
  },
  { name: '--i2p-sam', value: 'IP:PORT', help: 'serve the i2p zone with the SAM v3 bridge at IP:PORT (transport i2p-sam)' },
  {
    name: '--anonymous-inbound',
    value: 'ADDRESS,[BIND-IP:]PORT[,MAX]',
    repeatable: true,
    help: 'accept peers at our .onion/.b32.i2p ADDRESS, forwarded by the daemon to BIND-IP:PORT; once per network',
  },
  { name: '--tor-control', value: 'IP:PORT', help: 'Tor control port: veilnode creates its own onion service there (ADD_ONION) and listens for it' },
  { name: '--tor-control-password', value: 'PASSWORD', help: 'password of the Tor control port (HashedControlPassword); cookie auth when absent' },
  { name: '--add-peer', value: 'ADDRESS', repeatable: true, help: 'dial this peer (in the zone whose plugin claims the address: .onion, .i2p, IP:PORT...)' },
  { name: '--add-exclusive-node', value: 'ADDRESS', repeatable: true, help: 'dial only these peers in the address\'s zone' },
  { name: '--add-priority-node', value: 'ADDRESS', repeatable: true, help: 'keep dialling this peer first (as --add-peer: configured peers come before the peer store)' },
  { name: '--seed-node', value: 'ADDRESS', repeatable: true, help: "ask this node for peers while the zone knows none (replaces the zone's built-in seeds)" },
  { name: '--out-peers', value: 'N', help: 'most outbound clearnet connections (-1 = default 12)' },
  { name: '--in-peers', value: 'N', help: 'most inbound clearnet connections (-1 = default)' },
  { name: '--limit-rate-up', value: 'KB/S', help: 'upload limit of all peer traffic, every zone and noise included, in kB/s (-1 = default 2048)' },
  { name: '--limit-rate-down', value: 'KB/S', help: 'download limit of all peer traffic in kB/s (-1 = default 8192)' },
  { name: '--limit-rate', value: 'KB/S', help: 'sets both --limit-rate-up and --limit-rate-down' },
  { name: '--metrics-bind', value: 'IP:PORT', help: 'serve Prometheus metrics at http://IP:PORT/metrics (off by default)' },
  { name: '--bootstrap-daemon-address', value: 'URL', help: "forward the chain RPC veilnode does not answer to this monerod (http(s)://HOST:PORT; .onion/.i2p through that zone), or 'auto': a public node our peers advertise; never a transaction" },
  { name: '--bootstrap-daemon-login', value: 'USER:PASS', help: "login of the bootstrap daemon's RPC (HTTP Digest)" },
  { name: '--bootstrap-daemon-proxy', value: 'IP:PORT', help: 'reach a clearnet bootstrap daemon through this SOCKS5 proxy' },
  { name: '--bootstrap-daemon-ssl-certificate', value: 'FILE', help: "PEM certificate an https bootstrap daemon's must chain to (pin a self-signed one)" },
  { name: '--rpc-ssl', value: 'enabled|autodetect|disabled', help: 'TLS on the RPC listener (default autodetect: TLS and plain HTTP on one port; a self-signed certificate is made at start unless one is given)' },
  { name: '--rpc-ssl-certificate', value: 'FILE', help: 'PEM certificate of the RPC listener' },
  { name: '--rpc-ssl-private-key', value: 'FILE', help: 'PEM private key of the RPC listener' },
  { name: '--query-backend', value: 'URL', help: 'split-query plugin: answer sealed lookups from the monerod RPC at URL (http://IP:PORT)' },
  { name: '--help', help: 'print this help' },
];

/** Transports `--tx-proxy NETWORK,...` selects; other networks use the transport named like the zone. */
const TX_PROXY_TRANSPORT: Readonly<Record<string, string>> = { tor: 'tor', i2p: 'i2p-socks' };

/** Flags that set one config key after checking the value against a rule. */
const SIMPLE: Readonly<Record<string, { path: string; rule: Rule; convert?: (v: string) => unknown }>> = {
  '--data-dir': { path: 'dataDir', rule: (v) => (v.length > 0 ? undefined : 'must not be empty') },
  '--log-level': { path: 'log.level', rule: logLevelRule, convert: logLevelOf },
  '--p2p-bind-ip': { path: 'p2p.bindIp', rule: ipRule },
  '--p2p-bind-port': { path: 'p2p.bindPort', rule: portRule, convert: Number },
  '--rpc-bind-ip': { path: 'rpc.bindIp', rule: ipRule },
  '--rpc-bind-port': { path: 'rpc.bindPort', rule: portRule, convert: Number },
  '--rpc-restricted-bind-ip': { path: 'rpc.restrictedBindIp', rule: ipRule },
  '--rpc-restricted-bind-port': { path: 'rpc.restrictedBindPort', rule: portRule, convert: Number },
  '--rpc-login': { path: 'rpc.login', rule: loginRule },
  '--max-connections-per-ip': {
    path: 'zones.clearnet.maxConnectionsPerIp',
    rule: (v) => (parsePositiveInt(v) === undefined ? 'must be a positive integer' : undefined),
    convert: Number,
  },
  '--metrics-bind': { path: 'metrics.bind', rule: bindRule },
  '--ban-list': { path: 'p2p.banList', rule: (v) => (v.length > 0 ? undefined : 'must name a file') },
  '--bootstrap-daemon-address': { path: 'rpc.upstream.address', rule: upstreamAddressProblem },
  '--bootstrap-daemon-login': { path: 'rpc.upstream.login', rule: loginRule },
  '--bootstrap-daemon-proxy': { path: 'rpc.upstream.proxy', rule: endpointRule },
  '--bootstrap-daemon-ssl-certificate': { path: 'rpc.upstream.sslCertificate', rule: (v) => (v.length > 0 ? undefined : 'must name a file') },
  '--rpc-ssl': { path: 'rpc.ssl.mode', rule: oneOf(['enabled', 'autodetect', 'disabled']) },
  '--rpc-ssl-certificate': { path: 'rpc.ssl.certificate', rule: (v) => (v.length > 0 ? undefined : 'must name a file') },
  '--rpc-ssl-private-key': { path: 'rpc.ssl.privateKey', rule: (v) => (v.length > 0 ? undefined : 'must name a file') },
  '--query-backend': { path: 'split-query.backend', rule: httpUrlRule },
  '--tor-control': { path: 'tor.control', rule: endpointRule },
  '--tor-control-password': { path: 'tor.controlPassword', rule: (v) => (v.length > 0 ? undefined : 'must not be empty') },
};

/** Flags whose values are secrets: errors name the flag and the rule, never the value. */
const SECRET_FLAGS: ReadonlySet<string> = new Set(['--rpc-login', '--tor-control-password', '--bootstrap-daemon-login']);

/**
 * monerod's count and rate options: a non-negative integer, or -1 for monerod's default (no
 * setting then, so the config's value stands).
 */
const COUNTS: Readonly<Record<string, readonly string[]>> = {
  '--out-peers': ['zones.clearnet.maxOutbound'],
  '--in-peers': ['zones.clearnet.maxInbound'],
  '--limit-rate-up': ['p2p.limitRateUp'],
  '--limit-rate-down': ['p2p.limitRateDown'],
  '--limit-rate': ['p2p.limitRateUp', 'p2p.limitRateDown'],
};

/** --testnet / --stagenet / --regtest: monerod's network switches. */
const NETWORK_SWITCHES: Readonly<Record<string, string>> = { '--testnet': 'testnet', '--stagenet': 'stagenet', '--regtest': 'regtest' };

function logLevelRule(v: string): string | undefined {
  return logLevelOf(v) === undefined ? `must be 0..4 (monerod's levels) or one of ${LOG_LEVELS.join(', ')}` : undefined;
}

function httpUrlRule(v: string): string | undefined {
  return /^http:\/\/[^/\s]+(\/[^\s]*)?$/.test(v) ? undefined : 'must be an http:// URL such as http://127.0.0.1:18081';
}

function oneOf(values: readonly string[]): Rule {
  return (v) => (values.includes(v) ? undefined : `must be one of ${values.join(', ')}`);
}

function portRule(v: string): string | undefined {
  return parsePort(v) === undefined ? 'must be an integer in 0..65535' : undefined;
}

export function flagError(flag: string, value: string, rule: string): ConfigError {
  const secret = SECRET_FLAGS.has(flag);
  return new ConfigError(`${flag} ${secret ? '<hidden>' : JSON.stringify(value)}: ${rule}`, { flag, value: secret ? undefined : value, rule });
}

/** The zone an address text belongs to, by its suffix (monerod's rule). */
export function zoneOfAddress(address: string): string {
  const host = address.replace(/:\d+$/, '').toLowerCase();
  if (host.endsWith('.onion')) return 'tor';
  if (host.endsWith('.i2p')) return 'i2p';
  return 'clearnet';
}

/** A plugin option as --help shows it and the parser reads it. */
export function pluginFlagSpec({ plugin, option }: PluginFlag): FlagSpec {
  const help = `${option.doc} (plugin ${plugin})`;
  return option.type === 'boolean' ? { name: option.name, help } : { name: option.name, value: option.value ?? 'VALUE', help };
}

/** `pluginFlags`: the loaded plugins' options (plugin-options.ts checks they clash with nothing). */
export function parseCommandLine(argv: readonly string[], pluginFlags: readonly PluginFlag[] = []): CommandLine {
  const state = new CommandLineState(pluginFlags);
  const known = new Map([...FLAGS, ...pluginFlags.map(pluginFlagSpec)].map((f) => [f.name, f]));
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      state.command = 'help';
      continue;
    }
    if (!arg.startsWith('--')) {
      if (state.nodeCommand !== undefined) {
        state.nodeCommand.args.push(arg);
        continue;
      }
      if (NODE_COMMANDS.includes(arg) && positionals.length === 0) {
        state.nodeCommand = { name: arg, args: [] };
        continue;
      }
      if (!CORE_COMMANDS.includes(arg) && positionals.length === 0) {
        // A plugin's command: core options before it, the command's own arguments after it.
        return { ...state.result(), command: state.command === 'help' ? 'help' : 'plugin-command', pluginCommand: { name: arg, argv: argv.slice(i + 1) } };
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = known.get(name);
    if (spec === undefined) {
      i = state.foreign(name, eq === -1 ? undefined : arg.slice(eq + 1), argv, i);
      continue;
    }
    let value: string | undefined;
    if (spec.value === undefined) {
      if (eq !== -1) throw flagError(name, arg.slice(eq + 1), 'takes no value');
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`${name} needs a value: ${name} ${spec.value}`, { flag: name, rule: spec.value });
    }
    if (!spec.repeatable && state.seen.has(name)) throw new ConfigError(`${name} is given more than once`, { flag: name });
    state.seen.add(name);
    state.apply(name, value);
  }
  if (positionals.length > 1) throw new ConfigError(`unexpected argument ${JSON.stringify(positionals[1])}`, { argument: positionals[1] });
  if (positionals.length === 1) {
    const cmd = positionals[0];
    if (state.command !== 'help') state.command = cmd as Command;
  }
  return state.result();
}

class CommandLineState {
  command: Command = 'run';
  configFile: string | undefined;
  monerodConfigFile: string | undefined;
  nodeCommand: { name: string; args: string[] } | undefined;
  readonly settings: FlagSetting[] = [];
  readonly seen = new Set<string>();
  readonly notices: string[] = [];
  private readonly proxiedZones = new Set<string>();
  private readonly inboundZones = new Set<string>();
  private readonly peerFlags: PeerFlag[] = [];
  private readonly pluginOptions: ReadonlyMap<string, PluginFlag>;

  constructor(private readonly pluginFlags: readonly PluginFlag[]) {
    this.pluginOptions = new Map(pluginFlags.map((f) => [f.option.name, f]));
  }

  result(): CommandLine {
    return {
      command: this.command === 'run' && this.nodeCommand !== undefined ? 'node-command' : this.command,
      ...(this.nodeCommand === undefined ? {} : { nodeCommand: this.nodeCommand }),
      configFile: this.configFile,
      settings: this.settings,
      ...(this.monerodConfigFile === undefined ? {} : { monerodConfigFile: this.monerodConfigFile }),
      given: this.seen,
      notices: this.notices,
      peerFlags: this.peerFlags,
      pluginFlags: this.pluginFlags,
    };
  }

  /**
   * An option veilnode does not have: monerod's options that do not apply are accepted with a
   * notice (their value consumed), a few are refused with the reason, anything else is unknown.
   * Returns the index of the last argument used.
   */
  foreign(flag: string, inlineValue: string | undefined, argv: readonly string[], i: number): number {
    const refused = REFUSED_OPTIONS[flag];
    if (refused !== undefined) throw new ConfigError(`${flag} is not supported: ${refused}`, { flag });
    const ignored = IGNORED_OPTIONS[flag];
    if (ignored === undefined) throw new ConfigError(unknownOptionMessage(flag), { flag });
    if (!ignored.takesValue && inlineValue !== undefined) throw flagError(flag, inlineValue, 'takes no value');
    let next = i;
    if (ignored.takesValue && inlineValue === undefined) {
      if (argv[i + 1] === undefined) throw new ConfigError(`${flag} needs a value`, { flag });
      next = i + 1;
    }
    this.seen.add(flag);
    this.notices.push(`${flag} is accepted and ignored: ${ignored.why}`);
    return next;
  }

  apply(flag: string, value: string | undefined): void {
    if (flag === '--help') {
      this.command = 'help';
      return;
    }
    const pluginFlag = this.pluginOptions.get(flag);
    if (pluginFlag !== undefined) {
      this.pluginSetting(pluginFlag, value);
      return;
    }
    const network = NETWORK_SWITCHES[flag];
    if (network !== undefined) {
      const other = [...this.seen].find((f) => f !== flag && (f === '--network' || NETWORK_SWITCHES[f] !== undefined));
      if (other !== undefined) throw new ConfigError(`${flag} and ${other} both choose the network; give one`, { flag });
      this.set('network', network, flag);
      return;
    }
    if (flag === '--confirm-external-bind') {
      this.set('rpc.confirmExternalBind', true, flag);
      return;
    }
    if (flag === '--restricted-rpc') {
      this.set('rpc.restricted', true, flag);
      return;
    }
    if (flag === '--pad-transactions') {
      this.set('p2p.padTransactions', true, flag);
      return;
    }
    const text = value as string;
    const simple = SIMPLE[flag];
    if (simple !== undefined) {
      const problem = simple.rule(text);
      if (problem !== undefined) throw flagError(flag, text, problem);
      this.set(simple.path, simple.convert ? simple.convert(text) : text, flag);
      return;
    }
    const counts = COUNTS[flag];
    if (counts !== undefined) {
      this.count(flag, text, counts);
      return;
    }
    switch (flag) {
      case '--config':
        if (text.length === 0) throw flagError(flag, text, 'must name a file');
        this.configFile = text;
        return;
      case '--config-file':
        if (text.length === 0) throw flagError(flag, text, 'must name a file');
        this.monerodConfigFile = text;
        return;
      case '--network': {
        const other = [...this.seen].find((f) => NETWORK_SWITCHES[f] !== undefined);
        if (other !== undefined) throw new ConfigError(`${flag} and ${other} both choose the network; give one`, { flag });
        const problem = oneOf(NETWORKS)(text);
        if (problem !== undefined) throw flagError(flag, text, problem);
        this.set('network', text, flag);
        return;
      }
      case '--tx-proxy':
        this.txProxy(flag, text);
        return;
      case '--proxy':
        if (text.includes(',')) this.txProxy(flag, text);
        else this.clearnetProxy(flag, text);
        return;
      case '--i2p-sam':
        this.i2pSam(flag, text);
        return;
      case '--anonymous-inbound':
        this.anonymousInbound(flag, text);
        return;
      case '--add-peer':
      case '--add-priority-node':
        this.addPeer(flag, text, 'peers');
        return;
      case '--add-exclusive-node':
        this.addPeer(flag, text, 'exclusivePeers');
        return;
      case '--seed-node':
        this.addPeer(flag, text, 'seeds');
        return;
    }
  }

  /** A plugin's option sets `<plugin>.<key>`; the plugin's schema checks the value with the rest of the config. */
  private pluginSetting({ plugin, option }: PluginFlag, value: string | undefined): void {
    const path = `${plugin}.${option.key}`;
    if (option.type === 'boolean') return this.set(path, true, option.name);
    const text = value as string;
    if (option.type === 'string') return this.set(path, text, option.name);
    const n = Number(text);
    if (text.trim().length === 0 || !Number.isFinite(n)) throw flagError(option.name, text, 'must be a number');
    this.set(path, n, option.name);
  }

  /** N >= 0 sets every path; -1 keeps the default (monerod's meaning). */
  private count(flag: string, text: string, paths: readonly string[]): void {
    if (text === '-1') return;
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw flagError(flag, text, 'must be an integer >= 0, or -1 for the default');
    for (const path of paths) this.set(path, Number(text), flag);
  }

  private set(path: string, value: unknown, flag: string): void {
    this.settings.push({ path, value, flag });
  }

  /**
   * NETWORK,PROXY[,MAX][,disable_noise][,socks4a|socks5]: the options after PROXY in any order,
   * each at most once. socks4a/socks5 pick the SOCKS version (monerod 0.18 speaks only 4a).
   */
  private txProxy(flag: string, text: string): void {
    const grammar = 'expected NETWORK,PROXY[,MAX][,disable_noise][,socks4a|socks5]';
    const parts = text.split(',');
    if (parts.length < 2 || parts.length > 5) throw flagError(flag, text, grammar);
    const [zone, proxyText, ...options] = parts;
    if (!ZONE_NAME_PATTERN.test(zone) || zone === 'clearnet' || zone === 'public') {
      throw flagError(flag, text, `NETWORK ${JSON.stringify(zone)} must be an anonymity network such as tor or i2p`);
    }
    if (this.proxiedZones.has(zone)) throw flagError(flag, text, `network ${zone} is already given a proxy (once per network)`);
    if (zone === 'i2p' && this.seen.has('--i2p-sam')) throw flagError(flag, text, '--i2p-sam already chose the i2p transport; use one of them');
    let max: number | undefined;
    let disableNoise = false;
    let version: string | undefined;
    for (const option of options) {
      if (option === 'disable_noise') {
        if (disableNoise) throw flagError(flag, text, 'disable_noise is given twice');
        disableNoise = true;
      } else if (option === 'socks4a' || option === 'socks5') {
        if (version !== undefined) throw flagError(flag, text, `the SOCKS version is given twice (${version}, ${option})`);
        version = option;
      } else {
        const n = parsePositiveInt(option);
        if (n === undefined) throw flagError(flag, text, `unknown option ${JSON.stringify(option)}: expected MAX (a positive integer), disable_noise, socks4a or socks5`);
        if (max !== undefined) throw flagError(flag, text, 'MAX is given twice');
        max = n;
      }
    }
    const proxy = version === undefined ? proxyText : withSocksVersion(proxyText, version);
    if (proxy === undefined) throw flagError(flag, text, `PROXY ${JSON.stringify(proxyText)} names another SOCKS version than ${version}`);
    const problem = proxyRule(proxy);
    if (problem !== undefined) throw flagError(flag, text, `PROXY ${JSON.stringify(proxyText)}: ${problem}`);
    this.proxiedZones.add(zone);
    this.set(`zones.${zone}.enabled`, true, flag);
    this.set(`zones.${zone}.transport`, TX_PROXY_TRANSPORT[zone] ?? zone, flag);
    this.set(`zones.${zone}.proxy`, proxy, flag);
    if (max !== undefined) this.set(`zones.${zone}.maxOutbound`, max, flag);
    if (disableNoise) this.set(`zones.${zone}.noise`, false, flag);
  }

  /** --proxy IP:PORT: every clearnet p2p connection goes through this SOCKS proxy. */
  private clearnetProxy(flag: string, text: string): void {
    const problem = proxyRule(text);
    if (problem !== undefined) throw flagError(flag, text, problem);
    if (this.proxiedZones.has('clearnet')) throw flagError(flag, text, 'the clearnet proxy is already set');
    this.proxiedZones.add('clearnet');
    this.set('zones.clearnet.proxy', text, flag);
  }

  private i2pSam(flag: string, text: string): void {
    const problem = endpointRule(text);
    if (problem !== undefined) throw flagError(flag, text, problem);
    if (this.proxiedZones.has('i2p')) throw flagError(flag, text, '--tx-proxy i2p already chose the i2p transport; use one of them');
    this.set('zones.i2p.enabled', true, flag);
    this.set('zones.i2p.transport', 'i2p-sam', flag);
    this.set('i2p-sam.sam', text, flag);
  }

  /** ADDRESS,[BIND-IP:]PORT[,MAX]; the zone comes from the address suffix. */
  private anonymousInbound(flag: string, text: string): void {
    const parts = text.split(',');
    if (parts.length < 2 || parts.length > 3) throw flagError(flag, text, 'expected ADDRESS,[BIND-IP:]PORT[,MAX]');
    const [address, bindText, maxText] = parts;
    const zone = zoneOfAddress(address);
    if (zone === 'clearnet') throw flagError(flag, text, `ADDRESS ${JSON.stringify(address)} must end in .onion or .i2p`);
    if (this.inboundZones.has(zone)) throw flagError(flag, text, `network ${zone} already has an inbound address (once per network)`);
    const bind = /^\d+$/.test(bindText) ? `127.0.0.1:${bindText}` : bindText;
    const problem = bindRule(bind);
    if (problem !== undefined) throw flagError(flag, text, `[BIND-IP:]PORT ${JSON.stringify(bindText)}: ${problem}`);
    let max: number | undefined;
    if (maxText !== undefined) {
      max = parsePositiveInt(maxText);
      if (max === undefined) throw flagError(flag, text, `MAX ${JSON.stringify(maxText)} must be a positive integer`);
    }
    this.inboundZones.add(zone);
    this.set(`zones.${zone}.inbound`, max === undefined ? { address, bind } : { address, bind, max }, flag);
  }

  private addPeer(flag: string, text: string, field: PeerListField): void {
    if (text.length === 0 || text.includes(',')) throw flagError(flag, text, 'expected one ADDRESS (repeat the flag for more)');
    this.peerFlags.push({ flag, field, address: text });
  }
}

/** PROXY with the scheme of the SOCKS version token, or undefined when PROXY names another scheme. */
function withSocksVersion(proxy: string, version: string): string | undefined {
  const scheme = /^([a-z0-9+.-]*):\/\//i.exec(proxy)?.[1];
  if (scheme === undefined) return `${version}://${proxy}`;
  return scheme === version ? proxy : undefined;
}
