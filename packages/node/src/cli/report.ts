import type { NodeSummary } from '../node/node';
import type { PluginRecord } from '../plugins/plugin-registry';

/** The one readable block printed when the node has started. */
export function formatSummary(version: string, summary: NodeSummary): string {
  const zoneWidth = Math.max(0, ...summary.zones.map((z) => z.name.length));
  const transportWidth = Math.max(0, ...summary.zones.map((z) => z.transport.length));
  const zones = summary.zones.map(
    (z) =>
      `  zone ${z.name.padEnd(zoneWidth)}  transport ${z.transport.padEnd(transportWidth)}  ` +
      (z.listening.length > 0 ? `p2p ${z.listening.join(' ')}` : 'outbound only') +
      (z.problem === undefined ? '' : z.listening.length > 0 ? `  UNREACHABLE while ${z.problem}` : `  DOWN: ${z.problem}`),
  );
  return [
    `veilnode ${version} running on ${summary.network}`,
    `  data dir  ${summary.dataDir}`,
    `  rpc       http://${summary.rpc}/json_rpc`,
    ...(zones.length > 0 ? zones : ['  no zone enabled (list a transport plugin in `plugins` and enable its zone)']),
    'SIGINT/SIGTERM (Ctrl-C) stops the node.',
    '',
  ].join('\n');
}

/** `veilnode plugins`: name, version, target API, where it was loaded from, what it registered. */
export function formatPlugins(records: readonly PluginRecord[]): string {
  if (records.length === 0) return 'no plugins loaded (the config\'s `plugins` list is empty)\n';
  const list = (items: readonly string[]): string => (items.length > 0 ? items.join(', ') : '-');
  return (
    records
      .map((r) =>
        [
          `${r.name} ${r.version} (core API ${r.coreApi})`,
          `  loaded from  ${r.specifier} -> ${r.source}`,
          `  zones        ${list(r.zones)}`,
          `  transports   ${list(r.transports)}`,
          `  rpc methods  ${list(r.rpcMethods)}`,
          ...(r.commands.length > 0 ? [`  commands     ${list(r.commands)}`] : []),
        ].join('\n'),
      )
      .join('\n\n') + '\n'
  );
}
