import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { prepareError, prepareFromConfig } from '@veilnode/node/testing';
import { veilnode } from '../src/veilnode-cli';

const KOVRI = { plugins: ['@veilnode/clearnet', '@veilnode/kovri'], zones: { kovri: { enabled: true } } };

/** A plugin's own option (Kovri's --kovri-router) through the real start-up and the real CLI. */
describe("a plugin's command-line option", () => {
  it("sets the plugin's setting over the config file's value", async () => {
    const prepared = await prepareFromConfig({ ...KOVRI, kovri: { router: '127.0.0.1:1' } }, { argv: ['--kovri-router', '127.0.0.1:7070'] });
    expect(prepared.config).to.deep.include({ kovri: { router: '127.0.0.1:7070' } });
  });

  it("is validated by the plugin's schema, the error naming the option", async () => {
    const error = await prepareError(KOVRI, { argv: ['--kovri-router', 'nonsense'] });
    expect(error.message).to.contain('kovri.router: expected HOST:PORT, got "nonsense"').and.contain('(from --kovri-router)');
  });

  it('is unknown when the plugin is not loaded', async () => {
    const error = await prepareError({ plugins: ['@veilnode/clearnet'] }, { argv: ['--kovri-router', '127.0.0.1:7070'] });
    expect(error.message).to.contain('unknown option --kovri-router');
  });

  describe('through the veilnode CLI', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'veilnode-plugin-options-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('--help lists the options of the plugins the config loads', async function () {
      this.timeout(30_000);
      const defaults = await veilnode(['--help'], dir);
      expect(defaults.code, defaults.stderr).to.equal(0);
      expect(defaults.stdout).to.match(/^ {2}--kovri-router HOST:PORT +Kovri router to use \(unused: Kovri is a stub\) \(plugin kovri\)$/m);
      writeFileSync(path.join(dir, 'no-kovri.json5'), "{ plugins: ['@veilnode/clearnet'] }");
      const without = await veilnode(['--config', 'no-kovri.json5', '--help'], dir);
      expect(without.code, without.stderr).to.equal(0);
      expect(without.stdout).to.contain('--p2p-bind-port').and.not.contain('--kovri-router');
    });
  });
});
