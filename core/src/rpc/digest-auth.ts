import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a server nonce stays valid. */
const NONCE_LIFETIME_MS = 5 * 60_000;

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/**
 * HTTP Digest authentication (RFC 7616, MD5, qop=auth), what monerod's --rpc-login speaks, so
 * wallets and `curl --digest` can log in. Nonces are stateless: a timestamp signed with a
 * per-process key, valid for five minutes.
 */
export class DigestAuth {
  private readonly key = randomBytes(32);
  private readonly user: string;
  private readonly ha1: string;

  constructor(
    login: string,
    readonly realm = 'veilnode',
    private readonly now: () => number = Date.now,
  ) {
    const i = login.indexOf(':');
    this.user = login.slice(0, i);
    this.ha1 = digestHa1(this.user, realm, login.slice(i + 1));
  }

  /** The WWW-Authenticate header of a 401 answer. */
  challenge(): string {
    const stamp = this.now().toString(36);
    const nonce = `${stamp}.${this.sign(stamp)}`;
    return `Digest realm="${this.realm}", qop="auth", algorithm=MD5, nonce="${nonce}"`;
  }

  /** True when the Authorization header proves the login for this request. */
  verify(method: string, uri: string, header: string | undefined): boolean {
    if (header === undefined || !header.startsWith('Digest ')) return false;
    const p = parseParams(header.slice(7));
    if (p.username !== this.user || p.realm !== this.realm || p.uri !== uri || !this.nonceValid(p.nonce)) return false;
    if ((p.algorithm ?? 'MD5').toUpperCase() !== 'MD5') return false;
    if (p.qop !== undefined && (p.qop !== 'auth' || p.nc === undefined || p.cnonce === undefined)) return false;
    const expected = digestResponse(this.ha1, { method, uri, nonce: p.nonce as string, nc: p.nc, cnonce: p.cnonce, qop: p.qop });
    return p.response !== undefined && safeEqual(p.response, expected);
  }

  private sign(stamp: string): string {
    return createHmac('sha256', this.key).update(stamp).digest('base64url');
  }

  private nonceValid(nonce: string | undefined): boolean {
    if (nonce === undefined) return false;
    const [stamp, mac] = nonce.split('.');
    if (stamp === undefined || mac === undefined || !safeEqual(mac, this.sign(stamp))) return false;
    const issued = parseInt(stamp, 36);
    return Number.isFinite(issued) && this.now() - issued <= NONCE_LIFETIME_MS && issued <= this.now();
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
