import { ConfigError } from '../api/errors';
import { LOG_LEVELS, NETWORKS } from './core-schema';
import { bindRule, endpointRule, ipRule, loginRule, parsePort, parsePositiveInt, proxyRule, type Rule } from './host-port';
import { ZONE_NAME_PATTERN } from './zone-settings';
import { parseUpstreamAddress } from '../rpc/upstream/upstream-address';

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

export type Command = 'run' | 'plugins' | 'help' | 'plugin-command';

/** Commands core itself knows; any other first word names a plugin's command. */
export const CORE_COMMANDS: readonly string[] = ['plugins', 'help'];

export interface CommandLine {
  readonly command: Command;
  readonly configFile: string | undefined;
  readonly settings: readonly FlagSetting[];
  /** For `plugin-command`: the command's name and every argument after it (parsed by the plugin). */
  readonly pluginCommand?: { readonly name: string; readonly argv: readonly string[] };
}

interface FlagSpec {
  readonly name: string;
  /** Metavariable shown in --help; absent for switches. */
  readonly value?: string;
  readonly repeatable?: boolean;
  readonly help: string;
}

/** Every flag, in --help order. The parser below handles exactly these. */
export const FLAGS: readonly FlagSpec[] = [
  { name: '--config', value: 'FILE', help: 'JSON5 config file (relative plugin paths resolve from its directory)' },
  { name: '--data-dir', value: 'DIR', help: 'data directory (default ~/.veilnode)' },
  { name: '--network', value: NETWORKS.join('|'), help: 'Monero network (default mainnet)' },
  { name: '--log-level', value: LOG_LEVELS.join('|'), help: 'log level (default info)' },
  { name: '--p2p-bind-ip', value: 'IP', help: 'clearnet p2p listen IP (default 127.0.0.1)' },
  { name: '--p2p-bind-port', value: 'PORT', help: 'clearnet p2p listen port (default 18080; 0 = ephemeral)' },
  { name: '--rpc-bind-ip', value: 'IP', help: 'RPC listen IP (default 127.0.0.1)' },
  { name: '--rpc-bind-port', value: 'PORT', help: 'RPC listen port (default 18081; 0 = ephemeral)' },
  { name: '--rpc-login', value: 'USER:PASS', help: 'require this login on the RPC server (HTTP Digest auth, as monerod)' },
  { name: '--restricted-rpc', help: 'serve only RPC methods safe for untrusted clients' },
  { name: '--pad-transactions', help: 'pad transaction messages to a multiple of 1024 bytes (as monerod)' },
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
  { name: '--add-peer', value: 'ADDRESS', repeatable: true, help: 'dial this peer (zone chosen by the address: .onion, .i2p, or clearnet)' },
  { name: '--add-exclusive-node', value: 'ADDRESS', repeatable: true, help: 'dial only these peers in the address\'s zone' },
  { name: '--bootstrap-daemon-address', value: 'URL', help: 'forward the chain RPC veilnode does not answer to this monerod (http(s)://HOST:PORT; .onion/.i2p through that zone); never a transaction' },
  { name: '--bootstrap-daemon-login', value: 'USER:PASS', help: "login of the bootstrap daemon's RPC (HTTP Digest)" },
  { name: '--bootstrap-daemon-proxy', value: 'IP:PORT', help: 'reach a clearnet bootstrap daemon through this SOCKS5 proxy' },
  { name: '--bootstrap-daemon-ssl-certificate', value: 'FILE', help: "PEM certificate an https bootstrap daemon's must chain to (pin a self-signed one)" },
  { name: '--rpc-ssl', value: 'enabled|autodetect|disabled', help: 'TLS on the RPC listener (default autodetect: TLS and plain HTTP on one port once a certificate is given)' },
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
  '--network': { path: 'network', rule: oneOf(NETWORKS) },
  '--log-level': { path: 'log.level', rule: oneOf(LOG_LEVELS) },
  '--p2p-bind-ip': { path: 'p2p.bindIp', rule: ipRule },
  '--p2p-bind-port': { path: 'p2p.bindPort', rule: portRule, convert: Number },
  '--rpc-bind-ip': { path: 'rpc.bindIp', rule: ipRule },
  '--rpc-bind-port': { path: 'rpc.bindPort', rule: portRule, convert: Number },
  '--rpc-login': { path: 'rpc.login', rule: loginRule },
  '--bootstrap-daemon-address': { path: 'rpc.upstream.address', rule: upstreamAddressRule },
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

function upstreamAddressRule(v: string): string | undefined {
  const parsed = parseUpstreamAddress(v);
  return typeof parsed === 'string' ? parsed : undefined;
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

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const state = new CommandLineState();
  const known = new Map(FLAGS.map((f) => [f.name, f]));
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      state.command = 'help';
      continue;
    }
    if (!arg.startsWith('--')) {
      if (!CORE_COMMANDS.includes(arg) && positionals.length === 0) {
        // A plugin's command: core options before it, the command's own arguments after it.
        return { command: state.command === 'help' ? 'help' : 'plugin-command', configFile: state.configFile, settings: state.settings, pluginCommand: { name: arg, argv: argv.slice(i + 1) } };
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = known.get(name);
    if (spec === undefined) throw new ConfigError(`unknown option ${name} (veilnode --help lists every option)`, { flag: name });
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
  return { command: state.command, configFile: state.configFile, settings: state.settings };
}

class CommandLineState {
  command: Command = 'run';
  configFile: string | undefined;
  readonly settings: FlagSetting[] = [];
  readonly seen = new Set<string>();
  private readonly proxiedZones = new Set<string>();
  private readonly inboundZones = new Set<string>();
  private readonly peers = new Map<string, string[]>();

  apply(flag: string, value: string | undefined): void {
    if (flag === '--help') {
      this.command = 'help';
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
    switch (flag) {
      case '--config':
        if (text.length === 0) throw flagError(flag, text, 'must name a file');
        this.configFile = text;
        return;
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
        this.addPeer(flag, text, 'peers');
        return;
      case '--add-exclusive-node':
        this.addPeer(flag, text, 'exclusivePeers');
        return;
    }
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

  private addPeer(flag: string, text: string, field: 'peers' | 'exclusivePeers'): void {
    if (text.length === 0 || text.includes(',')) throw flagError(flag, text, 'expected one ADDRESS (repeat the flag for more)');
    const zone = zoneOfAddress(text);
    const key = `zones.${zone}.${field}`;
    const list = this.peers.get(key) ?? [];
    list.push(text);
    this.peers.set(key, list);
    // Repeated flags accumulate: drop the earlier setting of this list and push the longer one.
    const i = this.settings.findIndex((s) => s.path === key);
    if (i !== -1) this.settings.splice(i, 1);
    this.set(key, [...list], flag);
  }
}

/** PROXY with the scheme of the SOCKS version token, or undefined when PROXY names another scheme. */
function withSocksVersion(proxy: string, version: string): string | undefined {
  const scheme = /^([a-z0-9+.-]*):\/\//i.exec(proxy)?.[1];
  if (scheme === undefined) return `${version}://${proxy}`;
  return scheme === version ? proxy : undefined;
}
