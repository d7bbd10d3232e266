import { request } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * One JSON-RPC 2.0 call over an already open stream (from PluginContext.dial), as an HTTP/1.1
 * POST to `/json_rpc`. HTTP because the server side is the node's own RPC server, with its body
 * limits, timeouts and auth; Tor/I2P services forward to it unchanged. The stream is closed
 * afterwards. Rejects with an Error saying what failed (never the payload).
 */
export function callJsonRpcOverStream(stream: Duplex, method: string, params: unknown, options: { signal: AbortSignal; maxResponseBytes: number }): Promise<unknown> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 0, method, params });
  return new Promise((resolve, reject) => {
    const req = request({
      method: 'POST',
      path: '/json_rpc',
      // A fixed Host: the real one (an onion, an IP) would tell nothing the stream does not, but
      // keeping it constant means no header ever varies with the server.
      headers: { Host: 'veilnode', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' },
      createConnection: () => stream as never,
      signal: options.signal,
    });
    req.once('error', (error) => {
      stream.destroy();
      reject(error);
    });
    req.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) {
          req.destroy(new Error(`answer exceeds ${options.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.once('error', reject);
      response.once('end', () => {
        stream.destroy();
        if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode}`));
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reject(new Error('answer is not JSON'));
        }
        const reply = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { result?: unknown; error?: { code?: unknown; message?: unknown } };
        if (reply.error !== undefined) return reject(new Error(`JSON-RPC error ${String(reply.error.code)}: ${String(reply.error.message)}`));
        if (!('result' in reply)) return reject(new Error('answer has no result'));
        resolve(reply.result);
      });
    });
    req.end(body);
  });
}
