import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VeilnodeError } from '../api/errors';

/** Lock files held by nodes of this process (a pid match alone may be a stale lock of a recycled pid). */
const heldHere = new Set<string>();

/**
 * One node per data directory: a lock file holding the owner's pid. A lock whose process is
 * gone (crash, kill -9) is taken over; a live one is an error naming the pid.
 */
export class DataDirLock {
  private held = false;
  readonly file: string;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, 'veilnode.lock');
  }

  acquire(): void {
    mkdirSync(this.dataDir, { recursive: true });
    try {
      writeFileSync(this.file, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(this.file, 'utf8').trim());
      const live = owner === process.pid ? heldHere.has(this.file) : Number.isInteger(owner) && owner > 0 && processAlive(owner);
      if (live) {
        throw new VeilnodeError('DATA_DIR_LOCKED', `data dir ${this.dataDir} is in use by another veilnode (pid ${owner})`, { dataDir: this.dataDir, pid: owner });
      }
      writeFileSync(this.file, `${process.pid}\n`);
    }
    this.held = true;
    heldHere.add(this.file);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(this.file);
    rmSync(this.file, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
