import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { SplitQueryErrorCode } from '../src/errors';
import { RateLimiter } from '../src/rate-limiter';
import { ReplayGuard } from '../src/replay-guard';
import { SERVER_KEY_FILE, ServerKeys } from '../src/server-keys';

describe('split-query replay guard', () => {
  it('accepts a nonce once, refuses it again within the window, and refuses stale or future requests', () => {
    const guard = new ReplayGuard(60_000);
    const now = 1_000_000;
    guard.check('aa', now - 1000, now);
    expect(() => guard.check('aa', now - 1000, now)).to.throw(/replayed nonce/).with.property('code', SplitQueryErrorCode.Replay);
    expect(() => guard.check('bb', now - 61_000, now)).to.throw(/outside the 60000 ms replay window/);
    expect(() => guard.check('cc', now + 61_000, now)).to.throw(/outside/);
    guard.check('dd', now, now);
  });

  it('forgets nonces whose requests can no longer pass the window check', () => {
    const guard = new ReplayGuard(1000);
    for (let i = 0; i < 100; i++) guard.check(`n${i}`, i * 10, i * 10);
    expect(guard.size).to.equal(100);
    guard.check('late', 10_000, 10_000);
    expect(guard.size).to.equal(1);
  });
});

describe('split-query rate limiter', () => {
  it('lets a relay send its burst, then refuses it until tokens refill, per relay', () => {
    const limiter = new RateLimiter(60, 3);
    const t = 5_000_000;
    expect([1, 2, 3, 4].map(() => limiter.take('relay-a', t))).to.deep.equal([true, true, true, false]);
    expect(limiter.take('relay-b', t), 'another relay has its own bucket').to.equal(true);
    expect(limiter.take('relay-a', t + 999)).to.equal(false);
    expect(limiter.take('relay-a', t + 1000), 'one token per second at 60/min').to.equal(true);
    expect(limiter.take('relay-a', t + 1000)).to.equal(false);
  });

  it('forgets relays that went quiet long enough to refill', () => {
    const limiter = new RateLimiter(60, 3);
    for (let i = 0; i < 50; i++) limiter.take(`relay-${i}`, 0);
    limiter.take('relay-x', 10_000);
    expect(limiter.tracked).to.equal(1);
  });
});

describe('split-query server keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'split-query-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file 0600, loads the same identity and sealing key again', () => {
    const a = ServerKeys.loadOrCreate(dir, 1000, 30 * 86_400);
    const file = path.join(dir, SERVER_KEY_FILE);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const b = ServerKeys.loadOrCreate(dir, 2000, 30 * 86_400);
    expect(b.public).to.deep.equal(a.public);
  });

  it('replaces an expiring sealing key but keeps the identity', () => {
    const a = ServerKeys.loadOrCreate(dir, 1000, 100);
    const b = ServerKeys.loadOrCreate(dir, 1095, 100);
    expect(b.public.id).to.equal(a.public.id);
    expect(b.public.sealingKey).to.not.equal(a.public.sealingKey);
    expect(b.expires).to.equal(1195);
  });

  it('never shows a secret in JSON or inspection, and names the file of a broken key file', () => {
    const keys = ServerKeys.loadOrCreate(dir, 1000, 100);
    const secrets = JSON.parse(readFileSync(path.join(dir, SERVER_KEY_FILE), 'utf8')) as Record<string, string>;
    const shown = JSON.stringify(keys) + inspect(keys, { depth: 5 }) + inspect({ keys }, { depth: 5 });
    expect(shown).to.not.include(secrets.identitySecret);
    expect(shown).to.not.include(secrets.sealingSecret);
    rmSync(path.join(dir, SERVER_KEY_FILE));
    writeFileSync(path.join(dir, SERVER_KEY_FILE), '{"identitySecret":"xx"}');
    expect(() => ServerKeys.loadOrCreate(dir, 1000, 100))
      .to.throw(/identitySecret must be 64 lower-case hex digits/)
      .with.property('code', SplitQueryErrorCode.KeyFileInvalid);
  });
});
