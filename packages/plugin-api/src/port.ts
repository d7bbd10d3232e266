import { InvalidAddressError } from './errors';

export const MAX_PORT = 65535;

/** True for an integer port 0..65535. */
export function isPort(port: unknown): port is number {
  return Number.isInteger(port) && (port as number) >= 0 && (port as number) <= MAX_PORT;
}

/**
 * The port of an address text, strictly: decimal digits, no sign, no leading zeros, 0..65535
 * (65536 is out: the classic off-by-one). Throws InvalidAddressError naming `input`, the whole
 * address being parsed.
 */
export function parsePort(input: string, text: string): number {
  if (text === '') throw new InvalidAddressError(input, 'missing port');
  if (!/^\d+$/.test(text)) throw new InvalidAddressError(input, `port ${JSON.stringify(text)} is not a decimal number`);
  if (text.length > 1 && text.startsWith('0')) throw new InvalidAddressError(input, 'port must not have leading zeros');
  const port = Number(text);
  if (!isPort(port)) throw new InvalidAddressError(input, `port ${text} is outside 0..${MAX_PORT}`);
  return port;
}
