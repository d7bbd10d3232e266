import { expect } from 'chai';
import * as fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { InvalidTransactionError, parseTransactionLayout, RctType, transactionId, transactionIdHex } from '../../src/tx';
import { genesisHash } from '../../src/wire';

interface TxFixture { source: string; id: string; hex: string }
const fixtures: TxFixture[] = JSON.parse(
  readFileSync(resolve(__dirname, '../../../test/fixtures/txs/regtest-txs.json'), 'utf8'),
).txs;
const blobs = fixtures.map((f) => Buffer.from(f.hex, 'hex'));

function expectInvalid(blob: Uint8Array, reason?: RegExp): InvalidTransactionError {
  try {
    transactionIdHex(blob);
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidTransactionError);
    const e = err as InvalidTransactionError;
    expect(e.code).to.equal('TX_INVALID');
    if (reason) expect(e.message).to.match(reason);
    return e;
  }
  expect.fail('expected InvalidTransactionError');
}

/** A minimal v1 transaction: one to_key input (ring 2), one to_key output, empty extra. */
function v1Blob(): Buffer {
  return Buffer.concat([
    Buffer.from([1, 0, 1, 0x02, 0x05, 2, 0x07, 0x03]),
    Buffer.alloc(32, 0xaa), // key image
    Buffer.from([1, 0x0a, 0x02]),
    Buffer.alloc(32, 0xbb), // output key
    Buffer.from([0]), // extra
    Buffer.alloc(2 * 64, 0xcc), // ring signature
  ]);
}

describe('tx/transactionId', () => {
  it('matches the id monerod reports for every real regtest transaction', () => {
    expect(fixtures.length).to.be.greaterThan(4);
    for (const f of fixtures) expect(transactionIdHex(Buffer.from(f.hex, 'hex')), f.source).to.equal(f.id);
  });

  it('finds the RingCT type of real transactions (CLSAG/BP+ spends, type-0 coinbase)', () => {
    const types = blobs.map((b) => parseTransactionLayout(b).rctType);
    expect(types).to.include(RctType.BulletproofPlus);
    expect(types).to.include(RctType.Null);
  });

  it('agrees with monerod on a real v1 tx: the genesis coinbase gives the known mainnet and testnet genesis block ids', () => {
    // monerod's GENESIS_TX (cryptonote_config.h), shared by mainnet (nonce 10000) and testnet (10001)
    const genesisTx = Buffer.from(
      '013c01ff0001ffffffffffff03029b2e4c0281c0b02e7c53291a94d1d0cbff8883f8024f5142ee494ffbbd08807121017767aafcde9be00dcfd098715ebcf7f410daebc582fda69d24a28e9d0bc890d1',
      'hex',
    );
    expect(parseTransactionLayout(genesisTx).version).to.equal(1);
    const blockId = (nonce: number): Buffer => {
      // block hashing blob: header (major 1, minor 0, timestamp 0, zero prev id, nonce) ‖ merkle root (= the one tx id) ‖ tx count
      const nonceBytes = Buffer.alloc(4);
      nonceBytes.writeUInt32LE(nonce);
      const blob = Buffer.concat([Buffer.from([1, 0, 0]), Buffer.alloc(32), nonceBytes, transactionId(genesisTx), Buffer.from([1])]);
      return Buffer.from(keccak_256(Buffer.concat([Buffer.from([blob.length]), blob])));
    };
    expect(blockId(10000).equals(genesisHash('mainnet'))).to.equal(true);
    expect(blockId(10001).equals(genesisHash('testnet'))).to.equal(true);
  });

  it('hashes a v1 transaction as a whole blob', () => {
    const blob = v1Blob();
    const layout = parseTransactionLayout(blob);
    expect(layout.version).to.equal(1);
    expect(transactionIdHex(blob)).to.equal(Buffer.from(keccak_256(blob)).toString('hex'));
  });

  it('rejects every truncation of a real transaction with a typed error', () => {
    for (const blob of [blobs[0], blobs[blobs.length - 1]]) {
      for (let n = 0; n < blob.length; n++) expectInvalid(blob.subarray(0, n));
    }
  });

  it('rejects trailing bytes', () => {
    const e = expectInvalid(Buffer.concat([blobs[0], Buffer.from([0])]), /trailing/);
    expect(e.context.offset).to.equal(blobs[0].length);
  });

  it('rejects unknown versions, input/output types and rct types', () => {
    expectInvalid(Buffer.from([3, 0]), /version 3/);
    expectInvalid(Buffer.from([2, 0, 1, 0x01, 0, 0, 0]), /input 0 has unsupported type 0x1/);
    const badRct = Buffer.from(blobs[0]);
    const layout = parseTransactionLayout(badRct);
    badRct[layout.prefixEnd] = 7;
    expectInvalid(badRct, /unknown rct type 7/);
  });

  it('rejects non-canonical and over-long varints', () => {
    expectInvalid(Buffer.from([0x82, 0x00]), /not canonical/);
    expectInvalid(Buffer.from([2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), /exceeds 64 bits/);
  });

  it('rejects a count larger than the bytes present without allocating', () => {
    // version 2, unlock 0, 2^62 inputs
    expectInvalid(Buffer.from([2, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]), /input count .* does not fit/);
  });

  it('never throws anything but InvalidTransactionError on mutated blobs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...blobs), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (base, edits) => {
        const blob = Buffer.from(base);
        for (const [at, v] of edits) blob[at % blob.length] = v;
        try {
          expect(transactionIdHex(blob)).to.match(/^[0-9a-f]{64}$/);
        } catch (err) {
          expect(err).to.be.instanceOf(InvalidTransactionError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
