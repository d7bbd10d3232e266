import type { LevelResult } from './measure-level';

interface Row {
  readonly label: string;
  readonly unit: string;
  readonly value: (r: LevelResult) => number;
  readonly digits: number;
}

const ROWS: readonly Row[] = [
  { label: 'handshake latency p50', unit: 'ms', value: (r) => r.first.handshakeP50Ms, digits: 1 },
  { label: 'handshake latency p99', unit: 'ms', value: (r) => r.first.handshakeP99Ms, digits: 1 },
  { label: 'burst handshake rate', unit: '/s', value: (r) => r.first.rate, digits: 0 },
  { label: 'CPU per handshake', unit: 'ms', value: (r) => r.first.cpuPerHandshakeMs, digits: 2 },
  { label: 'load generator CPU per handshake', unit: 'ms', value: (r) => r.first.loadCpuPerHandshakeMs, digits: 2 },
  { label: 'load generator busy during the burst', unit: '% of a core', value: (r) => r.first.loadBusyPercent, digits: 0 },
  { label: 'load generator dial loop', unit: 'ms', value: (r) => r.first.dialMs, digits: 1 },
  { label: 'repeat burst: latency p50', unit: 'ms', value: (r) => r.repeat.handshakeP50Ms, digits: 1 },
  { label: 'repeat burst: latency p99', unit: 'ms', value: (r) => r.repeat.handshakeP99Ms, digits: 1 },
  { label: 'repeat burst: rate', unit: '/s', value: (r) => r.repeat.rate, digits: 0 },
  { label: 'repeat burst: CPU per handshake', unit: 'ms', value: (r) => r.repeat.cpuPerHandshakeMs, digits: 2 },
  { label: 'RSS before', unit: 'MiB', value: (r) => r.rssBeforeBytes / 2 ** 20, digits: 1 },
  { label: 'RSS with peers held', unit: 'MiB', value: (r) => r.rssAfterBytes / 2 ** 20, digits: 1 },
  { label: 'RSS per connection', unit: 'KiB', value: (r) => r.rssPerConnectionBytes / 1024, digits: 1 },
  { label: 'CPU per relayed tx', unit: 'ms', value: (r) => r.cpuPerTxMs, digits: 1 },
  { label: 'tx fan-out to last peer', unit: 'ms', value: (r) => r.fanOutMs, digits: 1 },
];

const fmt = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');

/** A Markdown table: one row per figure and peer count, veilnode and monerod side by side, and veilnode/monerod. */
export function formatTable(levels: readonly number[], results: ReadonlyMap<string, readonly LevelResult[]>, names: readonly string[]): string {
  const lines = [`| figure | peers | ${names.join(' | ')} |${names.length === 2 ? ' ratio |' : ''}`, `|---|---:|${names.map(() => '---:|').join('')}${names.length === 2 ? '---:|' : ''}`];
  for (const row of ROWS) {
    for (const peers of levels) {
      const values = names.map((n) => {
        const r = results.get(n)?.find((x) => x.peers === peers);
        return r ? row.value(r) : Number.NaN;
      });
      const ratio = values.length === 2 ? ` ${fmt(values[0] / values[1], 2)} |` : '';
      lines.push(`| ${row.label} (${row.unit}) | ${peers} | ${values.map((v) => fmt(v, row.digits)).join(' | ')} |${ratio}`);
    }
  }
  return lines.join('\n');
}
