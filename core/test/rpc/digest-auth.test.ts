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
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc'))).to.equal(true);
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 'wrong'], 'POST', '/json_rpc')), 'password').to.equal(false);
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['bob', 's3cret'], 'POST', '/json_rpc')), 'user').to.equal(false);
    expect(auth.verify('POST', '/other', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc')), 'uri').to.equal(false);
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { nonce: 'forged.nonce' })), 'nonce').to.equal(false);
    expect(auth.verify('POST', '/json_rpc', answer(challenge, ['alice', 's3cret'], 'POST', '/json_rpc', { qop: 'auth-int' })), 'qop').to.equal(false);
    expect(auth.verify('POST', '/json_rpc', undefined)).to.equal(false);
    expect(auth.verify('POST', '/json_rpc', `Basic ${Buffer.from('alice:s3cret').toString('base64')}`), 'basic').to.equal(false);
  });

  it('rejects nonces older than five minutes and nonces of another process', () => {
    let now = 1_000_000;
    const auth = new DigestAuth('alice:s3cret', 'veilnode', () => now);
    const header = answer(auth.challenge(), ['alice', 's3cret'], 'POST', '/json_rpc');
    now += 5 * 60_000;
    expect(auth.verify('POST', '/json_rpc', header)).to.equal(true);
    now += 1;
    expect(auth.verify('POST', '/json_rpc', header)).to.equal(false);
    const other = new DigestAuth('alice:s3cret');
    expect(other.verify('POST', '/json_rpc', answer(new DigestAuth('alice:s3cret').challenge(), ['alice', 's3cret'], 'POST', '/json_rpc'))).to.equal(false);
  });
});
