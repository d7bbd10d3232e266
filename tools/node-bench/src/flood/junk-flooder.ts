import { ChainState } from '@veilnode/node/peer';
import { minimalJunkTx, WellFormedJunkTx } from '@veilnode/protocol/testing';
import { LoadPeer } from '../load-peer';

/** `small`: the 5-byte txs of the attack (v1, no inputs, no outputs); `well-formed`: txs that pass every relay rule. */
export type JunkKind = 'small' | 'well-formed';

export interface FloodStats {
  /** Txs and blob bytes written to the node. */
  txs: number;
  bytes: number;
  /** Connections opened (a closed one is replaced at once). */
  connections: number;
}

/** The flooder claims the genesis block, as a fresh node does. */
const SYNC = new ChainState('regtest').current();

/** NOTIFY_NEW_TRANSACTIONS of about 64 kB each: what a peer sending at line rate writes. */
const BATCH_BYTES = 64 * 1024;

/**
 * One peer flooding a node with junk txs at line rate: writes batch after batch whenever its
 * socket drains, and when the node closes it, connects again at once (what an attacker does).
 */
export class JunkFlooder {
  readonly stats: FloodStats = { txs: 0, bytes: 0, connections: 0 };
  private running = false;
  private peer: LoadPeer | undefined;
  private readonly junk = new WellFormedJunkTx();
  private stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly kind: JunkKind,
  ) {}

  start(): void {
    this.running = true;
    this.stopped = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.peer?.close();
    await this.stopped;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const peer = new LoadPeer(this.host, this.port, '127.0.0.1', SYNC, () => undefined);
      this.peer = peer;
      this.stats.connections++;
      try {
        await peer.handshaken;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50)); // refused: try again shortly
        continue;
      }
      while (this.running && peer.open) {
        const batch = this.batch();
        this.stats.txs += batch.length;
        this.stats.bytes += batch.reduce((n, b) => n + b.length, 0);
        if (!peer.sendTransactions(batch)) await new Promise((resolve) => peer.socket.once('drain', resolve).once('close', resolve));
        else await new Promise((resolve) => setImmediate(resolve));
      }
      peer.close();
    }
  }

  private batch(): Buffer[] {
    const out: Buffer[] = [];
    let size = 0;
    while (size < BATCH_BYTES) {
      const blob = Buffer.from(this.kind === 'small' ? minimalJunkTx(this.stats.txs + out.length) : this.junk.next());
      out.push(blob);
      size += blob.length;
    }
    return out;
  }
}
