import { expect } from 'chai';
import { anonymityZonePolicy, Command, policyAllows, publicZonePolicy } from '../src/zone';
import { InvalidAddressError, VeilnodeError } from '../src/errors';

describe('core api', () => {
  it('anonymity zones allow only handshake, timed sync and new transactions', () => {
    const p = anonymityZonePolicy('tor');
    expect(policyAllows(p, 'inbound', Command.Handshake)).to.equal(true);
    expect(policyAllows(p, 'outbound', Command.NewTransactions)).to.equal(true);
    expect(policyAllows(p, 'inbound', Command.Ping)).to.equal(false);
    expect(policyAllows(p, 'outbound', Command.RequestSupportFlags)).to.equal(false);
    expect(p.fixedPeerId).to.equal(1n);
    expect(p.advertisePort).to.equal(false);
    expect(Object.isFrozen(p)).to.equal(true);
  });

  it('the public zone allows every command and checks peer ids', () => {
    const p = publicZonePolicy('clearnet');
    expect(policyAllows(p, 'inbound', Command.Ping)).to.equal(true);
    expect(p.checkPeerId).to.equal(true);
    expect(p.supportFlags).to.equal(1);
  });

  it('typed errors carry a code, the input and the reason', () => {
    const e = new InvalidAddressError('1.2.3:80', 'not an IPv4 address');
    expect(e).to.be.instanceOf(VeilnodeError);
    expect(e.code).to.equal('ADDRESS_INVALID');
    expect(e.message).to.contain('1.2.3:80').and.contain('not an IPv4 address');
    expect(e.toJSON()).to.include({ input: '1.2.3:80', code: 'ADDRESS_INVALID' });
  });
});
