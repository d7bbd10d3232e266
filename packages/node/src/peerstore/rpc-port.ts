/**
 * The RPC port a peer advertises (monerod started with --public-node sends its restricted RPC
 * port in its handshake and in peer-list entries), or 0 for none. Anything that is not a port
 * (1..65535) counts as none: a stored file or a codec may hand us any number, and an entry that
 * lies can only point us at a port that does not answer.
 */
export function advertisedRpcPort(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535 ? value : 0;
}
