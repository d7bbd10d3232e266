import type { Server } from 'node:http';

/** Stops listening and ends every open connection (keep-alive ones too); resolves once closed. */
export async function closeHttpServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
