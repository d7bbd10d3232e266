import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ConfigError, type PluginCommandContext } from '@veilnode/plugin-api';
import { directoryCommand } from '../src/cli/directory-command';
import { queryCommand } from '../src/cli/query-command';
import type { DirectoryDocument } from '../src/directory';
import { splitQueryConfig } from './helpers';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('split-query commands (veilnode directory, veilnode query)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'split-query-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(command: typeof directoryCommand, argv: string[], dataDir = path.join(dir, 'data'), config: Record<string, unknown> = {}): Promise<Run> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const ctx: PluginCommandContext = { stdout, stderr, network: 'regtest', config: <T>() => splitQueryConfig(config) as T, dataDir: () => (mkdirSync(dataDir, { recursive: true, mode: 0o700 }), dataDir) };
    const code = await command.run(argv, ctx);
    return { code, stdout: out, stderr: err };
  }

  it('keygen, entry, create, sign and verify build a directory a client accepts only once k keys signed it', async () => {
    const keys: string[] = [];
    for (const k of [0, 1]) {
      const file = path.join(dir, `key${k}.json`);
      const r = await run(directoryCommand, ['keygen', '--out', file]);
      expect(r.code).to.equal(0);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(readFileSync(file, 'utf8')).to.not.include(r.stdout.trim());
      keys.push(r.stdout.trim());
    }
    const entries: string[] = [];
    for (const s of [0, 1]) {
      const r = await run(directoryCommand, ['entry', '--address', `127.0.0.1:${18_081 + s}`], path.join(dir, `server${s}`));
      expect(r.code).to.equal(0);
      entries.push(path.join(dir, `entry${s}.json`));
      writeFileSync(entries[s], r.stdout);
    }
    const file = path.join(dir, 'd.json');
    expect((await run(directoryCommand, ['create', '--out', file, ...entries])).code).to.equal(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as DirectoryDocument).network).to.equal('regtest');
    const trust = ['--trust', keys[0], '--trust', keys[1], '--threshold', '2'];
    expect((await run(directoryCommand, ['sign', '--key', path.join(dir, 'key0.json'), file])).code).to.equal(0);
    const half = await run(directoryCommand, ['verify', ...trust, file]);
    expect(half.code).to.equal(1);
    expect(half.stdout.match(/^rejected .* under-signed \(1 of the required 2/gm)).to.have.length(2);
    expect((await run(directoryCommand, ['sign', '--key', path.join(dir, 'key1.json'), file])).code).to.equal(0);
    const full = await run(directoryCommand, ['verify', file], undefined, { directory: { trustedKeys: keys, threshold: 2 } });
    expect(full.code, 'trust from the config').to.equal(0);
    expect(full.stdout.match(/^usable /gm)).to.have.length(2);
  });

  it('refuses to overwrite a key, and names what is wrong with bad arguments', async () => {
    const key = path.join(dir, 'key.json');
    await run(directoryCommand, ['keygen', '--out', key]);
    const fail = (argv: string[], command = directoryCommand): Promise<unknown> => run(command, argv).then(() => expect.fail('accepted'), (e: unknown) => e);
    expect(await fail(['keygen', '--out', key])).to.be.instanceOf(ConfigError).with.property('message').that.includes('refusing to overwrite');
    expect(await fail(['entry', '--address', 'localhost:1'])).to.have.property('message').that.includes('not an IPv4 literal');
    expect(await fail(['verify', path.join(dir, 'missing.json')])).to.have.property('message').that.includes('no trusted directory keys');
    expect(await fail(['--directory', 'd.json', 'tx', 'ab'], queryCommand)).to.have.property('message').that.includes('no trusted directory keys');
    expect((await run(directoryCommand, ['frobnicate'])).code).to.equal(2);
    writeFileSync(path.join(dir, 'd.json'), JSON.stringify({ format: 'veilnode-split-query-directory/1', network: 'regtest', entries: [] }));
    const query = (extra: string[]): Promise<unknown> => fail(['--directory', path.join(dir, 'd.json'), '--trust', 'aa'.repeat(32), ...extra], queryCommand);
    expect(await query(['tx', 'ab'.repeat(32)])).to.have.property('message').that.includes('--via http://RELAY:PORT is required');
    expect(await query(['--via', 'http://127.0.0.1:1', '--timeout', 'soon', 'tx', 'ab'.repeat(32)])).to.have.property('message').that.includes('--timeout "soon"');
    expect(await query(['--via', 'http://127.0.0.1:1', 'blocks', '5'])).to.have.property('message').that.includes('unexpected "blocks"');
    expect(await query(['--via', 'http://127.0.0.1:1', 'tx', 'xyz'])).to.have.property('message').that.includes('tx id must be 64 lower-case hex digits');
  });
});
