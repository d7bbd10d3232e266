import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RpcMethodError, type DialOptions, type PeerAddress, type RpcMethodHandler, type TransportConnection } from '@veilnode/plugin-api';
import { splitQueryConfigSchema, type SplitQueryConfig } from '../src/split-query-config';

/** The plugin's settings as the node would validate them: schema defaults under `overrides`. */
export function splitQueryConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> & SplitQueryConfig {
  const defaults = (node: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(node).map(([k, v]) => [k, 'default' in (v as object) ? (v as { default: unknown }).default : defaults(v as Record<string, unknown>)]));
  const merge = (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(base).map(([k, v]) => [k, over[k] === undefined ? v : typeof v === 'object' && v !== null && !Array.isArray(v) ? merge(v as Record<string, unknown>, over[k] as Record<string, unknown>) : over[k]]),
    );
  return merge(defaults(splitQueryConfigSchema), overrides) as Record<string, unknown> & SplitQueryConfig;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (c: Buffer) => (body += c.toString()));
    request.once('end', () => resolve(body));
    request.once('error', reject);
  });
}

/** A loopback HTTP server; resolves with it and its `IP:PORT`. */
export async function listen(handler: (path: string, body: string) => Promise<{ status: number; body: unknown }>): Promise<{ server: Server; address: string }> {
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => handler(request.url ?? '/', body))
      .then(({ status, body }) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      })
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** JSON-RPC 2.0 over `methods`, the way the node's RPC server dispatches plugin methods. */
export function rpcHost(methods: ReadonlyMap<string, { handler: RpcMethodHandler }>): (path: string, body: string) => Promise<{ status: number; body: unknown }> {
  return async (path, body) => {
    const call = JSON.parse(body) as { id: number; method: string; params: unknown };
    const method = methods.get(call.method);
    if (path !== '/json_rpc' || method === undefined) return { status: 200, body: { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'method not found' } } };
    try {
      return { status: 200, body: { jsonrpc: '2.0', id: call.id, result: await method.handler(call.params, { zone: 'clearnet', restricted: false }) } };
    } catch (error) {
      const code = error instanceof RpcMethodError ? error.rpcCode : -32603;
      return { status: 200, body: { jsonrpc: '2.0', id: call.id, error: { code, message: (error as Error).message } } };
    }
  };
}

/** Stands in for the node's clearnet codec in PluginContext.parseAddress: `IP:PORT` (the test servers' loopback addresses). */
export function ipPort(text: string): PeerAddress {
  const i = text.lastIndexOf(':');
  return { zone: 'clearnet', host: text.slice(0, i), port: Number(text.slice(i + 1)) };
}

/** Stands in for the node's clearnet zone in PluginContext.dial: TCP to the address. */
export function tcpDial(address: PeerAddress, options: DialOptions = {}): Promise<TransportConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port, signal: options.signal });
    socket.once('connect', () => resolve({ stream: socket, direction: 'outbound', remote: address }));
    socket.once('error', reject);
  });
}

export interface FakeMonerod {
  readonly url: string;
  /** Every call it got: endpoint and body. */
  readonly calls: { endpoint: string; body: Record<string, unknown> }[];
  close(): void;
}

/** Answers /get_transactions, /is_key_image_spent, /get_transaction_pool_hashes like monerod, from fixed data. */
export async function fakeMonerod(data: { txs: Record<string, string>; spent: Record<string, number>; pool: string[] }): Promise<FakeMonerod> {
  const calls: { endpoint: string; body: Record<string, unknown> }[] = [];
  const { server, address } = await listen(async (path, text) => {
    const body = JSON.parse(text) as Record<string, unknown>;
    const endpoint = path.slice(1);
    calls.push({ endpoint, body });
    return { status: 200, body: fakeAnswer(endpoint, body, data) };
  });
  return { url: `http://${address}`, calls, close: () => server.close() };
}

export function fakeAnswer(endpoint: string, body: Record<string, unknown>, data: { txs: Record<string, string>; spent: Record<string, number>; pool: string[] }): Record<string, unknown> {
  switch (endpoint) {
    case 'get_transactions': {
      const ids = body.txs_hashes as string[];
      return {
        status: 'OK',
        txs: ids.filter((id) => data.txs[id] !== undefined).map((id) => ({ tx_hash: id, as_hex: data.txs[id], in_pool: false, block_height: 7 })),
        missed_tx: ids.filter((id) => data.txs[id] === undefined),
      };
    }
    case 'is_key_image_spent':
      return { status: 'OK', spent_status: (body.key_images as string[]).map((k) => data.spent[k] ?? 0) };
    case 'get_transaction_pool_hashes':
      return { status: 'OK', tx_hashes: data.pool };
    default:
      return { status: 'Failed' };
  }
}
