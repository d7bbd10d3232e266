/**
 * The small part of semver that `coreApi` needs: a version `MAJOR.MINOR.PATCH` and ranges
 * `^1.2.3`, `~1.2.3`, `>=1.2.3`, `1.2.3` (exact), optionally joined by spaces (AND) or `||` (OR).
 * Prerelease/build tags are not part of the plugin ABI and are rejected. Written by hand because
 * the whole need is ~40 lines and the core ships without a semver dependency.
 */
export type Version = readonly [number, number, number];

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;
const COMPARATOR = /^(\^|~|>=)?(\d+\.\d+\.\d+)$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

type Comparator = (v: Version) => boolean;

function comparator(text: string): Comparator | undefined {
  const m = COMPARATOR.exec(text);
  if (!m) return undefined;
  const base = parseVersion(m[2]) as Version;
  const [major, minor] = base;
  switch (m[1]) {
    case '>=':
      return (v) => compare(v, base) >= 0;
    case '~':
      return (v) => compare(v, base) >= 0 && v[0] === major && v[1] === minor;
    case '^':
      // ^0.x pins the minor, ^0.0.x the patch: 0.x versions promise nothing across minors.
      if (major > 0) return (v) => compare(v, base) >= 0 && v[0] === major;
      if (minor > 0) return (v) => compare(v, base) >= 0 && v[0] === 0 && v[1] === minor;
      return (v) => compare(v, base) === 0;
    default:
      return (v) => compare(v, base) === 0;
  }
}

/** A compiled range, or undefined when the text is not a range this module understands. */
export function parseRange(text: string): Comparator | undefined {
  const alternatives = text.split('||').map((alt) => alt.trim());
  const compiled: Comparator[][] = [];
  for (const alt of alternatives) {
    const parts = alt.split(/\s+/).filter((p) => p.length > 0);
    if (parts.length === 0) return undefined;
    const comparators = parts.map(comparator);
    if (comparators.some((c) => c === undefined)) return undefined;
    compiled.push(comparators as Comparator[]);
  }
  return (v) => compiled.some((all) => all.every((c) => c(v)));
}

export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  const r = parseRange(range);
  return v !== undefined && r !== undefined && r(v);
}
