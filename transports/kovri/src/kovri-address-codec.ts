import { InvalidAddressError, parsePort, type AddressCodec, type PeerAddress, type WireAddress } from '@veilnode/plugin-api';

export const ZONE_KOVRI = 'kovri';

/** One DNS-style label: lowercase letters, digits, inner hyphens, 1..63 characters. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SUFFIX = '.kovri';

/**
 * `<name>.kovri:<port>`, a placeholder form. monerod never gave Kovri a zone or a peer-list
 * type, so these addresses have no wire form: toWire/fromWire always reject.
 */
export class KovriAddressCodec implements AddressCodec {
  readonly zone = ZONE_KOVRI;
  readonly wireTypes: readonly number[] = [];

  claims(text: string): boolean {
    const colon = text.lastIndexOf(':');
    return colon > 0 && text.slice(0, colon).endsWith(SUFFIX);
  }

  parse(text: string): PeerAddress {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new InvalidAddressError(text, 'missing port (write NAME.kovri:PORT)');
    const host = text.slice(0, colon);
    if (!host.endsWith(SUFFIX) || !LABEL.test(host.slice(0, -SUFFIX.length))) {
      throw new InvalidAddressError(text, 'a Kovri address is one lowercase label followed by .kovri');
    }
    return { zone: this.zone, host, port: parsePort(text, text.slice(colon + 1)) };
  }

  format(address: PeerAddress): string {
    const text = `${address.host}:${address.port}`;
    if (address.zone !== this.zone) throw new InvalidAddressError(text, `belongs to zone ${address.zone}, not ${this.zone}`);
    this.parse(text); // the same host and port rules as text input
    return text;
  }

  toWire(address: PeerAddress): WireAddress {
    throw new InvalidAddressError(this.format(address), 'Kovri addresses have no Monero peer-list form');
  }

  fromWire(wire: WireAddress): PeerAddress {
    throw new InvalidAddressError(JSON.stringify(wire), 'Kovri addresses have no Monero peer-list form');
  }
}
