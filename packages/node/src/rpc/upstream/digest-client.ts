import { randomBytes } from 'node:crypto';
import { digestHa1, digestResponse, parseParams } from '../digest-auth';

/**
 * The client side of HTTP Digest auth (RFC 7616, MD5), for an upstream monerod started with
 * --rpc-login. The last challenge is kept, so later requests authenticate at once (nc counts up)
 * instead of paying a 401 round trip each.
 */
export class DigestClient {
  private challenge: { realm: string; nonce: string; qop?: string; opaque?: string } | undefined;
  private nc = 0;

  constructor(
    private readonly user: string,
    private readonly password: string,
  ) {}

  /** Learns the challenge of a 401's WWW-Authenticate header; false when it is not a Digest MD5 challenge. */
  accept(header: string | undefined): boolean {
    if (header === undefined || !/^Digest\s/i.test(header)) return false;
    const p = parseParams(header.slice(7));
    if (p.realm === undefined || p.nonce === undefined || (p.algorithm ?? 'MD5').toUpperCase() !== 'MD5') return false;
    const qop = p.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
    this.challenge = { realm: p.realm, nonce: p.nonce, qop, opaque: p.opaque };
    this.nc = 0;
    return true;
  }

  /** The Authorization header for a request, once a challenge was accepted. */
  authorization(method: string, uri: string): string | undefined {
    const c = this.challenge;
    if (c === undefined) return undefined;
    const nc = (++this.nc).toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const response = digestResponse(digestHa1(this.user, c.realm, this.password), { method, uri, nonce: c.nonce, nc, cnonce, qop: c.qop });
    const fields = [`username="${this.user}"`, `realm="${c.realm}"`, `nonce="${c.nonce}"`, `uri="${uri}"`, 'algorithm=MD5', `response="${response}"`];
    if (c.qop !== undefined) fields.push(`qop=${c.qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
    if (c.opaque !== undefined) fields.push(`opaque="${c.opaque}"`);
    return `Digest ${fields.join(', ')}`;
  }
}
