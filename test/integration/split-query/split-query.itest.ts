import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  HttpRelayChannel,
  createDirectory,
  ServerKeys,
  parseDirectory,
  splitQuery,
  verifyDirectory,
  type DirectoryDocument,
  type DirectoryTrust,
  type Lookup,
  type LookupResult,
  type RelayChannel,
} from '@veilnode/split-query';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import {
  buildDirectory,
  CHAIN_MONEROD_RPC,
  expectEachServerSawOnlyItsOwn,
  lookupWords,
  recordingBackend,
  splitQueryChain,
  veilnodeCli as veilnode,
  VEILNODE_BIN,
  writeClientConfig,
  type RecordingBackend,
  type SplitQueryChain,
} from './fixture';

/**
 * Split-query end to end: four real veilnode nodes serve lookups from a real regtest monerod
 * (the suites' shared chain), a fifth is the relay M, the client is `veilnode query` (and the
 * library, for misbehaving relays). Each server's backend is a recording pass-through to
 * monerod, so the test sees exactly what each server asked.
 */
/** A veilnode process: its RPC address once started, and everything it printed. */
class VeilnodeProcess {
  private child: ChildProcess | undefined;
  output = '';
  rpc = '';

  constructor(
    readonly config: string,
    private readonly args: string[],
    private readonly nodeOptions: string[] = [],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(cwd: string): Promise<void> {
    const child = spawn(process.execPath, [...this.nodeOptions, VEILNODE_BIN, '--config', this.config, ...this.args], { cwd, env: { PATH: process.env.PATH ?? '' } });
    this.child = child;
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`veilnode did not start:\n${this.output}`)), 30_000);
      const onData = (chunk: Buffer): void => {
        this.output += chunk.toString();
        const m = /rpc {7}http:\/\/(\S+)\/json_rpc/.exec(this.output);
        if (m && this.rpc === '') {
          this.rpc = m[1];
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`veilnode exited with ${code}:\n${this.output}`));
      });
    });
    await started;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

describe('split-query with real veilnode nodes and a regtest monerod', function () {
  this.timeout(300_000);
  let dir: string;
  let chain: SplitQueryChain;
  const servers: { node: VeilnodeProcess; backend: RecordingBackend; id: string; name: string }[] = [];
  let relay: VeilnodeProcess;
  let relayDir: string;
  let directoryFile: string;
  let trust: DirectoryTrust;
  let trustArgs: string[];
  let lookups: readonly Lookup[];
  let secrets: readonly string[];

  before(async function () {
    skipWithoutMonerod(this);
    dir = mkdtempSync(path.join(tmpdir(), 'veilnode-split-query-'));
    writeClientConfig(dir);
    chain = await splitQueryChain();
    ({ lookups, secrets } = chain);

    for (let i = 0; i < 5; i++) {
      const config = path.join(dir, `node${i}.json5`);
      writeFileSync(
        config,
        JSON.stringify({
          plugins: ['@veilnode/clearnet', '@veilnode/split-query'],
          network: 'regtest',
          dataDir: path.join(dir, `data${i}`),
          log: { level: 'debug' },
          p2p: { bindIp: '127.0.0.1', bindPort: 0 },
          rpc: { bindIp: '127.0.0.1', bindPort: 0 },
          zones: { clearnet: { enabled: true, transport: 'clearnet' } },
          'split-query': { relay: { enabled: true } },
        }),
      );
      if (i === 4) {
        // SIGUSR2 makes the relay write a heap snapshot into its working directory.
        relay = new VeilnodeProcess(config, [], ['--heapsnapshot-signal=SIGUSR2']);
        continue;
      }
      const backend = await recordingBackend(CHAIN_MONEROD_RPC);
      servers.push({ node: new VeilnodeProcess(config, ['--query-backend', backend.url]), backend, id: '', name: '' });
    }
    for (const s of servers) await s.node.start(dir);
    relayDir = path.join(dir, 'relay-cwd');
    mkdirSync(relayDir);
    await relay.start(relayDir);

    const signed = await buildDirectory(
      dir,
      servers.map((s) => ({ config: s.node.config, address: s.node.rpc })),
    );
    for (const [i, s] of servers.entries()) {
      s.id = signed.ids[i];
      s.name = s.node.rpc;
    }
    ({ file: directoryFile, trust, trustArgs } = signed);
  });

  after(async () => {
    for (const s of servers) {
      await s.node.stop();
      s.backend.server.close();
    }
    await relay?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    for (const s of servers) s.backend.calls.length = 0;
  });

  /** The relay process's heap (all its strings) as written by --heapsnapshot-signal. */
  async function relayHeapSnapshot(): Promise<string> {
    process.kill(relay.pid as number, 'SIGUSR2');
    const deadline = Date.now() + 60_000;
    for (let last = -1; ; ) {
      await new Promise((r) => setTimeout(r, 500));
      const file = readdirSync(relayDir).find((f) => f.endsWith('.heapsnapshot'));
      const size = file === undefined ? -1 : statSync(path.join(relayDir, file)).size;
      // Complete when its size stops changing and it is a whole JSON document.
      if (file !== undefined && size > 0 && size === last) {
        const text = readFileSync(path.join(relayDir, file), 'utf8');
        if (text.trimEnd().endsWith('}')) return text;
      }
      last = size;
      if (Date.now() > deadline) throw new Error('the relay wrote no heap snapshot');
    }
  }

  function directory(): DirectoryDocument {
    return parseDirectory(JSON.parse(readFileSync(directoryFile, 'utf8')));
  }

  it('veilnode query answers every lookup as monerod does, each from its own server; the relay\'s log and heap never hold a lookup', async () => {
    const args = ['query', '--directory', directoryFile, ...trustArgs, '--via', `http://${relay.rpc}`, '--json'];
    const r = await veilnode([...args, ...lookupWords(lookups)], dir);
    expect(r.code, r.stderr).to.equal(0);
    const results = JSON.parse(r.stdout) as LookupResult[];
    expect(results).to.have.length(3);
    for (const [i, result] of results.entries()) {
      if (!result.ok) throw new Error(result.error);
      expect(result.result, `lookup ${i}`).to.deep.equal(await chain.askMonerod(lookups[i]));
    }
    expect((results[2] as unknown as { result: { spent_status: number[] } }).result.spent_status).to.deep.equal([2]); // spent in the pool
    expect(new Set(results.map((x) => (x.ok ? x.server : ''))).size).to.equal(3);
    expectEachServerSawOnlyItsOwn(servers, results, chain);
    expect(relay.output).to.include('relayed a bundle of sealed lookups');
    for (const secret of secrets) expect(relay.output, 'relay log').to.not.include(secret);
    const heap = await relayHeapSnapshot();
    expect(heap, 'the snapshot holds the relay\'s strings').to.include('split_query_relay');
    for (const secret of secrets) expect(heap.includes(secret), 'a lookup in the relay\'s memory').to.equal(false);
  });

  it('detects a tampered answer and a dropped request, and retries each through another server and relay', async () => {
    const verified = verifyDirectory(directory(), trust, 'regtest', Math.floor(Date.now() / 1000));
    const honest = new HttpRelayChannel(`http://${relay.rpc}`);
    // A relay M that flips a bit of the first answer and drops the second request.
    const misbehaving: RelayChannel = {
      name: 'misbehaving',
      async relay(requests, timeoutMs) {
        const [first] = await honest.relay([requests[0]], timeoutMs);
        const tampered = 'sealed' in first ? { sealed: Buffer.from(Buffer.from(first.sealed, 'base64').map((b, i) => (i === 300 ? b ^ 4 : b))).toString('base64') } : first;
        return [tampered, ...requests.slice(1).map(() => ({ error: 'dropped' }))];
      },
    };
    const asked = [lookups[0], lookups[2]];
    // random() = 0: the shuffle of [honest, misbehaving] puts misbehaving first.
    const results = await splitQuery(asked, { servers: verified.usable, relays: [honest, misbehaving], random: () => 0 });
    expect(results.map((x) => x.attempts.map((a) => [a.relay, a.failure?.replace(/:.*/, '')]))).to.deep.equal([
      [
        ['misbehaving', 'bad seal'],
        [`http://${relay.rpc}`, undefined],
      ],
      [
        ['misbehaving', 'no answer'],
        [`http://${relay.rpc}`, undefined],
      ],
    ]);
    for (const [i, result] of results.entries()) {
      expect(result.ok && result.result, `lookup ${i}`).to.deep.equal(await chain.askMonerod(asked[i]));
      expect(result.attempts[1].server, 'retried at another server').to.not.equal(result.attempts[0].server);
    }
    const droppedAt = servers.find((x) => x.id === results[1].attempts[0].server);
    expect(droppedAt?.backend.calls, 'the server whose request was dropped saw nothing').to.deep.equal([]);
    for (const secret of secrets) expect(relay.output, 'relay log').to.not.include(secret);
  });

  it('never uses an expired or under-signed entry (veilnode directory verify and query say so)', async () => {
    const doc = directory();
    const [s0, s1, s2, s3] = doc.entries;
    const stale = ServerKeys.generate(Math.floor(Date.now() / 1000) - 2 * 86_400, 86_400).public;
    const file = path.join(dir, 'mixed.json');
    const strip = (e: (typeof doc.entries)[number]): Omit<typeof e, 'signatures'> => ({ id: e.id, address: e.address, sealingKey: e.sealingKey, expires: e.expires, sealingSignature: e.sealingSignature });
    writeFileSync(file, JSON.stringify(createDirectory('regtest', [strip(s0), strip(s1), { ...stale, address: s2.address }, strip(s3)])));
    for (const k of [0, 2]) expect((await veilnode(['directory', 'sign', '--key', path.join(dir, `dirkey${k}.json`), file], dir)).code).to.equal(0);
    const signed = JSON.parse(readFileSync(file, 'utf8')) as DirectoryDocument;
    writeFileSync(file, JSON.stringify({ ...signed, entries: signed.entries.map((e, i) => (i === 3 ? { ...e, signatures: e.signatures.slice(0, 1) } : e)) }));
    const verified = await veilnode(['directory', 'verify', ...trustArgs, file], dir);
    expect(verified.code).to.equal(1);
    expect(verified.stdout).to.match(new RegExp(`^rejected  ${stale.id}  ${s2.address}  expired`, 'm'));
    expect(verified.stdout).to.match(new RegExp(`^rejected  ${s3.id}  ${s3.address}  under-signed \\(1 of the required 2`, 'm'));
    const words = ['tx', secrets[0], 'keyimage', secrets[2]];
    const r = await veilnode(['query', '--directory', file, ...trustArgs, '--via', `http://${relay.rpc}`, '--json', ...words], dir);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`skipping server ${stale.id} (${s2.address}): expired`).and.include(`skipping server ${s3.id} (${s3.address}): under-signed`);
    const results = JSON.parse(r.stdout) as LookupResult[];
    expect(results.map((x) => (x.ok ? x.server : x.error)).sort()).to.deep.equal([s0.id, s1.id].sort());
    expect(servers[2].backend.calls).to.deep.equal([]);
    expect(servers[3].backend.calls).to.deep.equal([]);
    // Two usable servers cannot take three lookups: the client refuses instead of reusing one.
    const tooMany = await veilnode(['query', '--directory', file, ...trustArgs, '--via', `http://${relay.rpc}`, ...words, 'pool'], dir);
    expect(tooMany.code).to.not.equal(0);
    expect(tooMany.stderr).to.include('3 lookups need as many servers; the directory has 2 usable');
  });
});
