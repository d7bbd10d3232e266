import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * Asks the node's RPC `path` every `intervalMs` and records how long each full answer took
 * (a failed or timed-out request counts as `timeoutMs`).
 */
export class RpcProber {
  readonly latenciesMs: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly path: string,
    private readonly intervalMs = 200,
    private readonly timeoutMs = 10_000,
  ) {}

  start(): void {
    const tick = (): void => {
      void this.probe().then((ms) => {
        this.latenciesMs.push(ms);
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private probe(): Promise<number> {
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request({ host: this.host, port: this.port, path: this.path, method: 'POST', timeout: this.timeoutMs }, (res) => {
        res.on('data', () => undefined).on('end', () => resolve(performance.now() - started)).on('error', () => resolve(this.timeoutMs));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(this.timeoutMs));
      req.end('{}');
    });
  }
}

/** Clients that ask for `path` and never read the answer (the 8 stalled readers). */
export function stalledReaders(host: string, port: number, path: string, count: number): Socket[] {
  return Array.from({ length: count }, () => {
    const socket = connect({ host, port });
    socket.on('error', () => undefined);
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\n\r\n{}`);
    socket.pause();
    return socket;
  });
}
