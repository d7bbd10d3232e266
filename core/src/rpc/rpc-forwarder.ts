import type { IncomingMessage } from 'node:http';
import type { RpcRequestInfo } from '../api/plugin';
import type { JsonRpcId } from './json-rpc';
import type { EndpointReply } from './rpc-server';

/**
 * What answers the requests no endpoint or JSON-RPC method of the node serves: the upstream
 * daemon (`--bootstrap-daemon-address`), or, without one, a clear error for the chain methods.
 * It runs after the listener's login check and reads the request body the server already read.
 */
export interface RpcForwarder {
  forwardPath(request: IncomingMessage, body: Buffer, info: RpcRequestInfo): Promise<EndpointReply>;
  /** `body` is the JSON-RPC request exactly as received. */
  forwardJsonRpc(method: string, id: JsonRpcId, body: Buffer, info: RpcRequestInfo): Promise<EndpointReply>;
}
