import { expect } from 'chai';
import { DEFAULT_PARAMS, sweep, sweepCsv, sweepTable, type SimParams, type SweepReport } from '../src';

describe('privacy simulator sweep (tiny)', function () {
  this.timeout(60_000);
  let report: SweepReport;
  const params: SimParams = { ...DEFAULT_PARAMS, nodes: 80, txs: 12, drainMs: 2 * 60_000 };

  before(async function () {
    report = await sweep(params, [{ noise: true, crossZoneDelayMaxMs: 30_000 }, { noise: false, crossZoneDelayMaxMs: 0 }], { workers: 1 });
  });

  it('measures diffusion and each veilnode setting, with both targets judged', function () {
    expect(report.rows.map((r) => r.relay)).to.deep.equal([undefined, { noise: true, crossZoneDelayMaxMs: 30_000 }, { noise: false, crossZoneDelayMaxMs: 0 }]);
    for (const r of report.rows) {
      expect(r.precision.map((p) => p.spyShare)).to.deep.equal([...params.spyShares]);
      expect(r.reachP50s).to.be.above(0).and.at.most(r.reachP99s);
      expect(r.latencyTarget).to.equal(r.reachP50s <= 2 * report.rows[0].reachP50s);
    }
    expect(sweepCsv(report).trim().split('\n')).to.have.length(4);
    expect(sweepTable(report)).to.include('noise off, cross-zone U(0, 0 s)');
  });

  it('splits the veilnode path into its legs: noise slot, anonymity hop, crossing, public spread', function () {
    const [diffusion, noisy, direct] = report.rows.map((r) => r.phases);
    expect(diffusion.noiseWaitS).to.be.NaN;
    // noise on: the tx waits for a noise tick (10–15 s apart); off: it leaves at once
    expect(noisy.noiseWaitS).to.be.above(0).and.at.most(15);
    expect(direct.noiseWaitS).to.equal(0);
    // anonymity links are 250–750 ms one way
    for (const p of [noisy, direct]) expect(p.anonymityHopS).to.be.within(0.25, 0.8);
    // no cross-zone delay: only the crossing node's first fluff flush is left
    expect(direct.crossingS).to.be.below(noisy.crossingS).and.below(2);
    expect(direct.publicSpreadS).to.be.above(0);
    expect(report.rows[2].reachP50s).to.be.below(report.rows[1].reachP50s);
  });

  it('a tx that crosses from the anonymity zone is fluffed on the public zone, never stemmed', function () {
    expect(report.rows[1].phases.publicStems).to.equal(0);
    expect(report.rows[2].phases.publicStems).to.equal(0);
  });
});
