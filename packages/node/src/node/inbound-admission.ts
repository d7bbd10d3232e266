import type { PeerAddress } from '@veilnode/plugin-api';
import { connectionLimitHost } from '../net/connection-limit-host';

/** Why an inbound connection was turned away (the words of the refusal summary log line). */
export type InboundRefusal = 'zoneFull' | 'perIpLimit';

export interface InboundAdmissionLimits {
  /** Inbound connections the zone holds at most. */
  readonly maxInbound: number;
  /** Inbound connections from one IP (IPv6: one /64) at most; undefined = no per-IP limit. */
  readonly maxPerIp?: number;
}

/** A connection let in; `release` when it closes (idempotent). */
export interface InboundSlot {
  release(): void;
}

/**
 * Decides whether a zone takes one more inbound connection, as monerod's `is_host_limit` does:
 * refused when the zone is full, or (where a per-IP limit is set) when the remote IP already
 * holds its share. Held memory is one counter per distinct IP with a connection open, so at most
 * `maxInbound` counters.
 */
export class InboundAdmission {
  private open = 0;
  private readonly perHost = new Map<string, number>();

  constructor(private readonly limits: InboundAdmissionLimits) {}

  /** Connections currently let in. */
  get count(): number {
    return this.open;
  }

  /** A slot, or why there is none. A remote the transport could not name counts only against the zone. */
  admit(remote: PeerAddress | undefined): InboundSlot | InboundRefusal {
    if (this.open >= this.limits.maxInbound) return 'zoneFull';
    const max = this.limits.maxPerIp;
    const host = max === undefined || remote === undefined ? undefined : connectionLimitHost(remote.host);
    const held = host === undefined ? 0 : (this.perHost.get(host) ?? 0);
    if (max !== undefined && held >= max) return 'perIpLimit';
    this.open++;
    if (host !== undefined) this.perHost.set(host, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.open--;
        if (host === undefined) return;
        const left = (this.perHost.get(host) ?? 1) - 1;
        if (left === 0) this.perHost.delete(host);
        else this.perHost.set(host, left);
      },
    };
  }
}
