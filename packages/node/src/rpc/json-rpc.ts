/** JSON-RPC 2.0 error codes (the spec's reserved range). */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

export type JsonRpcId = string | number | null;

export interface JsonRpcErrorBody {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly error: { readonly code: number; readonly message: string };
}

export interface JsonRpcResultBody {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly result: unknown;
}

export function jsonRpcError(id: JsonRpcId, code: number, message: string): JsonRpcErrorBody {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

export function jsonRpcResult(id: JsonRpcId, result: unknown): JsonRpcResultBody {
  return { jsonrpc: '2.0', id, result };
}

/** A parsed request: method, params and id (undefined id = notification, answered with no body). */
export interface JsonRpcCall {
  readonly method: string;
  readonly params: unknown;
  readonly id: JsonRpcId | undefined;
}

/** The request object's shape, or why it is not a JSON-RPC 2.0 request. */
export function parseJsonRpcCall(value: unknown): JsonRpcCall | string {
  if (Array.isArray(value)) return 'batch requests are not supported';
  if (typeof value !== 'object' || value === null) return 'the request must be a JSON object';
  const request = value as Record<string, unknown>;
  if (request.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if (typeof request.method !== 'string' || request.method.length === 0) return 'method must be a non-empty string';
  const id = request.id;
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') return 'id must be a string, a number or null';
  if (request.params !== undefined && (typeof request.params !== 'object' || request.params === null)) return 'params must be an object or an array';
  return { method: request.method, params: request.params ?? {}, id };
}

/** The id to answer with, as far as it can be read from a request that failed validation. */
export function salvageId(value: unknown): JsonRpcId {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as Record<string, unknown>).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
