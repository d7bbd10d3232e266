import { expect } from 'chai';
import { DEFAULT_PARAMS, QUICK_PARAMS, simulate, toCsv, toSvg, toTable, type ResultRow, type SimParams } from '../src';

describe('privacy simulator (--quick smoke run)', function () {
  this.timeout(120_000);
  let rows: ResultRow[];
  let report: Awaited<ReturnType<typeof simulate>>;

  before(async function () {
    const params: SimParams = { ...DEFAULT_PARAMS, ...QUICK_PARAMS };
    report = await simulate(params, { workers: 1 });
    rows = report.rows;
  });

  it('measures every mode × spy share × estimator, with propagation and bytes', function () {
    expect(rows).to.have.length(3 * 3 * 2);
    for (const r of rows) {
      expect(r.precision, `${r.mode} ${r.spyShare} ${r.estimator}`).to.be.within(0, 1);
      expect(r.recall).to.be.within(0, 1);
      expect(r.propagationP50s, `${r.mode} reaches 90 % of nodes`).to.be.above(0).and.below(600);
      expect(r.bytesPerTxPerNode).to.be.above(0);
    }
    expect(toCsv(report).trim().split('\n')).to.have.length(1 + rows.length);
    expect(toTable(report)).to.include('first-spy');
    expect(toSvg(report)).to.match(/^<svg[\s\S]*<\/svg>\n$/);
  });

  it('diffusion gives the first-spy adversary more precision than Dandelion++ at every p', function () {
    for (const p of DEFAULT_PARAMS.spyShares) {
      const precision = (mode: string) => rows.find((r) => r.mode === mode && r.spyShare === p && r.estimator === 'first-spy')?.precision ?? Number.NaN;
      expect(precision('diffusion'), `p = ${p}`).to.be.greaterThan(precision('dandelion'));
    }
  });
});
