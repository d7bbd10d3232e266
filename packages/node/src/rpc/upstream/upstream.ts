import type { IncomingMessage } from 'node:http';
import type { StreamBody } from './upstream-daemon';

/**
 * The upstream daemon as the forwarder, get_info and the tx watch use it: one fixed monerod
 * (`UpstreamDaemon`, --bootstrap-daemon-address URL) or whichever public node `auto` uses now
 * (`AutoUpstream`). Every call fails with an UpstreamError when the upstream does not answer.
 */
export interface Upstream {
  /** Its address, get_info's `bootstrap_daemon_address`; empty while `auto` has none. */
  readonly label: string;
  /** Whether a request may be answered 401 and resent with the login, so its body must be kept. */
  readonly resendsBody: boolean;
  /** One request; resolves with the answer, its body still to be read. */
  request(method: string, path: string, contentType: string | undefined, body: Buffer | StreamBody): Promise<IncomingMessage>;
  /** A JSON request of veilnode's own; the answer parsed (bounded). */
  json(path: string, body: unknown): Promise<unknown>;
  /** A JSON-RPC call of veilnode's own: its `result`. */
  jsonRpc(method: string, params?: unknown): Promise<Record<string, unknown>>;
  /** Starts what runs in the background (`auto`: looking for a public node). */
  start(): void;
  /** Stops it and closes the connections. */
  close(): void;
}
