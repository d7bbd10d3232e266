import { expect } from 'chai';
import fc from 'fast-check';
import { blob, engineHarness, txIdOf } from './engine-harness';
import type { RelayEngineConfig } from '../../src/relay/relay-engine-config';

const CONFIG: RelayEngineConfig = {
  zones: [
    { name: 'public', anonymity: false, noise: false, targetOutbound: 3 },
    { name: 'tor', anonymity: true, noise: false, targetOutbound: 2 },
    { name: 'i2p', anonymity: true, noise: true, targetOutbound: 2 },
  ],
  rotation: {},
};

const CONNECTIONS = ['c0', 'c1', 'c2', 'c3'];
const ZONES = ['public', 'tor', 'i2p'];
const TAGS = ['a', 'b', 'c', 'd', 'e'];

type Step =
  | { op: 'up'; zone: string; conn: string; outbound: boolean }
  | { op: 'down'; zone: string; conn: string }
  | { op: 'submit'; tag: string }
  | { op: 'receive'; zone: string; conn: string; tag: string; fluff: boolean }
  | { op: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('up' as const), zone: fc.constantFrom(...ZONES), conn: fc.constantFrom(...CONNECTIONS), outbound: fc.boolean() }),
  fc.record({ op: fc.constant('down' as const), zone: fc.constantFrom(...ZONES), conn: fc.constantFrom(...CONNECTIONS) }),
  fc.record({ op: fc.constant('submit' as const), tag: fc.constantFrom(...TAGS) }),
  fc.record({ op: fc.constant('receive' as const), zone: fc.constantFrom(...ZONES), conn: fc.constantFrom(...CONNECTIONS), tag: fc.constantFrom(...TAGS), fluff: fc.boolean() }),
  fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 15 * 60_000 }) }),
);

describe('RelayEngine invariants (random event sequences)', () => {
  it('never leaks a local tx to clearnet, never returns a tx to its sender, lists only fluffed txs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 1_000_000 }), async (steps, seed) => {
        const h = engineHarness(CONFIG, { seed });
        h.engine.start();
        const directions = new Map<string, 'inbound' | 'outbound'>();
        const fromPublic = new Set<string>(); // tx ids some public peer sent us
        const submitted = new Set<string>();
        // tx id -> `zone/conn` it came from, with the number of sends recorded before it arrived
        const sources = new Map<string, Map<string, number>>();
        // A reconnect gets a fresh connection id, as the peer layer does.
        const current = new Map<string, string>();
        let generation = 0;
        const live = (zone: string, conn: string) => current.get(`${zone}/${conn}`);
        for (const s of steps) {
          if (s.op === 'up') {
            if (live(s.zone, s.conn) !== undefined) continue;
            const id = `${s.conn}#${generation++}`;
            current.set(`${s.zone}/${s.conn}`, id);
            directions.set(`${s.zone}/${id}`, s.outbound ? 'outbound' : 'inbound');
            h.up(s.zone, id, s.outbound ? 'outbound' : 'inbound');
          } else if (s.op === 'down') {
            const id = live(s.zone, s.conn);
            if (id === undefined) continue;
            current.delete(`${s.zone}/${s.conn}`);
            h.down(s.zone, id);
          } else if (s.op === 'submit') {
            const id = txIdOf(blob(s.tag));
            if (!fromPublic.has(id) && !sources.has(id)) submitted.add(id);
            await h.engine.submitLocal(blob(s.tag));
          } else if (s.op === 'receive') {
            const conn = live(s.zone, s.conn);
            if (conn === undefined) continue;
            const id = txIdOf(blob(s.tag));
            if (s.zone === 'public') fromPublic.add(id);
            const from = sources.get(id) ?? new Map<string, number>();
            if (!from.has(`${s.zone}/${conn}`)) from.set(`${s.zone}/${conn}`, h.sent.length);
            sources.set(id, from);
            h.engine.onTransactionsReceived(s.zone, conn, [blob(s.tag)], s.fluff);
          } else {
            h.clock.advance(s.ms);
          }
        }
        h.clock.advance(3600_000);
        for (const [index, sent] of h.sent.entries()) {
          if (sent.kind !== 'txs') continue;
          for (const id of sent.txs) {
            // Our own tx reaches clearnet only after a public peer showed it to us.
            if (sent.zone === 'public' && submitted.has(id)) expect(fromPublic.has(id), 'local tx leaked to clearnet').to.equal(true);
            // Stems go to outbound connections only, and never back to a peer that sent us the tx.
            if (!sent.fluff) {
              expect(directions.get(`${sent.zone}/${sent.conn}`)).to.equal('outbound');
              const receivedAt = sources.get(id)?.get(`${sent.zone}/${sent.conn}`);
              expect(receivedAt !== undefined && receivedAt <= index, 'stem returned to its sender').to.equal(false);
            }
          }
        }
        // Anonymity zones with noise only ever carry fixed-size frames.
        expect(h.sent.filter((s) => s.kind === 'txs' && s.zone === 'i2p')).to.deep.equal([]);
        expect(h.sent.filter((s) => s.kind === 'slot').every((s) => s.kind === 'slot' && s.frame.length === 3072)).to.equal(true);
        // Publicly listed txs are exactly those in fluff state.
        for (const entry of h.engine.publicTransactions()) expect(entry.state).to.equal('fluff');
        h.engine.stop();
      }),
      { numRuns: 200 },
    );
  });
});
