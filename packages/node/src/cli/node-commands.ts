import { ConfigError } from '@veilnode/plugin-api';
import type { ZoneStatus } from '../rpc/zone-status';
import type { NodeRpcClient } from './node-rpc-client';

const TXID = /^[0-9a-f]{64}$/;

interface Info {
  readonly nettype: string;
  readonly version: string;
  readonly start_time: number;
  readonly veilnode?: { readonly local_txs_waiting: number; readonly local_txs_in_flight: number; readonly wait_reason?: string };
}

interface Connection {
  readonly zone: string;
  readonly address: string;
  readonly incoming: boolean;
  readonly state: string;
  readonly live_time: number;
  readonly height: number;
  readonly peer_id: string;
}

interface PeerListEntry {
  readonly host: string;
  readonly port: number;
  readonly last_seen: number;
  readonly zone: string;
}

/** Runs one command; returns its output text (ending in a newline). */
export async function runNodeCommand(name: string, args: readonly string[], client: NodeRpcClient, now: () => number = Date.now): Promise<string> {
  const expectArgs = (max: number, usage: string): void => {
    if (args.length > max) throw new ConfigError(`${name} takes ${usage}; unexpected ${JSON.stringify(args[max])}`, { command: name });
  };
  switch (name) {
    case 'status': {
      expectArgs(0, 'no argument');
      const [info, zones] = await Promise.all([client.call<Info>('get_info'), client.call<{ zones: ZoneStatus[]; journal?: JournalFields }>('get_zones')]);
      return formatStatus(info, zones.zones, now(), zones.journal);
    }
    case 'print_cn': {
      expectArgs(0, 'no argument');
      const { connections } = await client.call<{ connections?: Connection[] }>('get_connections');
      return formatConnections(connections ?? []);
    }
    case 'print_pl': {
      expectArgs(0, 'no argument');
      const list = await client.call<{ white_list?: PeerListEntry[]; gray_list?: PeerListEntry[] }>('get_peer_list', { public_only: false });
      return formatPeerList(list.white_list ?? [], list.gray_list ?? [], now());
    }
    case 'flush_txpool': {
      expectArgs(1, 'at most one TXID');
      const txid = args[0];
      if (txid !== undefined && !TXID.test(txid)) throw new ConfigError(`flush_txpool: ${JSON.stringify(txid)} is not a tx id (64 hex digits)`, { command: name });
      await client.call('flush_txpool', txid === undefined ? {} : { txids: [txid] });
      return txid === undefined ? 'Pool successfully flushed\n' : `Transaction ${txid} flushed from the pool\n`;
    }
    default:
      throw new ConfigError(`unknown command ${name}`, { command: name });
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

/** get_zones `journal`. */
interface JournalFields {
  readonly damaged_records: number;
  readonly moved_aside_to: string | null;
}

export function formatStatus(info: Info, zones: readonly ZoneStatus[], nowMs: number, journal?: JournalFields): string {
  const local = info.veilnode;
  const head = [
    `veilnode ${info.version} on ${info.nettype === 'fakechain' ? 'regtest' : info.nettype}, uptime ${duration(nowMs / 1000 - info.start_time)}`,
    local === undefined ? 'local txs: unknown (restricted RPC)' : `local txs: ${local.local_txs_waiting} queued, ${local.local_txs_in_flight} in flight${local.wait_reason ? ` (${local.wait_reason})` : ''}`,
  ].join('\n');
  const rows = [['zone', 'transport', 'health', 'peers in/out', 'queued', 'noise']];
  for (const z of zones.filter((zone) => zone.enabled)) {
    rows.push([z.name, z.transport ?? '-', z.healthy ? 'ok' : `DOWN: ${z.problem ?? 'unknown'}`, `${z.connections.in}/${z.connections.out}`, String(z.queued), z.noise ? 'on' : 'off']);
  }
  const damage = journal !== undefined && journal.damaged_records > 0 ? `local-tx journal: ${journal.damaged_records} damaged record(s) at start; the damaged file is kept at ${journal.moved_aside_to}\n` : '';
  return `${head}\n${table(rows)}${damage}`;
}

export function formatConnections(connections: readonly Connection[]): string {
  if (connections.length === 0) return 'no connections\n';
  const rows = [['zone', 'remote', 'direction', 'state', 'height', 'live', 'peer id']];
  for (const c of connections) rows.push([c.zone, c.address, c.incoming ? 'INC' : 'OUT', c.state, String(c.height), duration(c.live_time), c.peer_id]);
  return table(rows);
}

export function formatPeerList(white: readonly PeerListEntry[], gray: readonly PeerListEntry[], nowMs: number): string {
  const zones = [...new Set([...white, ...gray].map((e) => e.zone))].sort();
  if (zones.length === 0) return 'no peers known\n';
  return zones
    .map((zone) => {
      const rows = [['list', 'address', 'last seen']];
      for (const [list, entries] of [['white', white], ['gray', gray]] as const) {
        for (const e of entries.filter((x) => x.zone === zone)) {
          const host = e.host.includes(':') ? `[${e.host}]` : e.host;
          rows.push([list, `${host}:${e.port}`, e.last_seen > 0 ? `${duration(nowMs / 1000 - e.last_seen)} ago` : '-']);
        }
      }
      return `${zone}: ${rows.length - 1} peers\n${table(rows)}`;
    })
    .join('\n');
}
