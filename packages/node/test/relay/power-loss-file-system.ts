import * as path from 'node:path';
import type { JournalFile, JournalFileStat, JournalFileSystem } from '../../src/relay/journal-file-system';

/** Thrown by every call once the simulated machine has lost power. */
export class PowerLossError extends Error {
  constructor() {
    super('simulated power loss');
  }
}

type DataOp = { readonly kind: 'write'; readonly data: Buffer; readonly position: number } | { readonly kind: 'truncate'; readonly length: number };

class Inode {
  data: Buffer;
  /** Content as of the last fsync, and the changes made since, in order. */
  durable: Buffer;
  pending: DataOp[] = [];
  mode: number;
  mtime: number;

  constructor(mode: number, mtime: number, content: Buffer = Buffer.alloc(0)) {
    this.data = Buffer.from(content);
    this.durable = Buffer.from(content);
    this.mode = mode;
    this.mtime = mtime;
  }
}

function applyData(content: Buffer, op: DataOp): Buffer {
  if (op.kind === 'truncate') return op.length <= content.length ? Buffer.from(content.subarray(0, op.length)) : Buffer.concat([content, Buffer.alloc(op.length - content.length)]);
  const end = op.position + op.data.length;
  const next = end > content.length ? Buffer.concat([content, Buffer.alloc(end - content.length)]) : Buffer.from(content);
  op.data.copy(next, op.position);
  return next;
}

type DirOp = (names: Map<string, Inode>) => void;

/** A random source for `crash`: an integer in [0, n). */
export type PickInt = (n: number) => number;

/** Thrown by every call of a process view after it was killed (the disk itself lives on). */
export class ProcessKilledError extends Error {
  constructor() {
    super('simulated kill -9');
  }
}

/** What a disk holds, shared by every process that uses it. */
class Disk {
  names = new Map<string, Inode>();
  durableNames = new Map<string, Inode>();
  pendingDirOps: DirOp[] = [];
  readonly dirs = new Set<string>();
  clock = 0;
  mutations = 0;
  failAt = Infinity;
  powerLost = false;
}

/**
 * An in-memory file system that keeps, besides what a reader sees now, what would survive a
 * power loss: file content as of its last `sync`, and names as of the last `syncDirectory`.
 * `powerFailAt(n)` kills it at the n-th mutating call (that call and every later one throws);
 * `crash` then builds the disk a reboot finds: the durable state plus, for each file and for
 * the directory, a random prefix of the changes made since (the last one possibly torn), as a
 * journaling file system that writes in order may leave. `killProcessAt(n)` instead kills only
 * this process's view: `restart` gives a new process the same disk, page cache and all.
 */
export class PowerLossFileSystem implements JournalFileSystem {
  private killAt = Infinity;
  private killed = false;

  constructor(private readonly disk: Disk = new Disk()) {}

  /** Mutating calls made so far on this disk. */
  get mutationCount(): number {
    return this.disk.mutations;
  }

  powerFailAt(mutation: number): void {
    this.disk.failAt = mutation;
  }

  killProcessAt(mutation: number): void {
    this.killAt = mutation;
  }

  /** The power is off, or this process was killed. */
  get failed(): boolean {
    return this.disk.powerLost || this.killed;
  }

  get processKilled(): boolean {
    return this.killed && !this.disk.powerLost;
  }

  /** A new process on the same disk; this one is dead from now on. */
  restart(): PowerLossFileSystem {
    this.killed = true;
    return new PowerLossFileSystem(this.disk);
  }

  /** The disk after the power came back. */
  crash(pick: PickInt): PowerLossFileSystem {
    const disk = this.disk;
    const next = new Disk();
    for (const dir of disk.dirs) next.dirs.add(dir);
    const names = new Map(disk.durableNames);
    const keptDirOps = pick(disk.pendingDirOps.length + 1);
    for (const op of disk.pendingDirOps.slice(0, keptDirOps)) op(names);
    const copies = new Map<Inode, Inode>();
    for (const [name, inode] of names) {
      let copy = copies.get(inode);
      if (copy === undefined) {
        let content: Buffer = inode.durable;
        const kept = pick(inode.pending.length + 1);
        inode.pending.slice(0, kept).forEach((op) => (content = applyData(content, op)));
        const torn = inode.pending[kept];
        if (torn?.kind === 'write' && pick(2) === 1) content = applyData(content, { ...torn, data: torn.data.subarray(0, pick(torn.data.length)) });
        copy = new Inode(inode.mode, inode.mtime, content);
        copies.set(inode, copy);
      }
      next.names.set(name, copy);
      next.durableNames.set(name, copy);
    }
    return new PowerLossFileSystem(next);
  }

  /** Whatever a reader sees now (for tests that damage files by hand). */
  contents(file: string): Buffer | undefined {
    return this.disk.names.get(file)?.data;
  }

  private mutate(): void {
    this.alive();
    this.disk.mutations++;
    if (this.disk.mutations >= this.disk.failAt) {
      this.disk.powerLost = true;
      throw new PowerLossError();
    }
    if (this.disk.mutations >= this.killAt) {
      this.killed = true;
      throw new ProcessKilledError();
    }
  }

  private alive(): void {
    if (this.disk.powerLost) throw new PowerLossError();
    if (this.killed) throw new ProcessKilledError();
  }

  private dirOp(op: DirOp): void {
    op(this.disk.names);
    this.disk.pendingDirOps.push(op);
  }

  private enoent(file: string): Error {
    return Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  }

  async mkdir(dir: string): Promise<void> {
    this.alive();
    this.disk.dirs.add(dir);
  }

  async openExisting(file: string): Promise<JournalFile | undefined> {
    this.alive();
    const inode = this.disk.names.get(file);
    return inode === undefined ? undefined : this.handle(inode);
  }

  async create(file: string, mode: number): Promise<JournalFile> {
    this.mutate();
    if (!this.disk.dirs.has(path.dirname(file))) throw this.enoent(file);
    let inode = this.disk.names.get(file);
    if (inode === undefined) {
      const created = new Inode(mode, ++this.disk.clock);
      inode = created;
      this.dirOp((names) => names.set(file, created));
    } else {
      inode.data = Buffer.alloc(0);
      inode.pending.push({ kind: 'truncate', length: 0 });
      inode.mode = mode;
    }
    return this.handle(inode);
  }

  async stat(file: string): Promise<JournalFileStat | undefined> {
    this.alive();
    const inode = this.disk.names.get(file);
    return inode && { size: inode.data.length, mode: inode.mode, mtimeMs: inode.mtime };
  }

  async chmod(file: string, mode: number): Promise<void> {
    this.mutate();
    const inode = this.disk.names.get(file);
    if (inode === undefined) throw this.enoent(file);
    inode.mode = mode;
  }

  async rename(from: string, to: string): Promise<void> {
    this.mutate();
    const inode = this.disk.names.get(from);
    if (inode === undefined) throw this.enoent(from);
    this.dirOp((names) => {
      names.set(to, inode);
      names.delete(from);
    });
  }

  async link(from: string, to: string): Promise<void> {
    this.mutate();
    const inode = this.disk.names.get(from);
    if (inode === undefined) throw this.enoent(from);
    if (this.disk.names.has(to)) throw Object.assign(new Error(`EEXIST: ${to}`), { code: 'EEXIST' });
    this.dirOp((names) => names.set(to, inode));
  }

  async unlink(file: string): Promise<void> {
    this.mutate();
    if (this.disk.names.has(file)) this.dirOp((names) => names.delete(file));
  }

  async syncDirectory(): Promise<void> {
    this.mutate();
    for (const op of this.disk.pendingDirOps) op(this.disk.durableNames);
    this.disk.pendingDirOps = [];
  }

  private handle(inode: Inode): JournalFile {
    let open = true;
    const check = () => {
      if (!open) throw new Error('file handle used after close');
    };
    return {
      read: async (length, position) => {
        this.alive();
        check();
        return Buffer.from(inode.data.subarray(position, position + length));
      },
      write: async (data, position) => {
        this.mutate();
        check();
        const op: DataOp = { kind: 'write', data: Buffer.from(data), position };
        inode.data = applyData(inode.data, op);
        inode.pending.push(op);
        inode.mtime = ++this.disk.clock;
      },
      truncate: async (length) => {
        this.mutate();
        check();
        const op: DataOp = { kind: 'truncate', length };
        inode.data = applyData(inode.data, op);
        inode.pending.push(op);
      },
      sync: async () => {
        this.mutate();
        check();
        inode.durable = Buffer.from(inode.data);
        inode.pending = [];
      },
      close: async () => {
        open = false;
      },
    };
  }
}
