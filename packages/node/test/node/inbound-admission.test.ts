import { expect } from 'chai';
import { InboundAdmission, type InboundSlot } from '../../src/node/inbound-admission';

const from = (host: string) => ({ zone: 'clearnet', host, port: 40000 });

describe('InboundAdmission (monerod is_host_limit)', () => {
  it('lets one connection in per IP (monerod default) and refuses the rest until it closes', () => {
    const admission = new InboundAdmission({ maxInbound: 64, maxPerIp: 1 });
    const first = admission.admit(from('127.0.0.1')) as InboundSlot;
    expect(first).to.have.property('release');
    for (let i = 0; i < 100; i++) expect(admission.admit(from('127.0.0.1'))).to.equal('perIpLimit');
    expect(admission.admit(from('127.0.0.2'))).to.have.property('release');
    expect(admission.count).to.equal(2);
    first.release();
    first.release(); // idempotent: a second release must not free another IP's share
    expect(admission.count).to.equal(1);
    expect(admission.admit(from('127.0.0.1'))).to.have.property('release');
  });

  it('refuses everything once the zone is full, whatever the IP', () => {
    const admission = new InboundAdmission({ maxInbound: 3, maxPerIp: 2 });
    const slots = ['10.0.0.1', '10.0.0.1', '10.0.0.2'].map((h) => admission.admit(from(h)) as InboundSlot);
    expect(admission.admit(from('10.0.0.3'))).to.equal('zoneFull');
    expect(admission.admit(from('10.0.0.1'))).to.equal('zoneFull');
    slots[0].release();
    expect(admission.admit(from('10.0.0.1'))).to.have.property('release');
    expect(admission.admit(from('10.0.0.9'))).to.equal('zoneFull');
  });

  it('counts a public IPv6 /64 as one IP', () => {
    const admission = new InboundAdmission({ maxInbound: 64, maxPerIp: 1 });
    expect(admission.admit(from('2001:db8:1:2::1'))).to.have.property('release');
    expect(admission.admit(from('2001:db8:1:2::ffff'))).to.equal('perIpLimit');
  });

  it('applies no per-IP limit where none is set (anonymity zones) or when the remote is unknown', () => {
    const open = new InboundAdmission({ maxInbound: 5 });
    for (let i = 0; i < 5; i++) expect(open.admit(undefined)).to.have.property('release');
    expect(open.admit(undefined)).to.equal('zoneFull');
    const limited = new InboundAdmission({ maxInbound: 5, maxPerIp: 1 });
    expect(limited.admit(undefined)).to.have.property('release');
    expect(limited.admit(undefined)).to.have.property('release');
  });
});
