import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { VeilnodeError } from '@veilnode/plugin-api';

/** Who holds a lock: enough to tell the holder from an unrelated process that got its pid. */
interface LockOwner {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot); null where there is no /proc. */
  readonly start: string | null;
  /** /proc/sys/kernel/random/boot_id: a lock from before a reboot names no live process. */
  readonly boot: string | null;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function startTimeOf(pid: number): string | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  // Field 2 (the command) is in parentheses and may hold spaces or ')': count after the last one.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file's owner; pid-only files come from older builds; anything else is null. */
function parseOwner(text: string): LockOwner | null {
  if (/^\d+\s*$/.test(text)) return { pid: Number(text), start: null, boot: null };
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isInteger(value.pid) || (value.pid ?? 0) <= 0) return null;
    return { pid: value.pid as number, start: typeof value.start === 'string' ? value.start : null, boot: typeof value.boot === 'string' ? value.boot : null };
  } catch {
    return null;
  }
}

/** Whether the process a lock names is still the one that wrote it. */
function stillHeld(owner: LockOwner): boolean {
  const boot = readOrNull('/proc/sys/kernel/random/boot_id');
  if (owner.boot !== null && boot !== null && owner.boot !== boot) return false;
  if (!processAlive(owner.pid)) return false;
  const start = startTimeOf(owner.pid);
  if (start === null) return true; // alive and nothing else to go by
  if (owner.start !== null) return owner.start === start;
  // An older build's pid-only lock: held only if that pid runs node, as a veilnode would.
  const command = readOrNull(`/proc/${owner.pid}/comm`);
  return command === null || command === 'node' || command.startsWith('veilnode');
}

const isCode = (error: unknown, code: string) => (error as NodeJS.ErrnoException).code === code;

/**
 * One node per data directory: `veilnode.lock` names the holder by pid, process start time and
 * boot id, so a lock left by a crash never blocks start-up, even when its pid now belongs to an
 * unrelated process. The file appears whole (written aside, then hard-linked into place), so a
 * reader never takes a half-written lock for a stale one; a stale lock is moved away by rename
 * and removed only if it is still the file judged stale.
 */
export class DataDirLock {
  private content: string | undefined;
  readonly file: string;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, 'veilnode.lock');
  }

  acquire(): void {
    mkdirSync(this.dataDir, { recursive: true });
    const me: LockOwner = { pid: process.pid, start: startTimeOf(process.pid), boot: readOrNull('/proc/sys/kernel/random/boot_id') };
    const content = `${JSON.stringify(me)}\n`;
    // Two processes breaking the same stale lock at once: each try either links or finds a holder.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.tryCreate(content)) {
        this.content = content;
        return;
      }
      let text: string;
      let inode: number;
      try {
        text = readFileSync(this.file, 'utf8');
        inode = statSync(this.file).ino;
      } catch (error) {
        if (isCode(error, 'ENOENT')) continue; // released meanwhile
        throw error;
      }
      const owner = parseOwner(text);
      if (owner !== null && stillHeld(owner)) {
        throw new VeilnodeError('DATA_DIR_LOCKED', `data dir ${this.dataDir} is in use by another veilnode (pid ${owner.pid})`, { dataDir: this.dataDir, pid: owner.pid });
      }
      this.removeStale(inode);
    }
    throw new VeilnodeError('DATA_DIR_LOCKED', `data dir ${this.dataDir} is contended: another process keeps taking ${this.file}`, { dataDir: this.dataDir });
  }

  release(): void {
    const content = this.content;
    if (content === undefined) return;
    this.content = undefined;
    // Remove only our own lock: never one another process took after ours was judged stale.
    if (readOrNull(this.file) === content.trim()) unlinkSync(this.file);
  }

  /** Links a complete lock file into place; false when one exists. */
  private tryCreate(content: string): boolean {
    const temp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, this.file);
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      throw error;
    } finally {
      unlinkSync(temp);
    }
  }

  /** Moves the stale lock away; puts it back if a live one had replaced it in the meantime. */
  private removeStale(inode: number): void {
    const moved = `${this.file}.${process.pid}.stale`;
    try {
      renameSync(this.file, moved);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return; // another process removed it first
      throw error;
    }
    try {
      if (statSync(moved).ino !== inode) linkSync(moved, this.file);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    } finally {
      unlinkSync(moved);
    }
  }
}
