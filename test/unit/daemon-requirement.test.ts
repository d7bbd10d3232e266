import { expect } from 'chai';
import sinon from 'sinon';
import { DaemonMissingError, executableMissingReason, skipOrFailWithout } from '../src/harness/daemon-requirement';

describe('skipOrFailWithout (integration suites whose daemon is missing)', () => {
  let skip: sinon.SinonStub;
  let context: Mocha.Context;

  beforeEach(() => {
    skip = sinon.stub();
    context = { skip } as unknown as Mocha.Context;
    sinon.stub(console, 'warn');
  });
  afterEach(() => sinon.restore());

  it('does nothing when nothing is missing', () => {
    skipOrFailWithout(context, null, { CI: 'true' });
    skipOrFailWithout(context, undefined, {});
    expect(skip.called).to.equal(false);
  });

  it('skips with the reason when not under CI (CI unset or not "true")', () => {
    skipOrFailWithout(context, '/usr/sbin/tor is not installed (apt-get install tor)', {});
    skipOrFailWithout(context, 'i2pd is not installed', { CI: 'false' });
    expect(skip.callCount).to.equal(2);
    expect((console.warn as sinon.SinonStub).firstCall.args[0]).to.include('/usr/sbin/tor is not installed');
  });

  it('throws DaemonMissingError naming what is missing under CI=true, and does not skip', () => {
    const missing = 'monerod / monero-wallet-rpc not installed';
    expect(() => skipOrFailWithout(context, missing, { CI: 'true' }))
      .to.throw(DaemonMissingError, missing)
      .with.property('message')
      .that.includes('CI=true');
    expect(skip.called).to.equal(false);
  });
});

describe('executableMissingReason', () => {
  it('is null for an executable and names the path and the package otherwise', () => {
    expect(executableMissingReason(process.execPath, 'nodejs')).to.equal(null);
    expect(executableMissingReason('/nonexistent/microsocks', 'microsocks')).to.equal('/nonexistent/microsocks is not installed (apt-get install microsocks)');
  });
});
