import type { RpcRequestInfo } from '@veilnode/plugin-api';
import type { Endpoint } from '../rpc-server';
import { failed } from './monerod-response';

/** A monerod plain endpoint's logic: the request object in, the answer object out. */
export type PlainHandler = (params: Record<string, unknown>, info: RpcRequestInfo) => Promise<object> | object;

/**
 * Wraps a handler as an HTTP endpoint with monerod's conventions: an empty body (`GET /get_info`,
 * `curl -X POST` with no data) is an empty request; a body that is not a JSON object gets
 * `{"status":"Failed","reason":...}` with HTTP 200, never an exception.
 */
export function plainEndpoint(handler: PlainHandler): Endpoint {
  return async (body, info) => {
    const text = body.toString('utf8').trim();
    let params: unknown = {};
    if (text.length > 0) {
      try {
        params = JSON.parse(text);
      } catch {
        return { status: 200, body: failed('the request body is not valid JSON') };
      }
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return { status: 200, body: failed('the request body must be a JSON object') };
    return { status: 200, body: await handler(params as Record<string, unknown>, info) };
  };
}

/** A boolean request field: absent means `fallback`; anything but a boolean is an error text. */
export function booleanParam(params: Record<string, unknown>, name: string, fallback: boolean): boolean | string {
  const value = params[name];
  if (value === undefined) return fallback;
  return typeof value === 'boolean' ? value : `${name} must be true or false`;
}
