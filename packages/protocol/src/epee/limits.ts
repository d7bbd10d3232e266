/** monerod's portable-storage parse limits for P2P messages (docs/epee.md). */
export interface EpeeLimits {
  /** Nested sections (objects), counted over the whole blob; the root is not counted. */
  readonly maxObjects: number;
  /** Section entries, counted over all sections including the root. */
  readonly maxFields: number;
  /** String values (scalar and array elements); keys are not counted. */
  readonly maxStrings: number;
}

export const EPEE_P2P_LIMITS: EpeeLimits = Object.freeze({ maxObjects: 8192, maxFields: 16384, maxStrings: 16384 });

/** monerod's EPEE_PORTABLE_STORAGE_RECURSION_LIMIT_INTERNAL (see EpeeReader for how it is spent). */
export const EPEE_RECURSION_LIMIT = 100;

/** monerod's MAX_STRING_LEN_POSSIBLE: string lengths must be strictly below it. */
export const EPEE_MAX_STRING_LENGTH = 2_000_000_000;

/** Largest key length monerod's writer accepts (it refuses 255 and more). */
export const EPEE_MAX_KEY_LENGTH = 254;

/** Largest value a varint can carry (2^62 − 1). */
export const EPEE_MAX_VARINT = 2 ** 62 - 1;

/** Signature A, signature B, format version 1 (docs/epee.md). */
export const EPEE_HEADER: Buffer = Buffer.from([0x01, 0x11, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01]);
export const EPEE_HEADER_SIZE = 9;
