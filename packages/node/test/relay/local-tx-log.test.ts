import { expect } from 'chai';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { blob, engineHarness, TOR_CLEARNET, txIdOf } from './engine-harness';

/** Connection ids as an anonymity zone's peer layer could name them: they must never be logged. */
const ONION_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.onion:18083';
const ONION_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.onion:18083';

function harness() {
  const logger = new RecordingLogger();
  const h = engineHarness(TOR_CLEARNET, { deps: { logger } });
  h.engine.start();
  /** The local-tx lines of one tx: [message, level, fields without txId]. */
  const lines = (id: string) => logger.entries.filter((e) => e.fields.txId === id).map(({ msg, level, fields: { txId: _, ...rest } }) => [msg, level, rest]);
  return { ...h, logger, lines };
}

describe('relay/LocalTxLog: one line per state change of a local tx', () => {
  it('accepted (queued), sent on the tor zone without naming its peers, delivered once its carriers stayed up', async () => {
    const h = harness();
    const tx = blob('a');
    const id = txIdOf(tx);
    await h.engine.submitLocal(tx);
    expect(h.lines(id)).to.deep.equal([['local tx accepted', 'info', { relay: 'queued' }]]);
    h.up('tor', ONION_A, 'outbound');
    expect(h.txSends(id)).to.have.length(1);
    expect(h.lines(id).slice(1)).to.deep.equal([['local tx sent', 'info', { zones: ['tor'] }]]);
    h.clock.advance(29_999);
    expect(h.lines(id)).to.have.length(2);
    h.clock.advance(1);
    expect(h.lines(id).slice(2)).to.deep.equal([['local tx delivered', 'info', { evidence: 'carrier-stayed-up' }]]);
    expect(h.logger.text()).not.to.include('.onion');
  });

  it('accepted as sent when a carrier is up; sent again after its carriers were lost; delivered when seen back on the public zone', async () => {
    const h = harness();
    h.up('tor', ONION_A, 'outbound');
    const tx = blob('b');
    const id = txIdOf(tx);
    await h.engine.submitLocal(tx);
    expect(h.lines(id)).to.deep.equal([
      ['local tx sent', 'info', { zones: ['tor'] }],
      ['local tx accepted', 'info', { relay: 'sent' }],
    ]);
    h.down('tor', ONION_A);
    h.up('tor', ONION_B, 'outbound');
    h.clock.advance(0);
    expect(h.lines(id).slice(2)).to.deep.equal([['local tx sent', 'info', { zones: ['tor'] }]]);
    h.up('public', 'p1', 'outbound');
    h.engine.onTransactionsReceived('public', 'p1', [tx], true);
    expect(h.lines(id).slice(3)).to.deep.equal([['local tx delivered', 'info', { evidence: 'seen-on-public-zone' }]]);
    h.clock.advance(60_000);
    expect(h.lines(id)).to.have.length(4);
    expect(h.logger.text()).not.to.include('.onion');
  });

  it('delivered when the upstream pool lists it or when it is mined, each logged once', async () => {
    const h = harness();
    const [first, second] = [blob('c'), blob('d')];
    await h.engine.submitLocal(first);
    await h.engine.submitLocal(second);
    h.engine.confirmDelivered(txIdOf(first));
    h.engine.confirmDelivered(txIdOf(first));
    h.engine.forget(txIdOf(second));
    expect(h.lines(txIdOf(first)).slice(1)).to.deep.equal([['local tx delivered', 'info', { evidence: 'in-upstream-pool' }]]);
    expect(h.lines(txIdOf(second)).slice(1)).to.deep.equal([['local tx delivered', 'info', { evidence: 'mined' }]]);
  });

  it('a tx submitted again while on its way is accepted again, as known', async () => {
    const h = harness();
    const tx = blob('e');
    const id = txIdOf(tx);
    await h.engine.submitLocal(tx);
    await h.engine.submitLocal(tx);
    expect(h.lines(id)).to.deep.equal([
      ['local tx accepted', 'info', { relay: 'queued' }],
      ['local tx accepted', 'info', { relay: 'known' }],
    ]);
  });
});
