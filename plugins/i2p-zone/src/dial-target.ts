import { DialError, DialErrorCode, InvalidAddressError, ZONE_I2P, type PeerAddress } from '@veilnode/plugin-api';
import { i2pZone } from './zone';

/**
 * The checks both I2P transports make before dialing: the address must belong to the I2P zone
 * (DialError ZONE_MISMATCH, the foreign host is not echoed: it may be a clearnet IP) and be a
 * valid b32 address (DialError ADDRESS_INVALID). Returns it in canonical form.
 */
export function i2pDialTarget(address: PeerAddress, transport: string): PeerAddress {
  if (address.zone !== ZONE_I2P) {
    throw new DialError(DialErrorCode.ZoneMismatch, `the ${transport} transport cannot dial an address of zone ${address.zone}`, { zone: address.zone });
  }
  try {
    const parsed = i2pZone.codec.parse(address.host);
    return { ...parsed, port: address.port === 0 ? parsed.port : address.port };
  } catch (error) {
    const reason = error instanceof InvalidAddressError ? String(error.context.reason) : String(error);
    throw new DialError(DialErrorCode.AddressInvalid, `${transport} cannot dial ${address.host}: ${reason}`, { zone: address.zone, reason });
  }
}
