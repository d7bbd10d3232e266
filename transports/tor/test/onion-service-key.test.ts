import { ed25519 } from '@noble/curves/ed25519';
import { sha512 } from '@noble/hashes/sha2';
import { ConfigError } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { OnionServiceKey } from '../src/onion-service-key';
import { onionHostFromPublicKey } from '../src/onion-v3-codec';

describe('OnionServiceKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'onion-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('derives the same address as ed25519 does for the seed the expanded key came from', () => {
    const seed = new Uint8Array(32).fill(9);
    const expanded = sha512(seed);
    expanded[0] &= 248;
    expanded[31] &= 127;
    expanded[31] |= 64;
    const key = OnionServiceKey.fromTorKeyBlob(`ED25519-V3:${Buffer.from(expanded).toString('base64')}`, 'test');
    expect(key.host).to.equal(onionHostFromPublicKey(ed25519.getPublicKey(seed)));
  });

  it('creates the key file once (mode 0600) and loads the same address afterwards', async () => {
    const file = join(dir, 'sub', 'onion_v3_private_key');
    const first = await OnionServiceKey.loadOrCreate(file);
    expect(first.created).to.equal(true);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).to.equal(0o700);
    expect(readFileSync(file, 'utf8')).to.match(/^ED25519-V3:[A-Za-z0-9+/]{86}==\n$/);
    const second = await OnionServiceKey.loadOrCreate(file);
    expect(second.created).to.equal(false);
    expect(second.key.host).to.equal(first.key.host);
  });

  it('refuses a corrupt key file instead of replacing it', async () => {
    const file = join(dir, 'onion_v3_private_key');
    writeFileSync(file, 'RSA1024:abcd');
    let caught: unknown;
    try {
      await OnionServiceKey.loadOrCreate(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as Error).message).to.match(/is not an ED25519-V3 expanded secret key/);
    expect(readFileSync(file, 'utf8')).to.equal('RSA1024:abcd');
  });

  it('shows only its address in JSON and inspect output', () => {
    const key = OnionServiceKey.generate();
    const secret = key.toTorKeyBlob().slice('ED25519-V3:'.length);
    for (const shown of [JSON.stringify(key), inspect(key), inspect({ key }, { depth: 5, showHidden: true })]) {
      expect(shown).to.include(key.host.slice(0, 20));
      expect(shown).to.not.include(secret.slice(0, 20));
    }
  });
});
