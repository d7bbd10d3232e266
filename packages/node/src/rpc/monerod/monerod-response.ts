/** monerod's status strings (CORE_RPC_STATUS_OK and the failure status). */
export const STATUS_OK = 'OK';
export const STATUS_FAILED = 'Failed';

/** Fields every monerod answer starts with (rpc_response_base). We never answer for another node. */
export function responseBase(): { status: string; untrusted: boolean } {
  return { status: STATUS_OK, untrusted: false };
}

/** The same plus rpc_access_response_base (we run no RPC payment: no credits, no top hash). */
export function accessResponseBase(): { status: string; untrusted: boolean; credits: number; top_hash: string } {
  return { ...responseBase(), credits: 0, top_hash: '' };
}

/** A plain endpoint's answer to a request it cannot serve. */
export function failed(reason: string): { status: string; reason: string; untrusted: boolean } {
  return { status: STATUS_FAILED, reason, untrusted: false };
}
