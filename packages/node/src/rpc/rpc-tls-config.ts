import { readFileSync } from 'node:fs';
import { ConfigError } from '@veilnode/plugin-api';
import type { RpcSslConfig } from '../config/core-schema';
import type { RpcTlsOptions } from './tls-listener';

/**
 * The RPC listener's TLS from `rpc.ssl`, or undefined for plain HTTP. Without certificate files
 * the listener makes a self-signed certificate at start, as monerod does.
 */
export function loadRpcTls(ssl: RpcSslConfig): RpcTlsOptions | undefined {
  if (ssl.mode === 'disabled') return undefined;
  if ((ssl.certificate === null) !== (ssl.privateKey === null)) {
    throw new ConfigError('rpc.ssl: give both --rpc-ssl-certificate and --rpc-ssl-private-key, or neither', { path: 'rpc.ssl' });
  }
  if (ssl.certificate === null || ssl.privateKey === null) return { mode: ssl.mode };
  return { mode: ssl.mode, pem: { certificate: readPem(ssl.certificate, 'rpc.ssl.certificate'), privateKey: readPem(ssl.privateKey, 'rpc.ssl.privateKey') } };
}

function readPem(file: string, path: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { path });
  }
}
