import type { ResultRow, SimReport } from './simulator';

const CSV_COLUMNS = ['mode', 'spy_share', 'estimator', 'precision', 'recall', 'p_squared', 'p_squared_ln_inv_p', 'propagation90_p50_s', 'propagation90_p99_s', 'bytes_per_tx_per_node'] as const;

export const pSquared = (p: number) => p * p;
export const pSquaredLog = (p: number) => p * p * Math.log(1 / p);

export function toCsv(report: SimReport): string {
  const lines = report.rows.map((r) =>
    [r.mode, r.spyShare, r.estimator, r.precision.toFixed(4), r.recall.toFixed(4), pSquared(r.spyShare).toFixed(4), pSquaredLog(r.spyShare).toFixed(4), r.propagationP50s.toFixed(2), r.propagationP99s.toFixed(2), Math.round(r.bytesPerTxPerNode)].join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

export function toTable(report: SimReport): string {
  const header = ['mode', 'p', 'estimator', 'precision', 'recall', 'p²', 'p²ln(1/p)', 'prop90 p50 s', 'prop90 p99 s', 'bytes/tx/node'];
  const cells = report.rows.map((r) => [
    r.mode,
    r.spyShare.toFixed(2),
    r.estimator,
    r.precision.toFixed(3),
    r.recall.toFixed(3),
    pSquared(r.spyShare).toFixed(4),
    pSquaredLog(r.spyShare).toFixed(4),
    r.propagationP50s.toFixed(1),
    r.propagationP99s.toFixed(1),
    String(Math.round(r.bytesPerTxPerNode)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const COLORS: Record<string, string> = { diffusion: '#d62728', dandelion: '#1f77b4', veilnode: '#2ca02c', carriers: '#9467bd' };

/** Precision against p on log–log axes, one line per mode × estimator, with p² and p²·ln(1/p). */
export function toSvg(report: SimReport): string {
  const W = 720;
  const H = 480;
  const m = { left: 70, right: 220, top: 40, bottom: 60 };
  const shares = [...new Set(report.rows.map((r) => r.spyShare))].sort((a, b) => a - b);
  const pMin = shares[0] * 0.8;
  const pMax = shares[shares.length - 1] * 1.25;
  const floor = 1e-4;
  const x = (p: number) => m.left + ((Math.log(p) - Math.log(pMin)) / (Math.log(pMax) - Math.log(pMin))) * (W - m.left - m.right);
  const y = (v: number) => m.top + (1 - (Math.log10(Math.max(v, floor)) - Math.log10(floor)) / -Math.log10(floor)) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${m.left}" y="22" font-size="14">Adversary precision vs. share p of spy nodes (${report.params.nodes} nodes, ${report.params.txs} txs)</text>`);
  for (let e = -4; e <= 0; e++) {
    const v = 10 ** e;
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  for (const p of shares) parts.push(`<line x1="${x(p)}" x2="${x(p)}" y1="${m.top}" y2="${H - m.bottom}" stroke="#eee"/><text x="${x(p)}" y="${H - m.bottom + 18}" text-anchor="middle">${p}</text>`);
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 15}" text-anchor="middle">p (log scale); a precision of 0 is drawn at ${floor}</text>`);
  parts.push(`<text transform="translate(18 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">precision (log scale)</text>`);
  const series: { label: string; color: string; dash: string; points: [number, number][] }[] = [];
  const grid = Array.from({ length: 40 }, (_, i) => pMin * (pMax / pMin) ** (i / 39));
  series.push({ label: 'p² (lower bound)', color: '#555', dash: '2 3', points: grid.map((p) => [p, pSquared(p)]) });
  series.push({ label: 'p²·ln(1/p) (Dandelion++)', color: '#999', dash: '6 3', points: grid.map((p) => [p, pSquaredLog(p)]) });
  const groups = new Map<string, ResultRow[]>();
  for (const r of report.rows) groups.set(`${r.mode} / ${r.estimator}`, [...(groups.get(`${r.mode} / ${r.estimator}`) ?? []), r]);
  for (const [label, rows] of groups) {
    series.push({ label, color: COLORS[rows[0].mode] ?? '#000', dash: rows[0].estimator === 'first-spy' ? '' : '8 2 2 2', points: rows.map((r) => [r.spyShare, r.precision]) });
  }
  series.forEach((s, i) => {
    const d = s.points.map(([p, v], k) => `${k === 0 ? 'M' : 'L'}${x(p).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}"/>`);
    if (i >= 2) for (const [p, v] of s.points) parts.push(`<circle cx="${x(p).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = m.top + 10 + i * 20;
    parts.push(`<line x1="${W - m.right + 15}" x2="${W - m.right + 45}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}"/><text x="${W - m.right + 50}" y="${ly + 4}">${s.label}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** The hidden-service adversary's linkability per mode and p, as a fixed-width table. */
export function linkabilityTable(report: SimReport): string {
  const lines = ['mode       p     pairs  linked  linkability'];
  for (const l of report.linkability) lines.push(`${l.mode.padEnd(9)}  ${l.spyShare.toFixed(2)}  ${String(l.pairs).padStart(5)}  ${String(l.linked).padStart(6)}  ${Number.isNaN(l.linkability) ? '–' : l.linkability.toFixed(3)}`);
  return lines.join('\n');
}

export function linkabilityCsv(report: SimReport): string {
  return ['mode,spy_share,pairs,linked,linkability', ...report.linkability.map((l) => [l.mode, l.spyShare, l.pairs, l.linked, Number.isNaN(l.linkability) ? '' : l.linkability.toFixed(4)].join(','))].join('\n') + '\n';
}

/** Issue 14's three targets for one-carrier-per-tx, judged on a report that ran both anonymity modes. */
export function carrierTargets(report: SimReport): { readonly linkabilityZero: boolean; readonly precision: boolean; readonly latency: boolean } {
  const firstSpy = report.rows.filter((r) => r.mode === 'carriers' && r.estimator === 'first-spy');
  const p50 = (mode: string) => report.rows.find((r) => r.mode === mode)?.propagationP50s ?? Number.NaN;
  return {
    linkabilityZero: report.linkability.filter((l) => l.mode === 'carriers').every((l) => l.linked === 0),
    precision: firstSpy.length > 0 && firstSpy.every((r) => r.precision <= pSquaredLog(r.spyShare)),
    latency: p50('carriers') <= p50('veilnode'),
  };
}
