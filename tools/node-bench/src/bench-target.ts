/** A node under load: started fresh for each peer count, reachable on loopback. */
export interface BenchTarget {
  /** Column title in the report. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** PID of the node process (for /proc readings); valid between start() and stop(). */
  readonly pid: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Polls until a TCP listener accepts on host:port. */
export async function waitForListener(host: string, port: number, timeoutMs: number, isAlive: () => boolean): Promise<boolean> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
