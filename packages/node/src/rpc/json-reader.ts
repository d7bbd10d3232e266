/** A string literal, or an integer literal too long to be exact as a Number (outside strings). */
const STRING_OR_LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![.eE\d])/g;
/** Marks a long integer as a string the reviver turns into a bigint; NUL cannot occur unescaped in JSON text. */
const MARK = '\u0000u64:';

/**
 * JSON.parse, except that integers beyond 2^53 become exact bigints (monerod's u64 fields, such
 * as cumulative_difficulty, which a Number would round). Smaller integers stay Numbers.
 */
export function parseJsonExact(text: string): unknown {
  const marked = text.replace(STRING_OR_LONG_INTEGER, (token) => (token.startsWith('"') ? token : `"\\u0000u64:${token}"`));
  return JSON.parse(marked, (_, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith(MARK)) return value;
    const digits = value.slice(MARK.length);
    const exact = BigInt(digits);
    return Number.isSafeInteger(Number(exact)) ? Number(exact) : exact;
  });
}
