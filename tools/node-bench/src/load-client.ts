import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BenchError } from './bench-error';
import type { LoadCommand, LoadResult } from './load-protocol';

type ResultOf<Op extends LoadCommand['op']> = Extract<LoadResult, { op: Op }>;

/** The driver's handle on the load-generator child process: one command at a time over IPC. */
export class LoadClient {
  private readonly child: ChildProcess;
  private exited = false;

  constructor() {
    this.child = fork(join(__dirname, 'load-generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.once('exit', () => (this.exited = true));
  }

  request<C extends LoadCommand>(command: C): Promise<ResultOf<C['op']>> {
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new BenchError('BENCH_LOAD_GENERATOR', 'the load generator exited'));
      const onExit = (code: number | null): void => reject(new BenchError('BENCH_LOAD_GENERATOR', `the load generator exited (${code}) during ${command.op}`));
      this.child.once('exit', onExit);
      this.child.once('message', (result: LoadResult) => {
        this.child.off('exit', onExit);
        if (result.op === 'error') return reject(new BenchError('BENCH_LOAD_GENERATOR', `load generator ${command.op}: ${result.message}`));
        resolve(result as ResultOf<C['op']>);
      });
      this.child.send(command);
    });
  }

  /** Ends the child (it exits when the IPC channel closes). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }
}
