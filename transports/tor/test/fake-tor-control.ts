import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeTorControlOptions {
  /** Auth methods to offer in PROTOCOLINFO. */
  methods?: string[];
  /** Accepted password for HASHEDPASSWORD. */
  password?: string;
  /** Send a wrong SERVERHASH in AUTHCHALLENGE. */
  lieInServerHash?: boolean;
  /** ServiceID to answer ADD_ONION with; default: derived by the test from the key (`serviceIdFor`). */
  serviceIdFor?: (keyBlob: string) => string;
}

/**
 * A scripted Tor control port for unit tests: PROTOCOLINFO, AUTHCHALLENGE/AUTHENTICATE (SAFECOOKIE,
 * COOKIE, HASHEDPASSWORD), GETINFO, ADD_ONION, DEL_ONION, SETEVENTS. Records every line received.
 */
export class FakeTorControl {
  readonly received: string[] = [];
  readonly cookie = randomBytes(32);
  readonly cookieDir = mkdtempSync(join(tmpdir(), 'fake-tor-control-'));
  readonly cookieFile = join(this.cookieDir, 'control_auth_cookie');
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  getInfo: Record<string, string | string[]> = { version: '0.4.9.11' };

  constructor(public options: FakeTorControlOptions = {}) {
    writeFileSync(this.cookieFile, this.cookie);
    this.server = createServer((socket) => this.handle(socket));
  }

  async start(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Drops every control connection (as if tor exited) but keeps listening. */
  dropClients(): void {
    for (const c of this.clients) c.destroy();
  }

  async stop(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  cleanup(): void {
    rmSync(this.cookieDir, { recursive: true, force: true });
  }

  /** Emits an async event line to every client. */
  event(text: string): void {
    for (const c of this.clients) c.write(`650 ${text}\r\n`);
  }

  private handle(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    let clientNonce: Buffer | undefined;
    let serverNonce: Buffer | undefined;
    socket.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        this.received.push(line);
        const [cmd, ...args] = line.split(' ');
        const methods = this.options.methods ?? ['COOKIE', 'SAFECOOKIE'];
        switch (cmd) {
          case 'PROTOCOLINFO':
            socket.write(
              `250-PROTOCOLINFO 1\r\n250-AUTH METHODS=${methods.join(',')} COOKIEFILE="${this.cookieFile.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n`,
            );
            break;
          case 'AUTHCHALLENGE': {
            clientNonce = Buffer.from(args[1], 'hex');
            serverNonce = randomBytes(32);
            const msg = Buffer.concat([this.cookie, clientNonce, serverNonce]);
            let hash = createHmac('sha256', 'Tor safe cookie authentication server-to-controller hash').update(msg).digest();
            if (this.options.lieInServerHash) hash = randomBytes(32);
            socket.write(`250 AUTHCHALLENGE SERVERHASH=${hash.toString('hex').toUpperCase()} SERVERNONCE=${serverNonce.toString('hex').toUpperCase()}\r\n`);
            break;
          }
          case 'AUTHENTICATE': {
            const arg = line.slice('AUTHENTICATE'.length).trim();
            const safeCookie = (): string =>
              createHmac('sha256', 'Tor safe cookie authentication controller-to-server hash')
                .update(Buffer.concat([this.cookie, clientNonce as Buffer, serverNonce as Buffer]))
                .digest('hex');
            const ok =
              arg === ''
                ? methods.includes('NULL')
                : arg.startsWith('"')
                  ? JSON.parse(arg) === this.options.password
                  : clientNonce && serverNonce
                    ? safeCookie() === arg.toLowerCase()
                    : arg.toLowerCase() === this.cookie.toString('hex');
            socket.write(ok ? '250 OK\r\n' : '515 Authentication failed: wrong\r\n');
            break;
          }
          case 'GETINFO': {
            const v = this.getInfo[args[0]];
            if (v === undefined) socket.write(`552 Unrecognized key "${args[0]}"\r\n`);
            else if (Array.isArray(v)) socket.write(`250+${args[0]}=\r\n${v.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n')}\r\n.\r\n250 OK\r\n`);
            else socket.write(`250-${args[0]}=${v}\r\n250 OK\r\n`);
            break;
          }
          case 'ADD_ONION': {
            const id = this.options.serviceIdFor?.(args[0]) ?? 'x'.repeat(56);
            socket.write(`250-ServiceID=${id}\r\n250 OK\r\n`);
            break;
          }
          case 'DEL_ONION':
          case 'SETEVENTS':
            socket.write('250 OK\r\n');
            break;
          default:
            socket.write(`510 Unrecognized command "${cmd}"\r\n`);
        }
      }
    });
  }
}
