import { createServer, connect, type Server, type Socket } from 'node:net';

/** Calls of one kind (`/path` or `json_rpc:method`) seen by a tap. */
export interface CallStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Bytes of a JSON-RPC body looked at for its method name (the rest only passes through). */
const METHOD_SCAN_BYTES = 4096;
/** Bytes of a message head a tap holds while it waits for the blank line that ends it. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * A loopback TCP pass-through in front of an HTTP/1.1 server that times every call: from the
 * first byte of the request to the last byte of its answer, per path (JSON-RPC per method).
 * Bytes go through untouched as they come; the tap only reads request and answer heads
 * (Content-Length, or a chunked answer's final chunk). One call at a time per connection, as a
 * wallet's HTTP client makes them.
 */
export class HttpCallTap {
  readonly calls = new Map<string, CallStats>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly targetPort: number,
    readonly listenPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.pass(client));
    await new Promise<void>((resolve) => server.listen(this.listenPort, '127.0.0.1', resolve));
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  reset(): void {
    this.calls.clear();
  }

  private pass(client: Socket): void {
    const target = connect({ host: '127.0.0.1', port: this.targetPort, noDelay: true });
    client.setNoDelay(true);
    for (const socket of [client, target]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.once('close', () => target.destroy());
    target.once('close', () => client.destroy());
    const pending: { name: string; startedAt: number }[] = [];
    const requests = new MessageReader((head, body) => pending.push({ name: callName(head, body), startedAt: performance.now() }), true);
    const answers = new MessageReader(() => {
      const call = pending.shift();
      if (call !== undefined) this.record(call.name, performance.now() - call.startedAt);
    }, false);
    client.on('data', (chunk: Buffer) => {
      requests.feed(chunk);
      target.write(chunk);
    });
    target.on('data', (chunk: Buffer) => {
      answers.feed(chunk);
      client.write(chunk);
    });
  }

  private record(name: string, ms: number): void {
    const stats = this.calls.get(name) ?? { count: 0, totalMs: 0, maxMs: 0 };
    stats.count++;
    stats.totalMs += ms;
    stats.maxMs = Math.max(stats.maxMs, ms);
    this.calls.set(name, stats);
  }
}

/** `/path`, or `json_rpc:method` for a JSON-RPC call. */
function callName(head: string, body: Buffer): string {
  const path = (/^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '?').split('?')[0];
  if (path !== '/json_rpc') return path;
  return `json_rpc:${/"method"\s*:\s*"([^"]{1,64})"/.exec(body.toString('latin1'))?.[1] ?? '?'}`;
}

/**
 * Follows the HTTP messages in one direction of a connection. A request is reported once its
 * head and the start of its body are in (`onMessage` gets the first METHOD_SCAN_BYTES of the
 * body); an answer once its last byte is.
 */
class MessageReader {
  private head = Buffer.alloc(0);
  private bodyLeft = 0;
  private chunked = false;
  private tail = '';
  private bodyStart = Buffer.alloc(0);
  private reported = true;

  constructor(
    private readonly onMessage: (head: string, bodyStart: Buffer) => void,
    private readonly isRequest: boolean,
  ) {}

  feed(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.bodyLeft === 0 && !this.chunked) rest = this.readHead(rest);
      else rest = this.readBody(rest);
    }
  }

  private readHead(chunk: Buffer): Buffer {
    this.head = Buffer.concat([this.head, chunk]);
    const end = this.head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.head.length > MAX_HEAD_BYTES) this.head = Buffer.alloc(0);
      return Buffer.alloc(0);
    }
    const head = this.head.subarray(0, end).toString('latin1');
    const rest = this.head.subarray(end + 4);
    this.head = Buffer.alloc(0);
    this.chunked = /^transfer-encoding:\s*chunked/im.test(head);
    this.bodyLeft = this.chunked ? 0 : Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
    this.headText = head;
    this.bodyStart = Buffer.alloc(0);
    this.tail = '';
    this.reported = false;
    if (this.bodyLeft === 0 && !this.chunked) this.done();
    return rest;
  }

  private headText = '';

  private readBody(chunk: Buffer): Buffer {
    if (this.chunked) {
      // an answer's chunked body ends with a zero-size chunk; the tap sees no pipelined answer after it
      this.tail = (this.tail + chunk.toString('latin1')).slice(-7);
      if (this.tail.endsWith('\r\n0\r\n\r\n') || this.tail === '0\r\n\r\n') {
        this.chunked = false;
        this.done();
      }
      return Buffer.alloc(0);
    }
    const taken = chunk.subarray(0, this.bodyLeft);
    this.bodyLeft -= taken.length;
    if (this.isRequest && this.bodyStart.length < METHOD_SCAN_BYTES) this.bodyStart = Buffer.concat([this.bodyStart, taken]).subarray(0, METHOD_SCAN_BYTES);
    if (this.isRequest && !this.reported && (this.bodyStart.length >= METHOD_SCAN_BYTES || this.bodyLeft === 0)) this.report();
    if (this.bodyLeft === 0 && !this.isRequest) this.done();
    return chunk.subarray(taken.length);
  }

  private done(): void {
    if (!this.reported) this.report();
  }

  private report(): void {
    this.reported = true;
    this.onMessage(this.headText, this.bodyStart);
  }
}
