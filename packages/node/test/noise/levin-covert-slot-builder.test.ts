import { expect } from 'chai';
import { LevinCovertSlotBuilder } from '../../src/noise/levin-covert-slot-builder';
import { LevinError, LevinStreamDecoder, NewTransactions } from '@veilnode/protocol';
import { loadVector } from '@veilnode/protocol/testing';

function txsOf(frame: Buffer): Buffer[] {
  const [message] = new LevinStreamDecoder().push(frame);
  return NewTransactions.body.decode(message.body).txs.map((t) => Buffer.from(t));
}

describe('LevinCovertSlotBuilder', () => {
  const builder = new LevinCovertSlotBuilder();

  it('sends monerod\'s dummy noise frame byte for byte', () => {
    expect(Buffer.from(builder.dummy())).to.deep.equal(loadVector('noise-3072.hex'));
  });

  it('packs a small tx into one padded 3072-byte stem 2002 identical to monerod\'s', () => {
    const captured = loadVector('notify-new-transactions-tor-noise-padded-3072.hex');
    const slots = builder.packTransactions(txsOf(captured));
    expect(slots).to.have.length(1);
    expect(Buffer.from(slots[0])).to.deep.equal(captured);
  });

  it('splits a larger tx into BEGIN/END fragments identical to monerod\'s, which our decoder reassembles', () => {
    const inner = loadVector('covert-reassembled-notify-new-transactions.hex');
    const txs = txsOf(inner);
    expect(txs[0]).to.have.length(4143);
    const slots = builder.packTransactions(txs);
    expect(slots.map((s) => s.length)).to.deep.equal([3072, 3072]);
    expect(Buffer.from(slots[0])).to.deep.equal(loadVector('covert-fragment-1-of-2-flags4.hex'));
    expect(Buffer.from(slots[1])).to.deep.equal(loadVector('covert-fragment-2-of-2-flags8.hex'));
    const decoder = new LevinStreamDecoder();
    const messages = slots.flatMap((s) => decoder.push(Buffer.from(s)));
    expect(messages).to.have.length(1);
    const body = NewTransactions.body.decode(messages[0].body);
    expect(body.dandelionpp_fluff).to.equal(false);
    expect(Buffer.from(body.txs[0])).to.deep.equal(txs[0]);
  });

  it('refuses a message above 20 fragments with a typed error', () => {
    expect(() => builder.packTransactions([Buffer.alloc(20 * 3039)])).to.throw(LevinError).with.property('code', 'LEVIN_TOO_MANY_FRAGMENTS');
  });
});
