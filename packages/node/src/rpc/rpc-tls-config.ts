import { readFileSync } from 'node:fs';
import { ConfigError } from '@veilnode/plugin-api';
import type { RpcSslConfig } from '../config/core-schema';
import type { RpcTlsOptions } from './tls-listener';

/**
 * The RPC listener's TLS from `rpc.ssl`, or undefined for plain HTTP. monerod generates a
 * self-signed certificate when none is given; veilnode does not (node:crypto makes no X.509),
 * so `enabled` needs both files and `autodetect` without them serves plain HTTP only.
 */
export function loadRpcTls(ssl: RpcSslConfig): RpcTlsOptions | undefined {
  if (ssl.mode === 'disabled') return undefined;
  if ((ssl.certificate === null) !== (ssl.privateKey === null)) {
    throw new ConfigError('rpc.ssl: give both --rpc-ssl-certificate and --rpc-ssl-private-key, or neither', { path: 'rpc.ssl' });
  }
  if (ssl.certificate === null || ssl.privateKey === null) {
    if (ssl.mode === 'enabled') throw new ConfigError('rpc.ssl.mode enabled needs --rpc-ssl-certificate and --rpc-ssl-private-key (veilnode makes no self-signed certificate)', { path: 'rpc.ssl.mode' });
    return undefined;
  }
  return { mode: ssl.mode, certificate: readPem(ssl.certificate, 'rpc.ssl.certificate'), privateKey: readPem(ssl.privateKey, 'rpc.ssl.privateKey') };
}

function readPem(file: string, path: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { path });
  }
}
