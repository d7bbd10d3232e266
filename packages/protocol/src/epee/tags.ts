/** Portable-storage type tags (docs/epee.md). */
export const EpeeTag = {
  Int64: 1,
  Int32: 2,
  Int16: 3,
  Int8: 4,
  UInt64: 5,
  UInt32: 6,
  UInt16: 7,
  UInt8: 8,
  Double: 9,
  String: 10,
  Bool: 11,
  Object: 12,
  /** Standalone array tag: followed by a second, flagged element type byte. */
  Array: 13,
} as const;

export type EpeeScalarTag = (typeof EpeeTag)[Exclude<keyof typeof EpeeTag, 'Array'>];

/** OR-ed into an element tag to mark an array of that element type. */
export const EPEE_ARRAY_FLAG = 0x80;

/** Payload width of the fixed-size scalar tags. */
export const EPEE_FIXED_WIDTH: Readonly<Record<number, number>> = {
  [EpeeTag.Int64]: 8,
  [EpeeTag.Int32]: 4,
  [EpeeTag.Int16]: 2,
  [EpeeTag.Int8]: 1,
  [EpeeTag.UInt64]: 8,
  [EpeeTag.UInt32]: 4,
  [EpeeTag.UInt16]: 2,
  [EpeeTag.UInt8]: 1,
  [EpeeTag.Double]: 8,
  [EpeeTag.Bool]: 1,
};

/** Smallest encoded size of one array element per element tag, as monerod's sanity check uses it. */
export const EPEE_MIN_ELEMENT_SIZE: Readonly<Record<number, number>> = {
  ...EPEE_FIXED_WIDTH,
  [EpeeTag.String]: 2,
  [EpeeTag.Object]: 1,
  [EpeeTag.Array]: 1,
};
