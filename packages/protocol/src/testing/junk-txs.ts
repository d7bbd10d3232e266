import { ed25519 } from '@noble/curves/ed25519';
import { randomBytes } from 'node:crypto';
import { RELAY_RULES } from '../tx/relay-rules';

/**
 * Makes txs that pass every relay rule (checkRelayable) yet are junk: random keys, signatures
 * and proofs, so monerod rejects each. The strongest flood a peer can send without a chain, for
 * tests and the flood benchmark. Each call gives a new tx with fresh key images.
 */
export class WellFormedJunkTx {
  /** Walks the curve from a random point: one addition per key image, never repeating. */
  private point = ed25519.ExtendedPoint.BASE.multiply(BigInt(`0x${randomBytes(31).toString('hex')}`));

  /** A Bulletproof+ tx: ~0.7 kB per input plus ~0.8 kB; `extraBytes` of extra (a tx key and padding). */
  next(inputs = 1, outputs = 2, extraBytes = 33): Uint8Array {
    const images: Buffer[] = [];
    for (let i = 0; i < inputs; i++) {
      this.point = this.point.add(ed25519.ExtendedPoint.BASE);
      images.push(Buffer.from(this.point.toRawBytes()));
    }
    images.sort((a, b) => Buffer.compare(b, a)); // monerod wants them descending
    const parts: Uint8Array[] = [varint(2), varint(0), varint(inputs)];
    for (const image of images) {
      parts.push(Uint8Array.of(0x02), varint(0), varint(RELAY_RULES.ringSize));
      for (let j = 0; j < RELAY_RULES.ringSize; j++) parts.push(varint(1 + (j === 0 ? randomBytes(2).readUInt16LE() : j)));
      parts.push(image);
    }
    parts.push(varint(outputs));
    for (let o = 0; o < outputs; o++) parts.push(varint(0), Uint8Array.of(0x03), randomBytes(33));
    parts.push(varint(extraBytes), Uint8Array.of(0x01), randomBytes(extraBytes - 1)); // extra: a tx public key (and padding)
    parts.push(Uint8Array.of(6), varint(30_000_000), randomBytes(outputs * (8 + 32))); // BP+, fee, ecdh, commitments
    let rounds = 6;
    while (1 << (rounds - 6) < outputs) rounds++;
    parts.push(varint(1), randomBytes(6 * 32), varint(rounds), randomBytes(rounds * 32), varint(rounds), randomBytes(rounds * 32));
    parts.push(randomBytes(inputs * (RELAY_RULES.ringSize * 32 + 64)), randomBytes(inputs * 32)); // CLSAGs, pseudo outputs
    return Buffer.concat(parts);
  }
}

/**
 * The junk of issue 17's flood: version 1, unlock time `n` (so each is a distinct tx), no inputs,
 * no outputs, empty extra. It parses; every relay rule refuses it.
 */
export function minimalJunkTx(n: number): Uint8Array {
  return Buffer.concat([Uint8Array.of(1), varint(n), Uint8Array.of(0, 0, 0)]);
}

/** A Monero (LEB128) varint. */
function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}
