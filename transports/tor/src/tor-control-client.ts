import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { TorControlError, TorControlErrorCode } from './tor-control-errors';

/** One line of a control-port reply; `data` holds the lines of a `250+key=` data block. */
export interface TorReplyLine {
  readonly text: string;
  readonly data?: readonly string[];
}

export interface TorReply {
  readonly status: number;
  readonly lines: readonly TorReplyLine[];
}

export interface TorControlAuth {
  /** HASHEDPASSWORD authentication; otherwise NULL, SAFECOOKIE or COOKIE as tor offers. */
  readonly password?: string;
}

const MAX_LINE = 100_000;
const SERVER_TO_CONTROLLER = 'Tor safe cookie authentication server-to-controller hash';
const CONTROLLER_TO_SERVER = 'Tor safe cookie authentication controller-to-server hash';

/**
 * A client of Tor's control protocol (control-spec.txt): CRLF lines, replies `NNN-`/`NNN+`/`NNN `,
 * async events (650) emitted as 'event' with the reply. Commands run one at a time in order.
 * Emits 'close' once when the connection ends. Never puts a secret in an error or a log.
 */
export class TorControlClient extends EventEmitter {
  private readonly socket: Socket;
  private buffer = '';
  private lines: TorReplyLine[] = [];
  private dataBlock: string[] | undefined;
  private dataHead = '';
  private readonly waiting: Array<{ resolve: (r: TorReply) => void; reject: (e: Error) => void; keyword: string }> = [];
  private closed = false;

  private constructor(
    socket: Socket,
    /** `host:port` of the control port, for messages. */
    readonly endpoint: string,
  ) {
    super();
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  /** Opens a control connection (not yet authenticated). */
  static connect(host: string, port: number, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TorControlClient> {
    const endpoint = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const fail = (reason: string): void => {
        cleanup();
        socket.destroy();
        reject(new TorControlError(TorControlErrorCode.Unreachable, `Tor control port ${endpoint} is unreachable (${reason})`, { control: endpoint }));
      };
      const onError = (err: NodeJS.ErrnoException): void => fail(err.code ?? err.message);
      const onAbort = (): void => fail('aborted');
      const timer = setTimeout(() => fail('timeout'), options.timeoutMs ?? 10_000);
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.connect({ host, port }, () => {
        cleanup();
        resolve(new TorControlClient(socket, endpoint));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * PROTOCOLINFO, then the first usable method: HASHEDPASSWORD (when a password is given),
   * NULL, SAFECOOKIE, COOKIE.
   */
  async authenticate(auth: TorControlAuth = {}): Promise<void> {
    const info = await this.command('PROTOCOLINFO 1');
    const authLine = info.lines.find((l) => l.text.startsWith('AUTH '))?.text ?? '';
    const methods = new Set((/METHODS=(\S+)/.exec(authLine)?.[1] ?? '').split(','));
    const cookieFile = readQuotedValue(authLine, 'COOKIEFILE');
    const failAuth = (reason: string): never => {
      throw new TorControlError(TorControlErrorCode.AuthFailed, `Tor control authentication at ${this.endpoint} failed: ${reason}`, {
        control: this.endpoint,
        methods: [...methods],
      });
    };
    const send = async (line: string, what: string): Promise<void> => {
      try {
        await this.command(line, 'AUTHENTICATE');
      } catch (err) {
        if (err instanceof TorControlError && err.code === TorControlErrorCode.CommandFailed) failAuth(`${what} was rejected`);
        throw err;
      }
    };
    if (auth.password !== undefined && methods.has('HASHEDPASSWORD')) {
      return send(`AUTHENTICATE ${quote(auth.password)}`, 'the password');
    }
    if (methods.has('NULL')) return send('AUTHENTICATE', 'NULL authentication');
    if ((methods.has('SAFECOOKIE') || methods.has('COOKIE')) && cookieFile) {
      let cookie: Buffer;
      try {
        cookie = await readFile(cookieFile);
      } catch (err) {
        return failAuth(`cannot read the auth cookie file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (cookie.length !== 32) failAuth(`auth cookie file has ${cookie.length} bytes, expected 32`);
      if (methods.has('SAFECOOKIE')) return this.safeCookie(cookie, failAuth);
      return send(`AUTHENTICATE ${cookie.toString('hex')}`, 'the cookie');
    }
    return failAuth(
      auth.password !== undefined
        ? `tor does not offer password authentication (offers ${[...methods].join(',') || 'nothing'})`
        : `no usable method offered (${[...methods].join(',') || 'nothing'}); set tor.controlPassword or enable CookieAuthentication`,
    );
  }

  private async safeCookie(cookie: Buffer, failAuth: (reason: string) => never): Promise<void> {
    const clientNonce = randomBytes(32);
    const reply = await this.command(`AUTHCHALLENGE SAFECOOKIE ${clientNonce.toString('hex')}`, 'AUTHCHALLENGE');
    const text = reply.lines[0]?.text ?? '';
    const serverHash = Buffer.from(/SERVERHASH=([0-9A-Fa-f]{64})/.exec(text)?.[1] ?? '', 'hex');
    const serverNonce = Buffer.from(/SERVERNONCE=([0-9A-Fa-f]{64})/.exec(text)?.[1] ?? '', 'hex');
    if (serverHash.length !== 32 || serverNonce.length !== 32) failAuth('malformed AUTHCHALLENGE reply');
    const message = Buffer.concat([cookie, clientNonce, serverNonce]);
    const expected = createHmac('sha256', SERVER_TO_CONTROLLER).update(message).digest();
    if (!timingSafeEqual(expected, serverHash)) failAuth('tor did not prove it knows the cookie (SERVERHASH mismatch)');
    const clientHash = createHmac('sha256', CONTROLLER_TO_SERVER).update(message).digest('hex');
    try {
      await this.command(`AUTHENTICATE ${clientHash}`, 'AUTHENTICATE');
    } catch (err) {
      if (err instanceof TorControlError && err.code === TorControlErrorCode.CommandFailed) failAuth('SAFECOOKIE response was rejected');
      throw err;
    }
  }

  /** GETINFO of one key; a data block (`key=` + lines) is joined with '\n'. */
  async getInfo(key: string): Promise<string> {
    const reply = await this.command(`GETINFO ${key}`);
    const line = reply.lines.find((l) => l.text.startsWith(`${key}=`));
    if (!line) throw this.protocolError(`GETINFO ${key} reply has no ${key}=`);
    return line.data ? line.data.join('\n') : unquoteIfQuoted(line.text.slice(key.length + 1));
  }

  /**
   * ADD_ONION with our own key (`ED25519-V3:<base64>`) — the key is sent but never echoed in
   * errors. Returns the ServiceID tor reports.
   */
  async addOnion(key: string, virtualPort: number, target: string): Promise<string> {
    const reply = await this.command(`ADD_ONION ${key} Port=${virtualPort},${target}`, 'ADD_ONION');
    const id = reply.lines.map((l) => /^ServiceID=([a-z2-7]{56})$/.exec(l.text)?.[1]).find((x) => x !== undefined);
    if (!id) throw this.protocolError('ADD_ONION reply has no ServiceID');
    return id;
  }

  async delOnion(serviceId: string): Promise<void> {
    await this.command(`DEL_ONION ${serviceId}`, 'DEL_ONION');
  }

  async setEvents(events: readonly string[]): Promise<void> {
    await this.command(`SETEVENTS ${events.join(' ')}`, 'SETEVENTS');
  }

  /**
   * Sends one command line and resolves with its reply; rejects with CommandFailed for a
   * status ≥ 400. `keyword` names the command in errors (defaults to the first word).
   */
  command(line: string, keyword = line.split(' ', 1)[0]): Promise<TorReply> {
    if (this.closed) return Promise.reject(this.lostError(keyword));
    if (/[\r\n]/.test(line)) return Promise.reject(this.protocolError(`${keyword}: command must be one line`));
    return new Promise<TorReply>((resolve, reject) => {
      this.waiting.push({ resolve, reject, keyword });
      this.socket.write(`${line}\r\n`);
    }).then((reply) => {
      if (reply.status >= 400) {
        const text = reply.lines.map((l) => l.text).join(' ');
        throw new TorControlError(TorControlErrorCode.CommandFailed, `Tor rejected ${keyword}: ${reply.status} ${text}`, {
          control: this.endpoint,
          command: keyword,
          status: reply.status,
        });
      }
      return reply;
    });
  }

  /** Closes the connection (tor then drops our non-detached onion services). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE && !this.buffer.includes('\n')) {
      this.socket.destroy();
      return;
    }
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (this.dataBlock) {
      if (line === '.') {
        this.lines.push({ text: this.dataHead, data: this.dataBlock });
        this.dataBlock = undefined;
      } else {
        this.dataBlock.push(line.startsWith('..') ? line.slice(1) : line);
      }
      return;
    }
    const m = /^(\d{3})([ +-])(.*)$/.exec(line);
    if (!m) {
      this.socket.destroy();
      return;
    }
    const [, code, sep, text] = m;
    if (sep === '+') {
      this.dataHead = text;
      this.dataBlock = [];
      return;
    }
    this.lines.push({ text });
    if (sep === ' ') {
      const reply: TorReply = { status: Number(code), lines: this.lines };
      this.lines = [];
      if (code.startsWith('6')) {
        this.emit('event', reply);
      } else {
        this.waiting.shift()?.resolve(reply);
      }
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(this.lostError(w.keyword));
    this.emit('close');
  }

  private lostError(keyword: string): TorControlError {
    return new TorControlError(TorControlErrorCode.ConnectionLost, `Tor control connection ${this.endpoint} closed (during ${keyword})`, {
      control: this.endpoint,
      command: keyword,
    });
  }

  private protocolError(reason: string): TorControlError {
    return new TorControlError(TorControlErrorCode.ConnectionLost, `unexpected reply from Tor control port ${this.endpoint}: ${reason}`, {
      control: this.endpoint,
    });
  }
}

/** A control-protocol QuotedString. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function unquote(body: string): string {
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

function unquoteIfQuoted(value: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  return m ? unquote(m[1]) : value;
}

/** KEY="quoted value" from a reply line. */
function readQuotedValue(line: string, key: string): string | undefined {
  const m = new RegExp(`${key}="((?:[^"\\\\]|\\\\.)*)"`).exec(line);
  return m ? unquote(m[1]) : undefined;
}
