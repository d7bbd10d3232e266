/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Bytes of exactly `bytes` bytes written as lower-case hex, or undefined. */
export function fromHex(text: unknown, bytes: number): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length !== bytes * 2 || !/^[0-9a-f]*$/.test(text)) return undefined;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
