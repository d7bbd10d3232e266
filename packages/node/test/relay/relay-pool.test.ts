import { expect } from 'chai';
import * as fc from 'fast-check';
import { ConfigError } from '@veilnode/plugin-api';
import { LOCAL_SOURCE, RelayPool, type RelayPoolLimits } from '../../src/relay/relay-pool';
import { VirtualClock } from '@veilnode/plugin-api/testing';

const tx = (id: string, size = 100) => ({ id, blob: new Uint8Array(size) });

function poolHarness(limits: Partial<RelayPoolLimits>) {
  const clock = new VirtualClock(0);
  const evicted: string[] = [];
  const expired: string[] = [];
  const pool: RelayPool = new RelayPool(
    clock,
    {
      expired: (id) => {
        expired.push(id);
        pool.remove(id);
      },
      evicted: (id) => evicted.push(id),
    },
    limits,
  );
  return { clock, pool, evicted, expired };
}

const ids = (pool: RelayPool) => [...pool.allTxs()].map((e) => e.id);

describe('relay/RelayPool', () => {
  it('never holds more than maxTxs txs or maxBytes bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 400 })), { maxLength: 200 }), (adds) => {
        const { pool } = poolHarness({ maxTxs: 10, maxBytes: 1000 });
        adds.forEach(([source, size], i) => pool.admit(tx(`t${i}`, size), 'fluff', `conn${source}`, []));
        const { txs, bytes } = pool.size;
        return txs <= 10 && bytes <= 1000 && bytes === [...pool.allTxs()].reduce((n, e) => n + e.blob.length, 0);
      }),
    );
  });

  it('a flooding connection pushes out its own txs first, and takes no more than an even share', () => {
    const { pool, evicted } = poolHarness({ maxTxs: 10, maxBytes: 1_000_000 });
    for (let i = 0; i < 4; i++) expect(pool.admit(tx(`honest${i}`), 'fluff', 'clearnet\u0000honest', [])).to.equal(undefined);
    for (let i = 0; i < 1000; i++) expect(pool.admit(tx(`junk${i}`), 'fluff', 'clearnet\u0000flooder', [])).to.equal(undefined);
    expect(ids(pool).filter((id) => id.startsWith('honest'))).to.have.length(4);
    expect(evicted.every((id) => id.startsWith('junk'))).to.equal(true);
    // the flood keeps only its newest txs
    expect(ids(pool).filter((id) => id.startsWith('junk'))).to.deep.equal(['junk994', 'junk995', 'junk996', 'junk997', 'junk998', 'junk999']);
  });

  it('a contributor over its share loses its oldest txs to a newcomer', () => {
    const { pool, evicted } = poolHarness({ maxTxs: 4, maxBytes: 1_000_000 });
    for (let i = 0; i < 4; i++) pool.admit(tx(`a${i}`), 'fluff', 'a', []);
    pool.admit(tx('b0'), 'fluff', 'b', []);
    pool.admit(tx('b1'), 'fluff', 'b', []);
    expect(evicted).to.deep.equal(['a0', 'a1']);
    pool.admit(tx('b2'), 'fluff', 'b', []); // b now ties a: the first biggest (a) gives way
    expect(evicted).to.deep.equal(['a0', 'a1', 'a2']);
    pool.admit(tx('b3'), 'fluff', 'b', []);
    expect(evicted.at(-1)).to.equal('b0');
  });

  it('never evicts local txs or txs seen from two connections; refuses new ones when only those remain', () => {
    const { pool, evicted } = poolHarness({ maxTxs: 3, maxBytes: 1_000_000 });
    pool.addLocal(tx('mine'));
    pool.admit(tx('seen-twice'), 'fluff', 'a', []);
    pool.addSource('seen-twice', 'b');
    pool.admit(tx('x'), 'fluff', 'flooder', []);
    for (let i = 0; i < 50; i++) pool.admit(tx(`junk${i}`), 'fluff', 'flooder', []);
    expect(ids(pool).sort()).to.deep.equal(['junk49', 'mine', 'seen-twice']);
    expect(evicted).to.not.include('mine').and.not.include('seen-twice');
    pool.addSource('junk49', 'other');
    expect(pool.admit(tx('late'), 'fluff', 'c', [])).to.equal('pool-full');
    pool.addLocal(tx('mine-too')); // ours always fits (the durable queue bounds them)
    expect(ids(pool)).to.include('mine-too');
  });

  it('pins corroborated txs for at most half the pool: an attacker corroborating its own junk cannot hold the rest', () => {
    const { pool } = poolHarness({ maxTxs: 1000, maxBytes: 1000 });
    for (let i = 0; i < 10; i++) {
      pool.admit(tx(`junk${i}`), 'fluff', 'attacker-1', []);
      pool.addSource(`junk${i}`, 'attacker-2'); // the same attacker, reconnected
    }
    // 5 × 100 bytes pinned (half of 1000); the other 5 stay evictable
    for (let i = 0; i < 10; i++) expect(pool.admit(tx(`honest${i}`), 'fluff', `peer${i}`, []), `honest${i}`).to.equal(undefined);
    const held = ids(pool);
    expect(held.filter((id) => id.startsWith('junk'))).to.deep.equal(['junk0', 'junk1', 'junk2', 'junk3', 'junk4']);
    expect(held.filter((id) => id.startsWith('honest'))).to.have.length(5);
    // once pinned txs leave, the budget is free again
    pool.remove('junk0');
    pool.addSource('honest9', 'another');
    pool.admit(tx('late'), 'fluff', 'x', []);
    expect(ids(pool)).to.include('honest9');
  });

  it('refuses a second tx spending a key image already in the pool, until the first leaves', () => {
    const { pool } = poolHarness({});
    expect(pool.admit(tx('first'), 'fluff', 'a', ['ki1', 'ki2'])).to.equal(undefined);
    expect(pool.admit(tx('second'), 'fluff', 'b', ['ki3', 'ki2'])).to.equal('double-spend');
    expect(pool.has('second')).to.equal(false);
    pool.remove('first');
    expect(pool.admit(tx('second'), 'fluff', 'b', ['ki3', 'ki2'])).to.equal(undefined);
  });

  it('refuses a tx larger than the whole pool', () => {
    const { pool } = poolHarness({ maxBytes: 1000 });
    expect(pool.admit(tx('big', 1001), 'fluff', 'a', [])).to.equal('too-large');
  });

  it('expires a tx after its lifetime; rearm gives it another', () => {
    const { pool, clock, expired } = poolHarness({ lifetimeMs: 1000 });
    pool.admit(tx('a'), 'fluff', 'x', []);
    pool.addLocal(tx('b'));
    clock.advance(999);
    pool.rearm('b');
    clock.advance(1);
    expect(expired).to.deep.equal(['a']);
    clock.advance(999);
    expect(expired).to.deep.equal(['a', 'b']);
    expect(pool.size).to.deep.equal({ txs: 0, bytes: 0 });
  });

  it('lists only fluffed txs publicly', () => {
    const { pool } = poolHarness({});
    pool.admit(tx('s'), 'stem', 'a', []);
    pool.admit(tx('f'), 'fluff', 'a', []);
    pool.addLocal(tx('l'));
    expect([...pool.publicTxs()].map((e) => e.id)).to.deep.equal(['f']);
    expect(pool.countByState()).to.deep.equal({ local: 1, forward: 0, stem: 1, fluff: 1 });
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => poolHarness({ maxTxs: 0 })).to.throw(ConfigError, /maxTxs/);
    expect(LOCAL_SOURCE).to.equal('local');
  });
});
