import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SameKeysCooldown, SESSION_STATE_FILE } from '../src';

describe('SameKeysCooldown', () => {
  let dir: string;
  let now: number;
  const clock = () => now;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veilnode-cooldown-'));
    now = 1_000_000;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lets the first session of a fresh data dir start at once', async () => {
    const cooldown = new SameKeysCooldown(dir, 10_000, clock);
    await cooldown.load();
    expect(cooldown.remainingMs()).to.equal(0);
  });

  it('counts from the last close, in this process and in the next one', async () => {
    const first = new SameKeysCooldown(dir, 10_000, clock);
    await first.sessionUp();
    now += 60_000;
    await first.sessionClosed();
    now += 4_000;
    expect(first.remainingMs()).to.equal(6_000);
    const next = new SameKeysCooldown(dir, 10_000, clock);
    await next.load();
    expect(next.remainingMs()).to.equal(6_000);
    now += 6_000;
    expect(next.remainingMs()).to.equal(0);
  });

  it('waits the full cooldown after a process that died with its session up', async () => {
    await new SameKeysCooldown(dir, 10_000, clock).sessionUp();
    expect(JSON.parse(await readFile(join(dir, SESSION_STATE_FILE), 'utf8'))).to.deep.equal({ state: 'up' });
    now += 3_600_000;
    const next = new SameKeysCooldown(dir, 10_000, clock);
    await next.load();
    expect(next.remainingMs()).to.equal(10_000);
  });

  it('leaves the last call on disk when writes overlap', async () => {
    const cooldown = new SameKeysCooldown(dir, 10_000, clock);
    // unchained, 50 overlapping writeFile calls on one file ended with a wrong state 20 times in 20
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 25; i++) writes.push(cooldown.sessionUp(), cooldown.sessionClosed());
    await Promise.all(writes);
    expect(JSON.parse(await readFile(join(dir, SESSION_STATE_FILE), 'utf8'))).to.deep.equal({ state: 'closed', at: now });
  });

  it('ignores a corrupt state file and a close time in the future', async () => {
    await writeFile(join(dir, SESSION_STATE_FILE), '{not json');
    const corrupt = new SameKeysCooldown(dir, 10_000, clock);
    await corrupt.load();
    expect(corrupt.remainingMs()).to.equal(0);
    await writeFile(join(dir, SESSION_STATE_FILE), JSON.stringify({ state: 'closed', at: now + 86_400_000 }));
    const skewed = new SameKeysCooldown(dir, 10_000, clock);
    await skewed.load();
    expect(skewed.remainingMs()).to.equal(10_000);
  });
});
