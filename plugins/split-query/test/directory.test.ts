import { expect } from 'chai';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { SplitQueryError, SplitQueryErrorCode } from '../src/errors';
import { createDirectory, parseDirectory, signDirectory, verifyDirectory, type DirectoryDocument } from '../src/directory';
import { toHex } from '../src/hex';
import { ServerKeys } from '../src/server-keys';

const NOW = 1_800_000_000;
const DAY = 86_400;

function directoryKeys(n: number): { secret: Uint8Array; key: string }[] {
  return Array.from({ length: n }, () => {
    const secret = ed25519.utils.randomPrivateKey();
    return { secret, key: toHex(ed25519.getPublicKey(secret)) };
  });
}

function unsigned(servers: ServerKeys[]): DirectoryDocument {
  return createDirectory(
    'regtest',
    servers.map((s, i) => ({ ...s.public, address: `127.0.0.${i + 1}:18081` })),
  );
}

describe('split-query directory', () => {
  const dirKeys = directoryKeys(3);
  const trust = { keys: dirKeys.map((k) => k.key), threshold: 2 };

  it('uses an entry signed by k of the n trusted keys, and no entry signed by fewer', () => {
    const servers = [ServerKeys.generate(NOW, 30 * DAY), ServerKeys.generate(NOW, 30 * DAY)];
    let doc = unsigned(servers);
    doc = signDirectory(doc, dirKeys[0].secret);
    const once = verifyDirectory(doc, trust, 'regtest', NOW);
    expect(once.usable).to.have.length(0);
    expect(once.rejected.map((r) => r.reason)).to.deep.equal(['under-signed', 'under-signed']);
    doc = signDirectory(doc, dirKeys[2].secret);
    const twice = verifyDirectory(doc, trust, 'regtest', NOW);
    expect(twice.rejected).to.deep.equal([]);
    expect(twice.usable.map((u) => u.id)).to.deep.equal(servers.map((s) => s.public.id));
    expect(toHex(twice.usable[0].sealingKey)).to.equal(servers[0].public.sealingKey);
  });

  it('counts neither untrusted signers nor the same trusted key twice', () => {
    const outsider = directoryKeys(1)[0];
    let doc = signDirectory(signDirectory(unsigned([ServerKeys.generate(NOW, DAY)]), dirKeys[1].secret), outsider.secret);
    const entry = doc.entries[0];
    doc = { ...doc, entries: [{ ...entry, signatures: [...entry.signatures, entry.signatures[0]] }] };
    expect(verifyDirectory(doc, trust, 'regtest', NOW).rejected[0]).to.include({ reason: 'under-signed' });
    // Re-signing with one key replaces its signature rather than adding a second.
    expect(signDirectory(doc, dirKeys[1].secret).entries[0].signatures.filter((s) => s.key === dirKeys[1].key)).to.have.length(1);
  });

  it('drops an expired entry while keeping the others', () => {
    const fresh = ServerKeys.generate(NOW, 10 * DAY);
    const old = ServerKeys.generate(NOW - 20 * DAY, 10 * DAY);
    let doc = unsigned([fresh, old]);
    for (const k of dirKeys) doc = signDirectory(doc, k.secret);
    const verified = verifyDirectory(doc, trust, 'regtest', NOW);
    expect(verified.usable.map((u) => u.id)).to.deep.equal([fresh.public.id]);
    expect(verified.rejected).to.have.length(1);
    expect(verified.rejected[0]).to.include({ id: old.public.id, reason: 'expired' });
  });

  it('rejects an entry tampered with after signing: a new address, a swapped sealing key, a later expiry', () => {
    const server = ServerKeys.generate(NOW, DAY);
    let doc = unsigned([server]);
    for (const k of dirKeys) doc = signDirectory(doc, k.secret);
    const entry = doc.entries[0];
    const attacker = toHex(x25519.getPublicKey(x25519.utils.randomPrivateKey()));
    const tampered = (change: Partial<typeof entry>): string => verifyDirectory({ ...doc, entries: [{ ...entry, ...change }] }, trust, 'regtest', NOW).rejected[0]?.reason;
    expect(tampered({ address: '127.0.0.66:18081' })).to.equal('under-signed');
    expect(tampered({ sealingKey: attacker })).to.equal('bad sealing signature');
    expect(tampered({ expires: entry.expires + DAY })).to.equal('bad sealing signature');
    expect(tampered({ address: 'not an address' })).to.equal('malformed');
    expect(verifyDirectory(doc, trust, 'mainnet', NOW).rejected[0]).to.include({ reason: 'wrong network' });
  });

  it('refuses to create a directory from an entry whose sealing key the identity did not sign', () => {
    const server = ServerKeys.generate(NOW, DAY);
    const other = ServerKeys.generate(NOW, DAY);
    expect(() => createDirectory('regtest', [{ ...server.public, sealingKey: other.public.sealingKey, address: '127.0.0.1:1' }]))
      .to.throw(SplitQueryError)
      .with.property('code', SplitQueryErrorCode.DirectoryInvalid);
    expect(() => createDirectory('regtest', [{ ...server.public, address: 'example.com:1' }])).to.throw(/is not an IPv4 literal/);
  });

  it('accepts onion and b32 addresses and refuses a bad document or trust setting with a typed error', () => {
    const onion = `${'a'.repeat(56)}.onion:18081`;
    const b32 = `${'b'.repeat(52)}.b32.i2p`;
    const doc = createDirectory('regtest', [
      { ...ServerKeys.generate(NOW, DAY).public, address: onion },
      { ...ServerKeys.generate(NOW, DAY).public, address: b32 },
    ]);
    expect(doc.entries.map((e) => e.address)).to.deep.equal([onion, b32]);
    expect(() => parseDirectory({ format: 'other', network: 'regtest', entries: [] })).to.throw(/format must be/);
    expect(() => parseDirectory([])).to.throw(SplitQueryError);
    expect(() => verifyDirectory(doc, { keys: trust.keys, threshold: 4 }, 'regtest', NOW)).to.throw(/threshold 4 must be between 1 and/);
    expect(() => verifyDirectory(doc, { keys: ['zz'], threshold: 1 }, 'regtest', NOW)).to.throw(/64 hex digits/);
  });
});
