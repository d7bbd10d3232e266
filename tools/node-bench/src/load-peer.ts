import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Command } from '@veilnode/plugin-api';
import { encodeFrame, encodeInvokeMessage, encodeNotifyMessage, encodeResponseMessage, Handshake, LevinFlags, LevinReturnCode, LevinStreamDecoder, networkId, NewTransactions, Ping, PING_OK, SupportFlags, TimedSync, type CoreSyncData, type LevinMessage } from '@veilnode/protocol';

interface Waiter {
  readonly command: number;
  resolve(message: LevinMessage): void;
  reject(error: Error): void;
}

/**
 * One load-generator connection speaking Levin with our codec: sends the handshake as soon as
 * the socket connects, answers the node's invokes (timed sync, ping, support flags) so the node
 * keeps it, and reports the tx blobs it receives. Keeps as little state as a monerod peer does.
 */
export class LoadPeer {
  readonly socket: Socket;
  /** performance.now() when the dial started / the handshake response arrived. */
  readonly dialedAt = performance.now();
  handshakenAt?: number;
  closedReason?: string;
  /** Resolves once the handshake response arrived (return code checked, body decoded). */
  readonly handshaken: Promise<void>;
  private readonly decoder = new LevinStreamDecoder();
  private readonly waiting: Waiter[] = [];
  private readonly peerId = randomBytes(8).readBigUInt64LE(0);
  private readonly syncData: CoreSyncData;
  private readonly onTxs: (peer: LoadPeer, blobs: readonly Buffer[]) => void;

  constructor(host: string, port: number, localAddress: string, syncData: CoreSyncData, onTxs: (peer: LoadPeer, blobs: readonly Buffer[]) => void) {
    this.syncData = syncData;
    this.onTxs = onTxs;
    this.handshaken = this.expect(Command.Handshake, (m) => {
      Handshake.response.decode(m.segments);
      this.handshakenAt = performance.now();
      this.decoder.useHandshakeCompleteLimit();
    });
    this.socket = connect({ host, port, localAddress, noDelay: true });
    this.socket.on('connect', () => this.socket.write(encodeInvokeMessage(Handshake, { node_data: this.nodeData(), payload_data: syncData })));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? err.message));
    this.socket.on('close', () => this.fail('closed by the node'));
  }

  get open(): boolean {
    return this.closedReason === undefined;
  }

  /** One TIMED_SYNC round trip (the keep-alive monerod peers send). */
  timedSync(): Promise<void> {
    if (!this.open) return Promise.reject(new Error(this.closedReason));
    const done = this.expect(Command.TimedSync, (m) => TimedSync.response.decode(m.segments));
    this.socket.write(encodeInvokeMessage(TimedSync, { payload_data: this.syncData }));
    return done;
  }

/** Sends txs as a fluff (what a node relays to every peer); false when the socket's buffer is full. */
  sendTransactions(blobs: readonly Buffer[]): boolean {
    return this.socket.write(encodeNotifyMessage(NewTransactions, { txs: [...blobs], _: Buffer.alloc(0), dandelionpp_fluff: true }));
  }

  close(): void {
    this.closedReason ??= 'closed by the benchmark';
    this.socket.destroy();
  }

  private nodeData() {
    return { network_id: networkId('regtest'), peer_id: this.peerId, my_port: 0, rpc_port: 0, rpc_credits_per_hash: 0, support_flags: 1 };
  }

  /** Queues a waiter for the next response (responses come in invoke order). */
  private expect(command: number, onResponse: (m: LevinMessage) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({
        command,
        resolve: (m) => {
          if (m.returnCode <= 0) return reject(new Error(`command ${command} answered with return code ${m.returnCode}`));
          try {
            onResponse(m);
          } catch (err) {
            return reject(err as Error);
          }
          resolve();
        },
        reject,
      });
    });
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    for (const w of this.waiting.splice(0)) w.reject(new Error(this.closedReason));
  }

  private onData(chunk: Buffer): void {
    let messages: LevinMessage[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      this.fail(`bad stream from the node: ${(err as Error).message}`);
      this.socket.destroy();
      return;
    }
    for (const m of messages) {
      try {
        this.dispatch(m);
      } catch (err) {
        this.fail(`bad ${m.command} from the node: ${(err as Error).message}`);
        this.socket.destroy();
        return;
      }
    }
  }

  private dispatch(m: LevinMessage): void {
    if (m.isResponse) {
      const waiter = this.waiting.shift();
      if (!waiter || waiter.command !== m.command) throw new Error(`unexpected response ${m.command}`);
      waiter.resolve(m);
      return;
    }
    if (!m.expectsResponse) {
      if (m.command === Command.NewTransactions) this.onTxs(this, NewTransactions.body.decode(m.segments).txs);
      return;
    }
    switch (m.command) {
      case Command.TimedSync:
        this.socket.write(encodeResponseMessage(TimedSync, { payload_data: this.syncData, local_peerlist_new: [] }));
        return;
      case Command.Ping:
        this.socket.write(encodeResponseMessage(Ping, { status: PING_OK, peer_id: this.peerId }));
        return;
      case Command.RequestSupportFlags:
        this.socket.write(encodeResponseMessage(SupportFlags, { support_flags: 1 }));
        return;
      default:
        this.socket.write(encodeFrame({ command: m.command, body: new Uint8Array(0), returnCode: LevinReturnCode.ErrorConnectionHandlerNotDefined, flags: LevinFlags.Response }));
    }
  }
}
