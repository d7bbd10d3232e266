import type { AddressInfo, Server } from 'node:net';

/** A listening server's bound `IP:PORT` (`[IPV6]:PORT`), or undefined when it is not listening. */
export function serverAddress(server: Pick<Server, 'address'> | undefined): string | undefined {
  const info = server?.address() as AddressInfo | null | undefined;
  if (!info) return undefined;
  return info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
}
