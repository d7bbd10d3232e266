import { connect, createServer, type Server, type Socket } from 'node:net';
import { DestinationKeys } from '../src';

/** What the fake bridge answers to one command; a function may script anything on the socket. */
export type Reply = string | ((socket: Socket, line: string) => void);

export interface FakeSamScript {
  hello?: Reply;
  sessionCreate?: Reply;
  streamConnect?: Reply;
  streamForward?: Reply;
  /** Write replies in 7-byte pieces 1 ms apart, to prove replies are parsed per line, not per chunk. */
  trickle?: boolean;
  /**
   * Act as a router between its own sessions: STREAM CONNECT to the b32 of a forwarding session
   * reaches its forward target (destination line first); other b32s get CANT_REACH_PEER, and
   * b32s in `unresponsive` never get an answer.
   */
  routing?: { readonly unresponsive?: ReadonlySet<string> };
}

/**
 * A hermetic SAM v3.1 bridge for unit tests: HELLO, SESSION CREATE, STREAM CONNECT (the socket
 * then echoes), STREAM FORWARD (inbound is simulated with `forwardInbound`), scripted error
 * replies, and bridges that close a socket in the middle of a call.
 */
export class FakeSamBridge {
  readonly commands: string[] = [];
  readonly sockets = new Set<Socket>();
  /** Control sockets by session id (closing one kills that session, as in a real bridge). */
  readonly sessions = new Map<string, Socket>();
  forwards: Array<{ id: string; host: string; port: number }> = [];
  /** `session <id>` / `stream <id>` as a session's control socket or a stream socket closes, in order. */
  readonly closes: string[] = [];
  /** Public side of each session's keys, by session id. */
  private readonly identities = new Map<string, DestinationKeys>();
  private server: Server;

  constructor(public script: FakeSamScript = {}) {
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.serve(socket));
  }

  /** `port` 0 takes a free one; a fixed one plays a bridge that comes up where the node expects it. */
  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', () => resolve()));
    return this.port;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Kills every connection, like a router that died (the listening socket stays, as a restarted router's would). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Opens a connection to the forward target of session `id` as the router does for a peer. */
  forwardInbound(id: string, firstBytes: Buffer): Socket {
    const target = this.forwards.find((f) => f.id === id);
    if (!target) throw new Error(`no forward for session ${id}`);
    const socket = connect(target.port, target.host);
    socket.on('error', () => undefined);
    socket.write(firstBytes);
    return socket;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let routed = false;
    // half-open is only for routed streams (the pipe forwards the end); others end with their client
    socket.on('end', () => {
      if (!routed) socket.end();
    });
    let buffer = '';
    const onData = (data: Buffer) => {
      buffer += data.toString('latin1');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const mode = this.command(socket, line);
        if (mode === 'stream') {
          socket.off('data', onData);
          socket.on('data', (d) => socket.write(d)); // an echoing peer
          return;
        }
        if (mode === 'routed') {
          routed = true;
          socket.off('data', onData);
          return;
        }
      }
    };
    socket.on('data', onData);
  }

  private command(socket: Socket, line: string): 'stream' | 'routed' | undefined {
    this.commands.push(line);
    const id = /\bID=(\S+)/.exec(line)?.[1] ?? '';
    if (line.startsWith('HELLO VERSION')) {
      this.reply(socket, line, this.script.hello ?? 'HELLO REPLY RESULT=OK VERSION=3.1');
    } else if (line.startsWith('SESSION CREATE')) {
      const destination = /DESTINATION=(\S+)/.exec(line)?.[1] ?? '';
      if (this.sessions.has(id)) return this.reply(socket, line, 'SESSION STATUS RESULT=DUPLICATED_ID');
      this.sessions.set(id, socket);
      this.identities.set(id, DestinationKeys.fromPrivate(destination));
      socket.once('close', () => {
        this.closes.push(`session ${id}`);
        this.sessions.delete(id);
        this.forwards = this.forwards.filter((f) => f.id !== id);
      });
      this.reply(socket, line, this.script.sessionCreate ?? `SESSION STATUS RESULT=OK DESTINATION=${destination}`);
    } else if (line.startsWith('STREAM CONNECT')) {
      if (!this.sessions.has(id)) return this.reply(socket, line, 'STREAM STATUS RESULT=INVALID_ID');
      socket.once('close', () => this.closes.push(`stream ${id}`));
      if (this.script.routing) return this.route(socket, id, /DESTINATION=(\S+)/.exec(line)?.[1] ?? '', this.script.routing.unresponsive);
      const reply = this.script.streamConnect ?? 'STREAM STATUS RESULT=OK';
      this.reply(socket, line, reply);
      return typeof reply === 'string' && reply.includes('RESULT=OK') ? 'stream' : undefined;
    } else if (line.startsWith('STREAM FORWARD')) {
      if (!this.sessions.has(id)) return this.reply(socket, line, 'STREAM STATUS RESULT=INVALID_ID');
      const forward = { id, host: /HOST=(\S+)/.exec(line)?.[1] ?? '', port: Number(/PORT=(\d+)/.exec(line)?.[1]) };
      this.forwards.push(forward);
      // closing the socket a FORWARD was sent on cancels it (SAM 3.1)
      socket.once('close', () => {
        this.forwards = this.forwards.filter((f) => f !== forward);
      });
      this.reply(socket, line, this.script.streamForward ?? 'STREAM STATUS RESULT=OK');
    }
    return undefined;
  }

  /** Connects a client's stream to the forward target of the session that owns `b32`. */
  private route(client: Socket, fromId: string, b32: string, unresponsive?: ReadonlySet<string>): 'routed' | undefined {
    if (unresponsive?.has(b32)) return undefined;
    const targetId = [...this.identities].find(([, keys]) => keys.b32 === b32)?.[0];
    const forward = this.forwards.find((f) => f.id === targetId);
    if (!forward) {
      client.write('STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE="no lease set"\n');
      return undefined;
    }
    const from = this.identities.get(fromId) as DestinationKeys;
    client.pause(); // nothing may flow before the pipe exists
    const upstream = connect({ host: forward.host, port: forward.port, allowHalfOpen: true }, () => {
      client.write('STREAM STATUS RESULT=OK\n');
      upstream.write(`${from.publicDestination}\n`);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    return 'routed';
  }

  private reply(socket: Socket, line: string, reply: Reply): undefined {
    if (typeof reply === 'function') {
      reply(socket, line);
    } else if (this.script.trickle) {
      trickle(socket, Buffer.from(`${reply}\n`));
    } else {
      socket.write(`${reply}\n`);
    }
    return undefined;
  }
}

function trickle(socket: Socket, bytes: Buffer): void {
  socket.setNoDelay(true);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.subarray(i, i + 7));
  const next = () => {
    const piece = pieces.shift();
    if (!piece || socket.destroyed) return;
    socket.write(piece);
    setTimeout(next, 1);
  };
  next();
}
