import { attachMonerodRpc } from '../../../src/rpc/monerod/attach-monerod-rpc';
import type { MonerodRpcSources } from '../../../src/rpc/monerod/sources';
import { RpcMethodRegistry } from '../../../src/rpc/rpc-method-registry';
import { RpcServer, type RpcServerOptions } from '../../../src/rpc/rpc-server';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { fakeSources } from './fake-sources';

export interface RpcUnderTest {
  readonly address: string;
  readonly server: RpcServer;
  readonly logger: RecordingLogger;
  stop(): Promise<void>;
}

/** A real RpcServer on an ephemeral loopback port with the monerod endpoints over `sources`. */
export async function startMonerodRpc(options: Partial<RpcServerOptions> = {}, sources: MonerodRpcSources = fakeSources()): Promise<RpcUnderTest> {
  const logger = new RecordingLogger();
  const methods = new RpcMethodRegistry();
  const server = new RpcServer({ bindIp: '127.0.0.1', bindPort: 0, maxBodyBytes: 1024 * 1024, restricted: false, login: null, zone: 'clearnet', ...options }, methods, logger);
  attachMonerodRpc([server], methods, sources, logger);
  await server.start();
  return { address: server.address as string, server, logger, stop: () => server.stop() };
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

/** One HTTP request; the body parsed as JSON (every answer of ours is JSON). */
export async function http(address: string, path: string, body?: string | object, init: RequestInit = {}): Promise<HttpReply> {
  const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`http://${address}${path}`, { method: 'POST', body: text, ...init });
  const raw = await response.text();
  return { status: response.status, headers: response.headers, json: raw.length === 0 ? {} : (JSON.parse(raw) as Record<string, unknown>) };
}

/** A JSON-RPC call; returns the whole envelope. */
export async function jsonRpc(address: string, method: string, params?: unknown): Promise<Record<string, unknown>> {
  return (await http(address, '/json_rpc', { jsonrpc: '2.0', id: '0', method, ...(params === undefined ? {} : { params }) })).json;
}
