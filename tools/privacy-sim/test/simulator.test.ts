import { expect } from 'chai';
import { carrierTargets, DEFAULT_PARAMS, linkabilityCsv, linkabilityTable, MODES, QUICK_PARAMS, simulate, toCsv, toSvg, toTable, type ResultRow, type SimParams } from '../src';

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
    expect(rows).to.have.length(MODES.length * DEFAULT_PARAMS.spyShares.length * 2);
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

  it("the hidden-service adversary links one sender's txs on today's selected connections, never with one carrier per tx", function () {
    const of = (mode: string) => report.linkability.filter((l) => l.mode === mode);
    expect(of('veilnode').map((l) => l.spyShare)).to.deep.equal([...DEFAULT_PARAMS.spyShares]);
    for (const l of [...of('veilnode'), ...of('carriers')]) expect(l.pairs, `${l.mode} ${l.spyShare}`).to.be.above(5);
    // Today two txs within one 5-min selection epoch ride the same streams: a large adversary links many.
    expect(of('veilnode').find((l) => l.spyShare === 0.4)?.linkability).to.be.above(0.3);
    for (const l of of('carriers')) expect(l.linked, `carriers at p = ${l.spyShare}`).to.equal(0);
    expect(carrierTargets(report).linkabilityZero).to.equal(true);
    // Every tx came back from the network (an echo from a non-carrier), on its own 2 carriers or more.
    expect(report.privateBroadcast?.delivered).to.equal(report.params.txs);
    expect(report.privateBroadcast?.carriersUsed).to.be.at.least(2 * report.params.txs);
    expect(linkabilityTable(report)).to.include('carriers');
    expect(linkabilityCsv(report).trim().split('\n')).to.have.length(1 + report.linkability.length);
  });
});
