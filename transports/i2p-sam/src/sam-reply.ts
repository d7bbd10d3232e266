/** One SAM reply line, e.g. `STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE="no leaseset"`. */
export interface SamReply {
  /** First two words: `HELLO REPLY`, `SESSION STATUS`, `STREAM STATUS`... */
  readonly topic: string;
  readonly values: Readonly<Record<string, string>>;
}

/** Longest reply line we buffer (Bitcoin Core's limit); a longer one is a protocol violation. */
export const MAX_SAM_LINE = 65536;

/** Tokenizes a reply line: `KEY=VALUE` pairs, values optionally double-quoted (i2pd quotes MESSAGE). */
export function parseSamReply(line: string): SamReply {
  const text = line.trim();
  const head = /^(\S+)(?:\s+(\S+))?/.exec(text);
  const words = head ? [head[1], head[2]].filter((w) => w !== undefined && !w.includes('=')) : [];
  const values: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_.]+)=("((?:[^"\\]|\\.)*)"|\S*)/g)) {
    values[m[1]] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2];
  }
  return { topic: words.join(' '), values };
}
