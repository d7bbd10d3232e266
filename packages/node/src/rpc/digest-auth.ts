import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a server nonce stays valid (monotonic time; never sent). */
export const DIGEST_NONCE_LIFETIME_MS = 5 * 60_000;
/** Most nonces remembered at once; the oldest is forgotten first (its client then gets `stale=true`). */
export const DIGEST_MAX_NONCES = 4096;

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/**
 * What an Authorization header proves: `pass`, `fail` (no header, wrong login, malformed), or
 * `stale`: the right password over a nonce we no longer accept or a nonce count already used
 * (a replay). Both `fail` and `stale` are answered 401 with a fresh nonce, `stale` with
 * `stale=true` so an honest client retries without asking its user again (RFC 7616 3.3).
 */
export type DigestVerdict = 'pass' | 'fail' | 'stale';

export interface DigestAuthOptions {
  readonly realm?: string;
  /** Monotonic milliseconds (nonce expiry only). */
  readonly now?: () => number;
  readonly maxNonces?: number;
  readonly nonceLifetimeMs?: number;
}

interface NonceState {
  readonly issuedAt: number;
  /** Highest nonce count accepted so far (0 = none); RFC 2069 answers (no qop) mark it used with Infinity. */
  lastCount: number;
}

/**
 * HTTP Digest authentication (RFC 7616, MD5, qop=auth), what monerod's --rpc-login speaks, so
 * wallets and `curl --digest` can log in. As strict as epee's `http_server_auth`: nonces are 128
 * random bits (nothing in them reads a clock), each nonce count is accepted once and must rise
 * (a replayed Authorization header is refused), an RFC 2069 answer without qop is accepted once.
 * Unlike epee, whose one nonce lives with its TCP connection, nonces live in one bounded table, so
 * a client may spread its requests over several connections.
 */
export class DigestAuth {
  readonly realm: string;
  private readonly user: string;
  private readonly ha1: string;
  private readonly now: () => number;
  private readonly maxNonces: number;
  private readonly lifetimeMs: number;
  /** Insertion order is issue order: the first entry is the oldest. */
  private readonly nonces = new Map<string, NonceState>();

  constructor(login: string, options: DigestAuthOptions = {}) {
    const i = login.indexOf(':');
    this.user = login.slice(0, i);
    this.realm = options.realm ?? 'veilnode';
    this.ha1 = digestHa1(this.user, this.realm, login.slice(i + 1));
    this.now = options.now ?? (() => performance.now());
    this.maxNonces = options.maxNonces ?? DIGEST_MAX_NONCES;
    this.lifetimeMs = options.nonceLifetimeMs ?? DIGEST_NONCE_LIFETIME_MS;
  }

  /** Nonces currently remembered (bounded by `maxNonces`). */
  get nonceCount(): number {
    return this.nonces.size;
  }

  /** The WWW-Authenticate header of a 401 answer, with a new nonce. */
  challenge(stale = false): string {
    this.forgetExpired();
    if (this.nonces.size >= this.maxNonces) this.nonces.delete(this.nonces.keys().next().value as string);
    const nonce = randomBytes(16).toString('base64');
    this.nonces.set(nonce, { issuedAt: this.now(), lastCount: 0 });
    return `Digest realm="${this.realm}", qop="auth", algorithm=MD5, nonce="${nonce}"${stale ? ', stale=true' : ''}`;
  }

  /** Checks the Authorization header of a request; a `pass` uses up its nonce count. */
  verify(method: string, uri: string, header: string | undefined): DigestVerdict {
    if (header === undefined || !header.startsWith('Digest ')) return 'fail';
    const p = parseParams(header.slice(7));
    if (p.username !== this.user || p.realm !== this.realm || p.uri !== uri || p.nonce === undefined || p.response === undefined) return 'fail';
    if ((p.algorithm ?? 'MD5').toUpperCase() !== 'MD5') return 'fail';
    let count = Infinity;
    if (p.qop !== undefined) {
      if (p.qop !== 'auth' || p.nc === undefined || !/^[0-9a-fA-F]{8}$/.test(p.nc)) return 'fail';
      count = parseInt(p.nc, 16);
    }
    // epee's client before 2026 (every monero wallet 0.18.x) sends qop=auth and nc without a
    // cnonce and hashes it as empty; epee's server reads a missing cnonce as empty too
    const cnonce = p.qop === undefined ? undefined : (p.cnonce ?? '');
    const expected = digestResponse(this.ha1, { method, uri, nonce: p.nonce, nc: p.nc, cnonce, qop: p.qop });
    if (!safeEqual(p.response, expected)) return 'fail';
    // the password is right: from here on a refusal is about the nonce, never the login
    const state = this.nonces.get(p.nonce);
    if (state === undefined || this.now() - state.issuedAt > this.lifetimeMs) {
      this.nonces.delete(p.nonce);
      return 'stale';
    }
    if (count <= state.lastCount || count === 0) return 'stale';
    state.lastCount = count;
    return 'pass';
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [nonce, state] of this.nonces) {
      if (now - state.issuedAt <= this.lifetimeMs) return;
      this.nonces.delete(nonce);
    }
  }
}

/** The `response` a client must send (RFC 2617 3.2.2.1); `ha1` = MD5(user:realm:password). */
export function digestResponse(ha1: string, r: { method: string; uri: string; nonce: string; nc?: string; cnonce?: string; qop?: string }): string {
  const ha2 = md5(`${r.method}:${r.uri}`);
  return r.qop === undefined ? md5(`${ha1}:${r.nonce}:${ha2}`) : md5(`${ha1}:${r.nonce}:${r.nc}:${r.cnonce}:${r.qop}:${ha2}`);
}

export function digestHa1(user: string, realm: string, password: string): string {
  return md5(`${user}:${realm}:${password}`);
}

export function parseParams(text: string): Record<string, string | undefined> {
  const params: Record<string, string> = {};
  for (const m of text.matchAll(/([a-zA-Z]+)=(?:"([^"]*)"|([^\s,]*))/g)) params[m[1].toLowerCase()] = m[2] ?? m[3];
  return params;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
