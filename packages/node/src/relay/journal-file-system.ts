import { promises as fs } from 'node:fs';

/** An open journal file: positional writes, explicit durability. */
export interface JournalFile {
  /** Reads up to `length` bytes from `position`; shorter at the end of the file. */
  read(length: number, position: number): Promise<Buffer>;
  write(data: Uint8Array, position: number): Promise<void>;
  truncate(length: number): Promise<void>;
  /** Makes every write and truncate before it durable (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalFileStat {
  readonly size: number;
  /** Permission bits. */
  readonly mode: number;
  readonly mtimeMs: number;
}

/**
 * The file-system calls the local-tx journal makes, so a test can stand in one that loses
 * whatever was not made durable (`sync` of a file; `syncDirectory` for a create, rename, link or
 * unlink in it). Production uses `NODE_JOURNAL_FS` (node:fs/promises).
 */
export interface JournalFileSystem {
  mkdir(dir: string): Promise<void>;
  /** Opens an existing file for reading and writing; undefined when there is none. */
  openExisting(file: string): Promise<JournalFile | undefined>;
  /** Creates the file, or empties an existing one, with exactly `mode`. */
  create(file: string, mode: number): Promise<JournalFile>;
  stat(file: string): Promise<JournalFileStat | undefined>;
  chmod(file: string, mode: number): Promise<void>;
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): Promise<void>;
  /** A second name for a file; fails with code EEXIST when `to` exists. */
  link(from: string, to: string): Promise<void>;
  /** Removes a name; a missing one is not an error. */
  unlink(file: string): Promise<void>;
  /** Makes the directory's entries (creates, renames, links, unlinks) durable. */
  syncDirectory(dir: string): Promise<void>;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

class NodeJournalFile implements JournalFile {
  constructor(private readonly handle: fs.FileHandle) {}

  async read(length: number, position: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  }

  async write(data: Uint8Array, position: number): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.handle.write(data, written, data.length - written, position + written);
      written += bytesWritten;
    }
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export const NODE_JOURNAL_FS: JournalFileSystem = {
  async mkdir(dir) {
    await fs.mkdir(dir, { recursive: true });
  },
  async openExisting(file) {
    try {
      return new NodeJournalFile(await fs.open(file, 'r+'));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  async create(file, mode) {
    const handle = await fs.open(file, 'w', mode);
    // `mode` applies only to a new file: an existing one keeps its bits unless told.
    await handle.chmod(mode).catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    return new NodeJournalFile(handle);
  },
  async stat(file) {
    try {
      const stat = await fs.stat(file);
      return { size: stat.size, mode: stat.mode & 0o777, mtimeMs: stat.mtimeMs };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  chmod: (file, mode) => fs.chmod(file, mode),
  rename: (from, to) => fs.rename(from, to),
  link: (from, to) => fs.link(from, to),
  async unlink(file) {
    await fs.unlink(file).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  },
  async syncDirectory(dir) {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
