import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { veilnode } from '../src/veilnode-cli';

/** What `npm start`'s embedded default config gives an operator, through the real CLI. */
describe('embedded default config', function () {
  this.timeout(30_000);
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'veilnode-defaults-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('loads split-query, so `veilnode query` and `veilnode directory` work out of the box, but registers none of its RPC roles', async () => {
    const plugins = await veilnode(['plugins'], home, { HOME: home });
    expect(plugins.code, plugins.stderr).to.equal(0);
    const block = plugins.stdout.slice(plugins.stdout.indexOf('split-query '));
    expect(block).to.match(/rpc methods {2}-\n/).and.match(/commands {5}directory, query/);
    for (const command of ['query', 'directory']) {
      const result = await veilnode([command, '--help'], home, { HOME: home });
      expect(result.stderr).to.not.contain('unknown');
      expect(result.stdout + result.stderr).to.contain(`usage: veilnode ${command}`);
    }
  });
});
