import { randomBytes, randomInt } from 'node:crypto';

/** A source of uniform randomness, injected so tests and simulations are reproducible. */
export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n); n must be a positive safe integer. */
  int(n: number): number;
}

const FLOAT_BYTES = 6; // 48 bits: exact in a double

/** Cryptographically secure randomness for production: an observer must not predict our timers. */
export class CryptoRng implements Rng {
  private pool = Buffer.alloc(0);
  private offset = 0;

  float(): number {
    if (this.offset + FLOAT_BYTES > this.pool.length) {
      this.pool = randomBytes(FLOAT_BYTES * 256);
      this.offset = 0;
    }
    const value = this.pool.readUIntLE(this.offset, FLOAT_BYTES);
    this.offset += FLOAT_BYTES;
    return value / 2 ** 48;
  }

  int(n: number): number {
    return randomInt(n);
  }
}

/**
 * Deterministic generator (sfc32 seeded through splitmix32) for tests and the simulator.
 * Not for production: its output is predictable from the seed.
 */
export class SeededRng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next32();
  }

  float(): number {
    // Two 32-bit draws give 53 bits of mantissa.
    const hi = this.next32() >>> 5;
    const lo = this.next32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  private next32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
}
