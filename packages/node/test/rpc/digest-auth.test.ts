import { expect } from 'chai';
import { DigestAuth, digestHa1, digestResponse } from '../../src/rpc/digest-auth';

/** What a client sends, built from the server's challenge. */
function answer(challenge: string, login: [string, string], method: string, uri: string, overrides: Record<string, string> = {}): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] as string;
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] as string;
  const fields = { username: login[0], realm, nonce, uri, qop: 'auth', nc: '00000001', cnonce: 'abc123', ...overrides };
  const response = digestResponse(digestHa1(login[0], realm, login[1]), { method, uri: fields.uri, nonce: fields.nonce, nc: fields.nc, cnonce: fields.cnonce, qop: fields.qop });
  return `Digest ${Object.entries({ ...fields, response: overrides.response ?? response }).map(([k, v]) => `${k}="${v}"`).join(', ')}`;
}

describe('HTTP Digest auth (monerod --rpc-login)', () => {
  it('computes RFC 2617\'s worked example', () => {
    const ha1 = digestHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life');
    expect(digestResponse(ha1, { method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', nc: '00000001', cnonce: '0a4f113b', qop: 'auth' })).to.equal(
      '6629fae49393a05397450978507c4ef1',
    );
  });

  it('accepts the right login and rejects every wrong field', () => {
    const auth = new DigestAuth('alice:s3cret');
    const challenge = auth.challenge();
    expect(challenge).to.match(/^Digest realm="veilnode", qop="auth", algorithm=MD5, nonce="[^"]+"$/);
    const ok = (nc: string): string => answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { nc });
    expect(auth.verify('POST', '/json_rpc', ok('00000001'))).to.equal('pass');
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 'wrong'], 'POST', '/json_rpc', { nc: '00000002' })), 'password').to.equal('fail');
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['bob', 's3cret'], 'POST', '/json_rpc', { nc: '00000002' })), 'user').to.equal('fail');
    expect(auth.verify('POST', '/other', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { nc: '00000002' })), 'uri').to.equal('fail');
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { qop: 'auth-int', nc: '00000002' })), 'qop').to.equal('fail');
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { nc: 'zz' })), 'nc not hex').to.equal('fail');
    expect(auth.verify('POST', '/json_rpc', undefined)).to.equal('fail');
    expect(auth.verify('POST', '/json_rpc', `Basic ${Buffer.from('alice:s3cret').toString('base64')}`), 'basic').to.equal('fail');
    // none of the refusals above used up a count
    expect(auth.verify('POST', '/json_rpc', ok('00000002'))).to.equal('pass');
  });

  it('accepts each nonce count once and only rising: a replayed header is stale', () => {
    const auth = new DigestAuth('alice:s3cret');
    const challenge = auth.challenge();
    const header = (nc: string): string => answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { nc });
    expect(auth.verify('POST', '/json_rpc', header('00000001'))).to.equal('pass');
    expect(auth.verify('POST', '/json_rpc', header('00000001')), 'the same header again').to.equal('stale');
    expect(auth.verify('POST', '/json_rpc', header('00000005')), 'a gap is fine').to.equal('pass');
    expect(auth.verify('POST', '/json_rpc', header('00000003')), 'backwards').to.equal('stale');
    expect(auth.verify('POST', '/json_rpc', header('00000005')), 'replayed').to.equal('stale');
    expect(auth.verify('POST', '/json_rpc', header('00000006'))).to.equal('pass');
    const zero = new DigestAuth('alice:s3cret');
    expect(zero.verify('POST', '/json_rpc', answer(zero.challenge(), ['alice', 's3cret'], 'POST', '/json_rpc', { nc: '00000000' })), 'nc 0').to.equal('stale');
  });

  it('accepts the header of monerod 0.18\'s own client (epee: qop=auth and nc, no cnonce, hashed as empty), once per count', () => {
    const auth = new DigestAuth('wallet:s3cret');
    const nonce = /nonce="([^"]+)"/.exec(auth.challenge())?.[1] as string;
    const header = (nc: string): string => {
      const response = digestResponse(digestHa1('wallet', 'veilnode', 's3cret'), { method: 'POST', uri: '/json_rpc', nonce, nc, cnonce: '', qop: 'auth' });
      // byte for byte the shape monerod 0.18.0.0 sends (seen on the wire from `monerod print_cn`)
      return `Digest algorithm=MD5,nonce="${nonce}",realm="veilnode",response="${response}",uri="/json_rpc",username="wallet",qop=auth,nc=${nc}`;
    };
    expect(auth.verify('POST', '/json_rpc', header('00000001'))).to.equal('pass');
    expect(auth.verify('POST', '/json_rpc', header('00000001'))).to.equal('stale');
    expect(auth.verify('POST', '/json_rpc', header('00000002'))).to.equal('pass');
  });

  it('accepts an RFC 2069 answer (no qop) once', () => {
    const auth = new DigestAuth('alice:s3cret');
    const nonce = /nonce="([^"]+)"/.exec(auth.challenge())?.[1] as string;
    const response = digestResponse(digestHa1('alice', 'veilnode', 's3cret'), { method: 'GET', uri: '/get_info', nonce });
    const header = `Digest username="alice", realm="veilnode", nonce="${nonce}", uri="/get_info", response="${response}"`;
    expect(auth.verify('GET', '/get_info', header)).to.equal('pass');
    expect(auth.verify('GET', '/get_info', header)).to.equal('stale');
  });

  it('answers stale for nonces older than five minutes, forgotten ones and nonces of another process', () => {
    let now = 1_000_000;
    const auth = new DigestAuth('alice:s3cret', { now: () => now });
    const challenge = auth.challenge();
    now += 5 * 60_000;
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { nc: '00000001' }))).to.equal('pass');
    now += 1;
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { nc: '00000002' }))).to.equal('stale');
    const other = new DigestAuth('alice:s3cret');
    expect(other.verify('POST', '/json_rpc', answer(new DigestAuth('alice:s3cret').challenge(), ['alice', 's3cret'], 'POST', '/json_rpc'))).to.equal('stale');
    expect(auth.challenge(true)).to.match(/, stale=true$/);
  });

  it('keeps a bounded nonce table, forgetting the oldest first', () => {
    const auth = new DigestAuth('alice:s3cret', { maxNonces: 3 });
    const first = auth.challenge();
    const second = auth.challenge();
    for (let i = 0; i < 100; i++) auth.challenge();
    expect(auth.nonceCount).to.equal(3);
    expect(auth.verify('POST', '/json_rpc', answer(first, ['alice', 's3cret'], 'POST', '/json_rpc'))).to.equal('stale');
    expect(auth.verify('POST', '/json_rpc', answer(second, ['alice', 's3cret'], 'POST', '/json_rpc'))).to.equal('stale');
  });

  it('makes nonces from random bits, not from the clock', () => {
    const auth = new DigestAuth('alice:s3cret', { now: () => 42 });
    const nonces = new Set(Array.from({ length: 50 }, () => /nonce="([^"]+)"/.exec(auth.challenge())?.[1]));
    expect(nonces.size).to.equal(50);
    for (const nonce of nonces) expect(Buffer.from(nonce as string, 'base64')).to.have.length(16);
  });
});
