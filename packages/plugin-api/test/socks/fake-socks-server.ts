import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What one client sent the fake proxy. */
export interface FakeSocksRequest {
  readonly version: 4 | 5;
  readonly methods?: number[];
  readonly username?: string;
  readonly password?: string;
  /** SOCKS5 ATYP (1 IPv4, 3 name, 4 IPv6); for SOCKS4, 1 = IPv4 form, 3 = 4a name form. */
  readonly atyp: number;
  readonly host: string;
  readonly port: number;
}

export interface FakeSocksBehaviour {
  /** Reply code for CONNECT (SOCKS5: 0 = granted; SOCKS4: 0x5a = granted). */
  reply?: number;
  /** Require RFC 1929 auth with these credentials (SOCKS5). */
  requireAuth?: { username: string; password: string };
  /** Never answer the CONNECT (to test timeouts). */
  silent?: boolean;
  /** Bytes the fake "target" sends right after the granted reply (same TCP write). */
  greetingAfterReply?: Buffer;
}

/**
 * A small SOCKS4a/5 server for unit tests: records every request, answers with the configured
 * reply and, when granted, echoes whatever the client sends (the "target").
 */
export class FakeSocksServer {
  readonly requests: FakeSocksRequest[] = [];
  behaviour: FakeSocksBehaviour = {};
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((socket) => this.handle(socket));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Client connections the fake still has open. */
  get openConnections(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' | 'open' = 'greeting';
    let version: 4 | 5 = 5;
    let methods: number[] = [];
    let username: string | undefined;
    let password: string | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (stage === 'open') {
        socket.write(chunk);
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (stage === 'greeting') {
          if (buf.length < 1) return;
          if (buf[0] === 4) {
            version = 4;
            stage = 'request';
            continue;
          }
          if (buf.length < 2 || buf.length < 2 + buf[1]) return;
          methods = [...buf.subarray(2, 2 + buf[1])];
          buf = buf.subarray(2 + buf[1]);
          const wantAuth = this.behaviour.requireAuth !== undefined;
          const method = wantAuth ? (methods.includes(2) ? 2 : 0xff) : methods.includes(2) ? 2 : 0;
          socket.write(Buffer.from([5, method]));
          if (method === 0xff) {
            socket.end();
            return;
          }
          stage = method === 2 ? 'auth' : 'request';
        } else if (stage === 'auth') {
          if (buf.length < 2) return;
          const ulen = buf[1];
          if (buf.length < 3 + ulen) return;
          const plen = buf[2 + ulen];
          if (buf.length < 3 + ulen + plen) return;
          username = buf.subarray(2, 2 + ulen).toString();
          password = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
          buf = buf.subarray(3 + ulen + plen);
          const need = this.behaviour.requireAuth;
          const ok = !need || (need.username === username && need.password === password);
          socket.write(Buffer.from([1, ok ? 0 : 1]));
          if (!ok) {
            socket.end();
            return;
          }
          stage = 'request';
        } else if (stage === 'request') {
          const req = version === 5 ? parse5(buf) : parse4(buf);
          if (!req) return;
          buf = buf.subarray(req.consumed);
          this.requests.push({ version, methods: version === 5 ? methods : undefined, username: req.userId ?? username, password, atyp: req.atyp, host: req.host, port: req.port });
          if (this.behaviour.silent) return;
          const granted = version === 5 ? 0 : 0x5a;
          const reply = this.behaviour.reply ?? granted;
          const head = version === 5 ? Buffer.from([5, reply, 0, 1, 0, 0, 0, 0, 0, 0]) : Buffer.from([0, reply, 0, 0, 0, 0, 0, 0]);
          if (reply !== granted) {
            socket.end(head);
            return;
          }
          socket.write(Buffer.concat([head, this.behaviour.greetingAfterReply ?? Buffer.alloc(0)]));
          stage = 'open';
          if (buf.length > 0) socket.write(buf);
          return;
        } else {
          return;
        }
      }
    });
  }
}

function parse5(buf: Buffer): { atyp: number; host: string; port: number; consumed: number; userId?: string } | undefined {
  if (buf.length < 5) return undefined;
  const atyp = buf[3];
  let host: string;
  let off: number;
  if (atyp === 1) {
    if (buf.length < 10) return undefined;
    host = [...buf.subarray(4, 8)].join('.');
    off = 8;
  } else if (atyp === 3) {
    const len = buf[4];
    if (buf.length < 5 + len + 2) return undefined;
    host = buf.subarray(5, 5 + len).toString('latin1');
    off = 5 + len;
  } else {
    if (buf.length < 22) return undefined;
    host = buf.subarray(4, 20).toString('hex');
    off = 20;
  }
  return { atyp, host, port: buf.readUInt16BE(off), consumed: off + 2 };
}

function parse4(buf: Buffer): { atyp: number; host: string; port: number; consumed: number; userId?: string } | undefined {
  if (buf.length < 9) return undefined;
  const nul = buf.indexOf(0, 8);
  if (nul < 0) return undefined;
  const userId = buf.subarray(8, nul).toString() || undefined;
  const port = buf.readUInt16BE(2);
  const isName = buf[4] === 0 && buf[5] === 0 && buf[6] === 0 && buf[7] !== 0;
  if (!isName) return { atyp: 1, host: [...buf.subarray(4, 8)].join('.'), port, consumed: nul + 1, userId };
  const nul2 = buf.indexOf(0, nul + 1);
  if (nul2 < 0) return undefined;
  return { atyp: 3, host: buf.subarray(nul + 1, nul2).toString('latin1'), port, consumed: nul2 + 1, userId };
}
