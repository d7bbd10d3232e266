import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { AbortedError, TimeoutError, VeilnodeError, type Logger, type TransportError } from '@veilnode/plugin-api';
import type { SamCall, SamClient, SamSession, SessionRequest } from './sam-client';
import { SamBridgeError, samReplyError } from './sam-errors';
import { MAX_SAM_LINE, parseSamReply, type SamReply } from './sam-reply';

type DivaModule = typeof import('@diva.exchange/i2p-sam', { with: { 'resolution-mode': 'import' } });
type DivaConfiguration = import('@diva.exchange/i2p-sam', { with: { 'resolution-mode': 'import' } }).Configuration;
type DivaSam = import('@diva.exchange/i2p-sam', { with: { 'resolution-mode': 'import' } }).I2pSam;

/**
 * The two private members of I2pSamStream this wrapper still reaches, because the library's
 * public API has no equivalent (README, "What the SAM library cannot do"): the stream socket
 * (backpressure, half-close, closing it alone) and the STREAM CONNECT/FORWARD step on its own
 * (a stream on an existing session; knowing which step failed). Everything else it uses is
 * public or protected, reached as a subclass.
 */
interface DivaPrivateMembers {
  socketStream: Socket;
  connect(): Promise<void>;
}

export interface SamBridgeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * How long a closed session outlives the stream socket it carried. Tearing an i2pd destination
 * down while its streams are still closing can crash the router (PurpleI2P/i2pd#2183; our
 * i2pd 2.45.1 test routers segfaulted in their SAM thread while sessions were being closed with
 * live streams), so streams go first and the session follows, as in Bitcoin Core, where a
 * transient session dies with its connection. i2pd handles the stream's close within
 * milliseconds of our socket closing; the pause stays well inside the CLI's 5 s graceful stop,
 * which waits for it.
 */
export const SESSION_LINGER_MS = 1500;

/**
 * SamClient on @diva.exchange/i2p-sam 5.5.2. The library's known defects are fixed here, in a
 * subclass, so nothing above this file sees them:
 * - replies were parsed per TCP chunk (a reply split over two chunks was never seen, two replies
 *   in one chunk lost the second): we buffer and hand the library one complete line at a time,
 *   and bytes after `STREAM STATUS RESULT=OK` in the same chunk are kept as stream data instead
 *   of being eaten as a reply. Both sockets share the buffer; SAM 3.1 is strictly
 *   request/reply and the steps are sequential, so lines of the two sockets never interleave.
 * - a closed control socket left the pending call hanging until the library's timeout: we turn
 *   'close' and socket errors into an immediate SamBridgeError for the pending call.
 * - socket errors before the library attached a handler crashed the process: we attach one first.
 * - the library only knows DSA_SHA1 for new keys: callers always pass Ed25519 keys.
 * - no STREAM ACCEPT: inbound uses STREAM FORWARD; the destination line is the caller's business.
 * - a stream on an existing session is not offered: we run the library's connect step on a
 *   fresh pair of sockets with SESSION CREATE skipped.
 * Not fixable here: the library writes stream data without backpressure (we write to its socket
 * directly) and its KEY=VALUE parser truncates base64 values at '=' (only used for presence checks).
 */
export class DivaSamClient implements SamClient {
  private streamClass?: Promise<new (c: DivaConfiguration, mode: 'session' | 'attach') => FixedSamStream>;
  /** Sessions closing in order (stream first, session after the linger). */
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly bridge: SamBridgeAddress,
    private readonly logger: Logger,
    private readonly sessionLingerMs = SESSION_LINGER_MS,
  ) {}

  async drain(): Promise<void> {
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }

  async createForwardingSession(request: SessionRequest & { forwardTo: { host: string; port: number } }): Promise<SamSession> {
    const id = newSessionId();
    const stream = await this.run(request, 'session', {
      session: { id, options: formatOptions(request.options) },
      forward: { host: request.forwardTo.host, port: request.forwardTo.port, silent: false },
    }, 'STREAM FORWARD');
    const closed = new Promise<Error>((resolve) => stream.whenDead(resolve));
    this.logger.debug({ sessionId: id, b32: request.keys.b32 }, 'SAM forwarding session created');
    return { id, closed, stopForwarding: () => stream.stopForwarding(), close: () => stream.shutdown() };
  }

  async connectWithNewSession(request: SessionRequest & { destination: string }): Promise<Duplex> {
    const stream = await this.run(request, 'session', {
      session: { id: newSessionId(), options: formatOptions(request.options) },
      stream: { destination: request.destination },
    }, 'STREAM CONNECT');
    return stream.toDuplex();
  }

  async connect(session: SamSession, destination: string, call: SamCall & { keys?: undefined }): Promise<Duplex> {
    const stream = await this.run(call, 'attach', { session: { id: session.id }, stream: { destination } }, 'STREAM CONNECT');
    return stream.toDuplex();
  }

  private async run(
    call: SamCall & { keys?: SessionRequest['keys'] },
    mode: 'session' | 'attach',
    config: Omit<DivaConfiguration, 'sam'>,
    lastStep: string,
  ): Promise<FixedSamStream> {
    const Stream = await this.loadStreamClass();
    // the library generates (DSA) keys whenever none are given; attach mode needs none, so
    // it gets a throwaway pair it never sends (SESSION CREATE is skipped there)
    const keys = call.keys ?? { publicDestination: 'unused', revealPrivate: () => 'unused' };
    const stream = new Stream({
      ...config,
      sam: {
        host: this.bridge.host,
        portTCP: this.bridge.port,
        versionMin: '3.1',
        versionMax: '3.1',
        publicKey: keys.publicDestination,
        privateKey: keys.revealPrivate(),
        timeout: Math.min(600, Math.max(1, Math.ceil(call.timeoutMs / 1000))),
      },
    }, mode);
    await withDeadline(stream.establish(lastStep), call, lastStep, () => void stream.shutdown());
    return stream;
  }

  private loadStreamClass(): Promise<new (c: DivaConfiguration, mode: 'session' | 'attach') => FixedSamStream> {
    // the library is ESM-only; this package is CommonJS, so it is loaded with import()
    this.streamClass ??= import('@diva.exchange/i2p-sam').then((lib) =>
      defineFixedStream(lib, this.bridge, this.sessionLingerMs, (closing) => {
        this.closing.add(closing);
        void closing.finally(() => this.closing.delete(closing));
      }),
    );
    return this.streamClass;
  }
}

interface FixedSamStream {
  establish(lastStep: string): Promise<void>;
  stopForwarding(): void;
  whenDead(listener: (reason: Error) => void): void;
  toDuplex(): Duplex;
  /** Closes the stream socket, then (after the linger, for an established session of its own) the session. */
  shutdown(): Promise<void>;
}

function defineFixedStream(lib: DivaModule, bridge: SamBridgeAddress, lingerMs: number, track: (closing: Promise<void>) => void) {
  const bridgeText = `${bridge.host}:${bridge.port}`;

  return class FixedStream extends lib.I2pSamStream implements FixedSamStream {
    private pending = Buffer.alloc(0);
    private early = Buffer.alloc(0);
    private lastReply?: SamReply;
    private step = 'HELLO';
    private death?: Error;
    private forwardingStopped = false;
    private closing?: Promise<void>;
    private readonly deathListeners: Array<(reason: Error) => void> = [];

    constructor(c: DivaConfiguration, private readonly mode: 'session' | 'attach') {
      super(c);
      this.on('error', (error: Error) => this.die(new SamBridgeError('SAM_BRIDGE_ERROR', `SAM bridge socket failed during ${this.step}: ${error.message}`, { step: this.step, bridge: bridgeText })));
      this.on('close', () => {
        // our own cancelled FORWARD socket closing is not the session dying
        if (this.forwardingStopped && !this.socketControl.destroyed) return;
        this.die(new SamBridgeError('SAM_BRIDGE_CLOSED', `SAM bridge closed the connection during ${this.step}`, { step: this.step, bridge: bridgeText }));
      });
    }

    /** Set when the bridge answers the last step with `STREAM STATUS RESULT=OK`. */
    private streamUp = false;

    private get privateMembers(): DivaPrivateMembers {
      return this as unknown as DivaPrivateMembers;
    }

    async establish(lastStep: string): Promise<void> {
      try {
        this.step = 'HELLO';
        await this.open();
        if (this.mode === 'session') {
          this.step = 'SESSION CREATE';
          await this.initSession('STREAM');
        }
        this.step = lastStep;
        await this.privateMembers.connect();
        this.step = 'STREAM';
      } catch (error) {
        throw this.explain(error);
      }
    }

    /** The typed reason of a failed step: our own death reason, else the bridge's RESULT. */
    private explain(error: unknown): TransportError {
      if (this.death) return this.death as TransportError;
      const reply = this.lastReply;
      if (reply?.values.RESULT && reply.values.RESULT !== 'OK') {
        return samReplyError(this.step, reply.values.RESULT, reply.values.MESSAGE, { bridge: bridgeText });
      }
      const message = error instanceof Error ? error.message : String(error);
      if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT/.test(message)) {
        return new SamBridgeError('SAM_BRIDGE_UNREACHABLE', `SAM bridge at ${bridgeText} is unreachable: ${redact(message)}`, { step: this.step, bridge: bridgeText });
      }
      return new SamBridgeError('SAM_PROTOCOL', `SAM ${this.step} failed: ${redact(message)}`, { step: this.step, bridge: bridgeText });
    }

    private die(reason: Error): void {
      if (this.death) return;
      this.death = reason;
      // reject the call in flight now instead of letting it wait for a reply that never comes
      if (this.internalEventEmitter.listenerCount('error') > 0) this.internalEventEmitter.emit('error', reason);
      for (const listener of this.deathListeners.splice(0)) listener(reason);
    }

    whenDead(listener: (reason: Error) => void): void {
      if (this.death) listener(this.death);
      else this.deathListeners.push(listener);
    }

    /** SAM 3.1 cancels a STREAM FORWARD by closing the socket it was sent on. */
    stopForwarding(): void {
      this.forwardingStopped = true;
      this.privateMembers.socketStream.destroy();
    }

    shutdown(): Promise<void> {
      if (this.closing === undefined) {
        this.closing = this.closeInOrder();
        track(this.closing);
      }
      return this.closing;
    }

    private async closeInOrder(): Promise<void> {
      const established = this.step === 'STREAM';
      this.die(new SamBridgeError('SAM_SESSION_CLOSED', 'SAM session closed locally', { bridge: bridgeText }));
      const control = this.socketControl;
      // attach mode borrows another socket's session; a session never established has no streams
      if (established && this.mode === 'session' && !control.destroyed) {
        this.privateMembers.socketStream.destroy();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, lingerMs);
          control.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      this.close();
    }

    /** The library's 'error' event on a socket without a listener would crash the process. */
    protected override hello(socket: Socket): Promise<void> {
      if (socket.listenerCount('error') === 0) socket.on('error', (error) => this.emit('error', error));
      return super.hello(socket);
    }

    /** In attach mode the session already exists on another control socket. */
    protected override initSession(type: string): Promise<DivaSam> {
      return this.mode === 'attach' ? Promise.resolve(this) : super.initSession(type);
    }

    protected override parseReply(data: Buffer): boolean | undefined {
      if (this.streamUp) {
        // stream data never comes here once the stream is up, so this is the control socket:
        // SAM 3.1 only speaks there to say the session broke
        this.scanControlLines(data);
        return undefined;
      }
      this.pending = Buffer.concat([this.pending, data]);
      for (let nl = this.pending.indexOf(0x0a); nl >= 0 && !this.streamUp; nl = this.pending.indexOf(0x0a)) {
        const line = this.pending.subarray(0, nl);
        this.pending = this.pending.subarray(nl + 1);
        this.lastReply = parseSamReply(line.toString('utf8'));
        this.streamUp = this.lastReply.topic === 'STREAM STATUS' && this.lastReply.values.RESULT === 'OK';
        super.parseReply(line);
      }
      if (this.streamUp) {
        this.early = this.pending;
        this.pending = Buffer.alloc(0);
      } else if (this.pending.length > MAX_SAM_LINE) {
        this.die(new SamBridgeError('SAM_PROTOCOL', `SAM reply longer than ${MAX_SAM_LINE} bytes during ${this.step}`, { step: this.step, bridge: bridgeText }));
      }
      return undefined;
    }

    private scanControlLines(data: Buffer): void {
      for (const line of data.toString('utf8').split('\n')) {
        const reply = parseSamReply(line);
        if (reply.values.RESULT && reply.values.RESULT !== 'OK') {
          this.die(samReplyError('SESSION', reply.values.RESULT, reply.values.MESSAGE, { bridge: bridgeText }));
        }
      }
    }

    toDuplex(): Duplex {
      const socket = this.privateMembers.socketStream;
      const duplex = new Duplex({
        // no half-close over i2pd: like a net.Socket, the end of the peer's data ends ours too,
        // so a stream the far end (or its router) closed emits 'close' even if nobody reads it
        allowHalfOpen: false,
        read: () => {
          socket.resume();
        },
        write: (chunk: Buffer, _encoding, callback) => {
          socket.write(chunk, callback);
        },
        final: (callback) => {
          socket.end();
          callback();
        },
        destroy: (error, callback) => {
          void this.shutdown();
          callback(error);
        },
      });
      if (this.early.length > 0) duplex.push(this.early);
      this.early = Buffer.alloc(0);
      this.on('data', (chunk: Buffer) => {
        if (!duplex.push(chunk)) socket.pause();
      });
      socket.once('end', () => {
        duplex.push(null);
        // as net.Socket does on EOF: emits 'end' at once when nothing is left unread
        duplex.read(0);
      });
      this.whenDead((reason) => {
        if (reason instanceof SamBridgeError && reason.code === 'SAM_SESSION_CLOSED') return;
        if (socket.readableEnded) duplex.end();
        else duplex.destroy(reason);
      });
      return duplex;
    }
  };
}

/**
 * Races `work` against the call's deadline and abort signal (rejecting with the signal's reason,
 * as core's Dialer contract asks); on either, `cancel` closes the sockets.
 */
async function withDeadline<T>(work: Promise<T>, call: SamCall, what: string, cancel: () => void): Promise<T> {
  const { signal, timeoutMs } = call;
  const abortReason = (): Error => (signal?.reason instanceof VeilnodeError ? signal.reason : new AbortedError(`SAM ${what}`));
  if (signal?.aborted) {
    cancel();
    work.catch(() => undefined);
    throw abortReason();
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`SAM ${what}`, timeoutMs)), timeoutMs);
    onAbort = () => reject(abortReason());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } catch (error) {
    cancel();
    work.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function formatOptions(options: Readonly<Record<string, string>>): string {
  return Object.entries(options).map(([k, v]) => `${k}=${v}`).join(' ');
}

/** Bitcoin Core's form: 10 hex characters of randomness. */
function newSessionId(): string {
  return randomBytes(5).toString('hex');
}

/** Library messages may echo a reply; keys in it (DESTINATION=, PRIV=) never reach a log. */
function redact(message: string): string {
  return message.replace(/\b(DESTINATION|PRIV|PUB)=\S+/g, '$1=<redacted>');
}
