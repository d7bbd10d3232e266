import type { Socket } from 'node:net';
import { ProtocolError } from '@veilnode/plugin-api';

/** A destination is at most ~1 KiB of base64; anything longer is not a SAM destination line. */
const MAX_LINE = 4096;

/**
 * Reads the line SAM writes first on every forwarded stream (`<peer destination>[ FROM_PORT=..
 * TO_PORT=..]\n`) and returns its first token. Bytes after the line are pushed back into the
 * socket, so the caller reads exactly the peer's stream. The socket is left paused.
 */
export function readDestinationLine(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const finish = (error?: Error, destination?: string) => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (error) reject(error);
      else resolve(destination as string);
    };
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        buffered = Buffer.concat([buffered, chunk]);
        const nl = buffered.indexOf(0x0a);
        if (nl >= 0) {
          const rest = buffered.subarray(nl + 1);
          if (rest.length > 0) socket.unshift(rest);
          const token = buffered.subarray(0, nl).toString('latin1').trim().split(/\s+/)[0];
          finish(undefined, token);
          return;
        }
        if (buffered.length > MAX_LINE) {
          finish(new ProtocolError('SAM_DESTINATION_LINE', `forwarded stream did not start with a destination line (no newline in ${MAX_LINE} bytes)`));
          return;
        }
      }
    };
    const onEnd = () => finish(new ProtocolError('SAM_DESTINATION_LINE', 'forwarded stream ended before the destination line'));
    const onError = (error: Error) => finish(error);
    const timer = setTimeout(() => finish(new ProtocolError('SAM_DESTINATION_LINE', `no destination line within ${timeoutMs} ms`)), timeoutMs);
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}
