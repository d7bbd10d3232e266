import { ProtocolError, WIRE_TYPE_I2P, WIRE_TYPE_IPV4, WIRE_TYPE_IPV6, WIRE_TYPE_TOR, type WireAddress } from '@veilnode/plugin-api';
import {
  anySection,
  EpeeError,
  EpeeTag,
  epeeObject,
  field,
  fixedBlob,
  text,
  uint16,
  uint32,
  uint8,
  type EpeeCodec,
  type EpeeEntry,
  type EpeeSection,
} from '../epee';

/**
 * One peer-list address could not be understood (unknown type, missing or ill-typed fields).
 * Only that entry is affected; the message around it decoded fine.
 */
export class WireAddressError extends ProtocolError {
  constructor(reason: string, context: Record<string, unknown> = {}) {
    super('WIRE_ADDRESS_INVALID', `network address: ${reason}`, { reason, ...context });
  }
}

// Writers: one envelope {addr, type} per address type, with monerod's exact tags.
const ipv4Envelope = epeeObject<{ type: number; addr: { m_ip: number; m_port: number } }>({
  type: field(uint8),
  addr: field(epeeObject<{ m_ip: number; m_port: number }>({ m_ip: field(uint32), m_port: field(uint16) })),
});
const ipv6Envelope = epeeObject<{ type: number; addr: { addr: Buffer; m_port: number } }>({
  type: field(uint8),
  addr: field(epeeObject<{ addr: Buffer; m_port: number }>({ addr: field(fixedBlob(16)), m_port: field(uint16) })),
});
const hostEnvelope = epeeObject<{ type: number; addr: { host: string; port: number } }>({
  type: field(uint8),
  addr: field(epeeObject<{ host: string; port: number }>({ host: field(text), port: field(uint16) })),
});
// Reader: the addr object precedes type on the wire (sorted keys), so it is read schema-less first.
const anyEnvelope = epeeObject<{ type: number; addr: EpeeSection }>({ type: field(uint8), addr: field(anySection) });

/** The envelope codec and value that write `a`. */
function envelopeOf(a: WireAddress): { codec: EpeeCodec<unknown>; value: unknown } {
  switch (a.type) {
    case WIRE_TYPE_IPV4:
      return { codec: ipv4Envelope as EpeeCodec<unknown>, value: { type: a.type, addr: { m_ip: a.ip, m_port: a.port } } };
    case WIRE_TYPE_IPV6:
      return { codec: ipv6Envelope as EpeeCodec<unknown>, value: { type: a.type, addr: { addr: a.addr, m_port: a.port } } };
    case WIRE_TYPE_I2P:
    case WIRE_TYPE_TOR:
      return { codec: hostEnvelope as EpeeCodec<unknown>, value: { type: a.type, addr: { host: a.host, port: a.port } } };
    default:
      throw new EpeeError('EPEE_ENCODE', `unknown network address type ${String((a as { type: unknown }).type)}`);
  }
}

function integer(addr: EpeeSection, key: string, max: number): number {
  const e = addr.get(key);
  if (e === undefined) return 0; // monerod leaves absent fields zero
  const v = e.value;
  if ((typeof v !== 'number' && typeof v !== 'bigint') || e.tag === EpeeTag.Double) {
    throw new WireAddressError(`${key} must be an integer`, { key, tag: e.tag });
  }
  const n = Number(v);
  if (n < 0 || n > max) throw new WireAddressError(`${key} ${n} out of range`, { key });
  return n;
}

function bytes(addr: EpeeSection, key: string): Buffer | undefined {
  const e: EpeeEntry | undefined = addr.get(key);
  if (e === undefined) return undefined;
  if (e.tag !== EpeeTag.String) throw new WireAddressError(`${key} must be a string`, { key, tag: e.tag });
  return e.value as Buffer;
}

/** Interprets a decoded `{type, addr}` pair; throws WireAddressError. */
function toWireAddress(type: number, addr: EpeeSection): WireAddress {
  switch (type) {
    case WIRE_TYPE_IPV4:
      return { type: WIRE_TYPE_IPV4, ip: integer(addr, 'm_ip', 0xffffffff), port: integer(addr, 'm_port', 0xffff) };
    case WIRE_TYPE_IPV6: {
      const raw = bytes(addr, 'addr') ?? Buffer.alloc(16);
      if (raw.length !== 16) throw new WireAddressError(`IPv6 addr must be 16 bytes, got ${raw.length}`);
      return { type: WIRE_TYPE_IPV6, addr: raw, port: integer(addr, 'm_port', 0xffff) };
    }
    case WIRE_TYPE_I2P:
    case WIRE_TYPE_TOR:
      return { type, host: (bytes(addr, 'host') ?? Buffer.alloc(0)).toString('latin1'), port: integer(addr, 'port', 0xffff) };
    default:
      throw new WireAddressError(`unknown address type ${type}`, { type });
  }
}

const MISSING = new WireAddressError('address is missing');

/**
 * epee `network_address` ↔ WireAddress. Structural errors (bad bytes, limits) throw EpeeError
 * and fail the message; a well-formed but unusable address decodes to a WireAddressError value.
 */
export const networkAddress: EpeeCodec<WireAddress | WireAddressError> = {
  tag: EpeeTag.Object,
  zero: () => MISSING,
  isEmpty: () => false,
  equals: (a, b) => a === b,
  read(r, tag, nest) {
    const { type, addr } = anyEnvelope.read(r, tag, nest);
    try {
      return toWireAddress(type, addr);
    } catch (e) {
      if (e instanceof WireAddressError) return e;
      throw e;
    }
  },
  size(a) {
    if (a instanceof WireAddressError) throw new EpeeError('EPEE_ENCODE', 'cannot encode an invalid network address', { reason: a.message });
    const { codec, value } = envelopeOf(a);
    return codec.size(value);
  },
  write(w, a) {
    const { codec, value } = envelopeOf(a as WireAddress);
    codec.write(w, value);
  },
};
