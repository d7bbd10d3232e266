import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { RpcRequestInfo } from '@veilnode/plugin-api';
import type { JsonRpcId } from './json-rpc';
import type { EndpointReply } from './rpc-server';

/**
 * What answers the requests no endpoint or JSON-RPC method of the node serves: the upstream
 * daemon (`--bootstrap-daemon-address`), or, without one, a clear error for the chain methods.
 * It runs after the listener's login check.
 */
export interface RpcForwarder {
  /**
   * Whether forwardPath takes the body of a request to `path` as a stream (piped to the upstream
   * as it arrives) rather than read whole: only when nothing needs to look at it or resend it.
   */
  streamsBody(path: string, info: RpcRequestInfo): boolean;
  /** `body` is read whole, or the request body still arriving (bounded) when streamsBody said so. */
  forwardPath(request: IncomingMessage, body: Buffer | Readable, info: RpcRequestInfo): Promise<EndpointReply>;
  /** `body` is the JSON-RPC request exactly as received. */
  forwardJsonRpc(method: string, id: JsonRpcId, body: Buffer, info: RpcRequestInfo): Promise<EndpointReply>;
}
