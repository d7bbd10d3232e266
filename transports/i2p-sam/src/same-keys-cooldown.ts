import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@veilnode/plugin-api';

/** Beside the key file: when a session on the persistent keys last closed, or that one is up. */
export const SESSION_STATE_FILE = 'i2p_session_state.json';

/**
 * Wait between closing a session on our persistent keys and creating the next one. i2pd
 * deletes a closed session's destination 5 s after the close even when a new session on the
 * same keys got it back meanwhile (PurpleI2P/i2pd#2558; every release up to 2.61): the new
 * session then silently loses its destination, and streams on it can crash the router (our
 * i2pd 2.45.1 test routers segfaulted in GetRoutingSession of a deleted destination). RetroShare
 * waits 10 s for the same reason.
 */
export const SAME_KEYS_COOLDOWN_MS = 10_000;

type SavedState = { readonly state: 'up' } | { readonly state: 'closed'; readonly at: number };

/**
 * Remembers, across restarts of the node, when a session on the persistent keys last closed.
 * A state file still saying `up` means the last process died with its session open at an
 * unknown time: the full cooldown applies.
 */
export class SameKeysCooldown {
  private closedAt?: number;
  /** Writes land in call order: a stop racing a session coming up must leave `closed` on disk. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly cooldownMs = SAME_KEYS_COOLDOWN_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private get file(): string {
    return join(this.dataDir, SESSION_STATE_FILE);
  }

  /** Reads what the previous process left; a missing or unreadable file means no session to wait for. */
  async load(): Promise<void> {
    let saved: SavedState | undefined;
    try {
      saved = JSON.parse(await readFile(this.file, 'utf8')) as SavedState;
    } catch {
      return;
    }
    if (saved.state === 'up') this.closedAt = this.now();
    else if (saved.state === 'closed' && Number.isFinite(saved.at)) this.closedAt = Math.min(saved.at, this.now());
  }

  /** How long to wait before a SESSION CREATE on our keys. */
  remainingMs(): number {
    return this.closedAt === undefined ? 0 : Math.max(0, this.closedAt + this.cooldownMs - this.now());
  }

  async sessionUp(): Promise<void> {
    await this.save({ state: 'up' });
  }

  async sessionClosed(): Promise<void> {
    this.closedAt = this.now();
    await this.save({ state: 'closed', at: this.closedAt });
  }

  private save(state: SavedState): Promise<void> {
    // the key file lives in the same dir; should this write fail anyway, it costs one skipped cooldown, not the session
    this.writing = this.writing.then(() => writeFileAtomic(this.file, JSON.stringify(state)).catch(() => undefined));
    return this.writing;
  }
}
