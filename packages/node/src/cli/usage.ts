import { FLAGS, pluginFlagSpec, type PluginFlag } from '../config/command-line';

/** `veilnode --help`: generated from the flag table and the plugins' options, so it lists exactly what the parser accepts. */
export function usage(pluginFlags: readonly PluginFlag[] = []): string {
  const specs = [...FLAGS.slice(0, -1), ...pluginFlags.map(pluginFlagSpec), ...FLAGS.slice(-1)];
  const rows = specs.map((f) => [f.value === undefined ? f.name : `${f.name} ${f.value}`, f.help + (f.repeatable ? ' (repeatable)' : '')]);
  const width = Math.min(48, Math.max(...rows.map(([left]) => left.length)));
  const lines = rows.map(([left, right]) => (left.length > width ? `  ${left}\n  ${' '.repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`));
  return [
    'usage: veilnode [options]          start the node',
    '       veilnode plugins [options]  list the plugins the config loads and what each registers',
    '       veilnode [options] status | print_cn | print_pl | flush_txpool [TXID]',
    '                                   ask the running node (at --rpc-bind-ip/--rpc-bind-port, with --rpc-login)',
    '       veilnode [options] COMMAND [args...]  run a plugin\'s command (veilnode plugins lists them)',
    '       veilnode --help             print this help',
    '',
    'options (monerod-compatible where monerod has them):',
    ...lines,
    '',
    'Config layers, later wins: embedded default (config/default.json5) < --config FILE < environment',
    '(VEILNODE_NETWORK, VEILNODE_DATA_DIR, VEILNODE_LOG_LEVEL, VEILNODE_P2P_BIND_IP, VEILNODE_P2P_BIND_PORT,',
    'VEILNODE_RPC_BIND_IP, VEILNODE_RPC_BIND_PORT, VEILNODE_RPC_LOGIN, VEILNODE_RPC_RESTRICTED) < --config-file FILE',
    "(monerod's key=value lines) < options.",
    '',
  ].join('\n');
}
