import { expect } from 'chai';
import { RecordingLogger, VirtualClock } from '@veilnode/plugin-api/testing';
import type { UpstreamDaemon } from '../../../src/rpc/upstream/upstream-daemon';
import { UpstreamTxWatch, type LocalTxLedger } from '../../../src/rpc/upstream/upstream-tx-watch';

const OURS = 'aa'.repeat(32);
const OTHER = 'bb'.repeat(32);

/** The upstream as the watch uses it: pool hashes, block count, blocks by height; every request recorded. */
class FakeChainUpstream {
  readonly requests: string[] = [];
  pool: string[] = [];
  blocks: string[][] = [[], []];
  down = false;

  async json(path: string, body: unknown): Promise<unknown> {
    this.requests.push(`${path} ${JSON.stringify(body)}`);
    if (this.down) throw new Error('down');
    return { status: 'OK', tx_hashes: this.pool };
  }

  async jsonRpc(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    this.requests.push(`${method} ${JSON.stringify(params)}`);
    if (this.down) throw new Error('down');
    if (method === 'get_block_count') return { count: this.blocks.length };
    return { tx_hashes: this.blocks[params.height as number] };
  }
}

class FakeLedger implements LocalTxLedger {
  readonly journal = new Set([OURS]);
  readonly events: string[] = [];
  localTxIds(): string[] {
    return [...this.journal];
  }
  seenByNetwork(id: string): void {
    this.events.push(`seen ${id}`);
    this.journal.delete(id);
  }
  mined(id: string): void {
    this.events.push(`mined ${id}`);
    this.journal.delete(id);
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('UpstreamTxWatch', () => {
  let upstream: FakeChainUpstream;
  let ledger: FakeLedger;
  let clock: VirtualClock;
  let logger: RecordingLogger;
  let watch: UpstreamTxWatch;

  beforeEach(() => {
    upstream = new FakeChainUpstream();
    ledger = new FakeLedger();
    clock = new VirtualClock();
    logger = new RecordingLogger();
    watch = new UpstreamTxWatch(upstream as unknown as UpstreamDaemon, ledger, clock, logger, { intervalMs: 1_000, maxBackoffMs: 8_000 });
  });

  afterEach(() => watch.stop());

  it('a local tx in the upstream’s pool is delivered; one in a new block is mined; no request ever names it', async () => {
    await watch.poll();
    expect(ledger.events).to.deep.equal([]);
    upstream.pool = [OTHER, OURS];
    await watch.poll();
    expect(ledger.events).to.deep.equal([`seen ${OURS}`]);
    ledger.journal.add(OURS); // (a restart replayed it)
    upstream.pool = [];
    upstream.blocks.push([OTHER, OURS]);
    await watch.poll();
    expect(ledger.events).to.deep.equal([`seen ${OURS}`, `mined ${OTHER}`, `mined ${OURS}`]);
    expect(upstream.requests.filter((r) => r.includes(OURS))).to.deep.equal([]);
    // each block is read once: the next poll reads only blocks added since
    const reads = upstream.requests.filter((r) => r.startsWith('get_block {')).length;
    await watch.poll();
    expect(upstream.requests.filter((r) => r.startsWith('get_block {')).length).to.equal(reads);
  });

  it('polls at a fixed rate whether or not there are local txs, and backs off (doubling, bounded) while the upstream fails', async () => {
    ledger.journal.clear();
    watch.start();
    const polls = (): number => upstream.requests.filter((r) => r.startsWith('/get_transaction_pool_hashes')).length;
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(polls()).to.equal(3);
    upstream.down = true;
    const times: number[] = [];
    for (let t = 0; t < 40_000; t += 100) {
      const before = polls();
      clock.advance(100);
      await flush();
      if (polls() > before) times.push(clock.now());
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps.slice(0, 4)).to.deep.equal([2_000, 4_000, 8_000, 8_000]);
    expect(logger.entries.filter((e) => e.fields.event === 'upstream_watch_failed')).to.have.length(1);
  });

  it('namesHiddenTx: a local tx the upstream has not shown is hidden until its pool lists it', async () => {
    expect(await watch.namesHiddenTx([OTHER])).to.equal(false);
    expect(upstream.requests).to.deep.equal([]); // nothing of ours asked: no need to look
    expect(await watch.namesHiddenTx([OURS])).to.equal(true);
    upstream.pool = [OURS];
    clock.advance(2_000);
    ledger.journal.add(OURS);
    expect(await watch.namesHiddenTx([OURS])).to.equal(false);
  });
});
