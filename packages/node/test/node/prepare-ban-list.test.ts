import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@veilnode/plugin-api';
import { tempDir } from '../../src/testing';
import { prepareError, prepareFromConfig } from '../../src/testing';

describe('start-up reads --ban-list once (p2p.banList)', () => {
  let data: { dir: string; cleanup: () => void };
  beforeEach(() => (data = tempDir()));
  afterEach(() => data.cleanup());

  it('hands the parsed list to the node and says how many entries it read', async () => {
    const file = join(data.dir, 'bans.txt');
    writeFileSync(file, '# spies\n203.0.113.0/24\n2001:db8::1 # one host\n');
    const prepared = await prepareFromConfig({}, { argv: ['--ban-list', file] });
    expect(prepared.banList.isBanned('203.0.113.77')).to.equal(true);
    expect(prepared.banList.isBanned('203.0.114.1')).to.equal(false);
    expect(prepared.log.entries.find((e) => e.msg === 'ban list loaded')?.fields).to.include({ entries: 2 });
  });

  it('bans nobody without one', async () => {
    const prepared = await prepareFromConfig({});
    expect(prepared.banList.size).to.equal(0);
  });

  it('fails start-up with a ConfigError naming the file and line for a bad line, and for a missing file', async () => {
    const file = join(data.dir, 'bans.txt');
    writeFileSync(file, '10.0.0.1\n10.0.0.300\n');
    const bad = await prepareError({ p2p: { banList: file } });
    expect(bad).to.be.instanceOf(ConfigError);
    expect(bad.message).to.include(`ban list ${file} line 2`);
    const missing = await prepareError({ p2p: { banList: join(data.dir, 'none.txt') } });
    expect(missing).to.be.instanceOf(ConfigError);
    expect(missing.message).to.include('cannot read ban list');
  });
});
