/**
 * Tests reach loopback only: a mocha root-hook plugin (`.mocharc.*.json` requires it) that
 * refuses every TCP connect to anything but 127.0.0.0/8, ::1 or `localhost`, in the mocha
 * process and in every Node process it spawns (through NODE_OPTIONS), and fails the run at its
 * end naming each refused target. A refused connect fails like a closed port (ECONNREFUSED), so
 * the code under test takes its ordinary error path. Inside a network namespace a harness made
 * (VEILNODE_TEST_NETNS=1, set by test/harness/i2p/netns.sh and the no-route tests), the
 * namespace is the guard and other addresses are allowed.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const LOG_VARIABLE = 'VEILNODE_LOOPBACK_GUARD_LOG';

export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === '' || host === 'localhost') return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIPv4(bare)) return bare.startsWith('127.') || bare === '0.0.0.0';
  if (net.isIPv6(bare)) {
    const lower = bare.toLowerCase();
    return lower === '::1' || lower === '::' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
  }
  return false; // a name: resolving it may already leave the machine
}

/** The host and port a `Socket#connect` call names, or undefined for an IPC path. */
function target(args: unknown[]): { host?: string; port?: unknown } | undefined {
  let first = args[0];
  if (Array.isArray(first)) first = first[0]; // net's own normalised [options, callback]
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: string; port?: unknown };
    return options.path !== undefined ? undefined : { host: options.host, port: options.port };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof args[1] === 'string' ? args[1] : undefined, port: first };
  }
  return undefined;
}

function install(logFile: string): void {
  const connect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    const to = target(args);
    if (to === undefined || isLoopbackHost(to.host)) return connect.apply(this, args);
    const where = `${to.host}:${String(to.port)}`;
    appendFileSync(logFile, `${process.pid} ${where}\n`);
    const refused = Object.assign(new Error(`connect ECONNREFUSED ${where} (tests reach loopback only)`), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(refused));
    return this;
  } as typeof net.Socket.prototype.connect;
}

function setUp(): string | undefined {
  if (process.env.VEILNODE_TEST_NETNS === '1') return undefined;
  let logFile = process.env[LOG_VARIABLE];
  if (logFile === undefined) {
    logFile = path.join(mkdtempSync(path.join(tmpdir(), 'veilnode-guard-')), 'refused.log');
    appendFileSync(logFile, '');
    process.env[LOG_VARIABLE] = logFile;
    const self = `--require ${JSON.stringify(__filename)}`;
    process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, self].filter(Boolean).join(' ');
  }
  install(logFile);
  return logFile;
}

const logFile = setUp();

/** Targets refused so far in this run (all processes), as `pid host:port` lines. */
export function refusedConnects(): string[] {
  return logFile === undefined ? [] : readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
}

/** For the guard's own test: forgets the refusals of `host:port` it caused on purpose. */
export function forgetRefused(where: string): void {
  if (logFile !== undefined) writeFileSync(logFile, refusedConnects().filter((line) => !line.endsWith(` ${where}`)).map((l) => `${l}\n`).join(''));
}

/** Fails the run if any process of it tried to leave loopback. */
export const mochaHooks = {
  afterAll(): void {
    const refused = refusedConnects();
    if (refused.length > 0) throw new Error(`a test tried to connect beyond loopback (pid host:port):\n${refused.join('\n')}`);
  },
};
