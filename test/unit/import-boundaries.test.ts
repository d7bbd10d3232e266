import path from 'node:path';
import { expect } from 'chai';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Lints `source` with the repository's own ESLint config as if it were the file at `file`. */
async function restrictedImports(file: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the lint rule on package edges (eslint.config.mjs)', function () {
  this.timeout(60_000);

  it('fails an import of compiled output, by package name or by relative path', async () => {
    const messages = await restrictedImports(
      'test/unit/bad-import.test.ts',
      [
        "import { composeVeilnode } from '@veilnode/core/dist/src/node/compose-veilnode';",
        "import { x } from '../../core/dist/src/index';",
        'export { composeVeilnode, x };',
      ].join('\n'),
    );
    expect(messages).to.have.length(2);
    for (const message of messages) expect(message).to.include('never a dist/ path');
  });

  it("fails a deep import into another package's src or test, by name or by climbing out of the package", async () => {
    const byName = await restrictedImports('transports/tor/src/bad.ts', "export { SocksTransport } from '@veilnode/socks-transport/src/socks-transport';");
    const relative = await restrictedImports('transports/tor/test/bad.test.ts', "export { Backoff } from '../../socks-base/src/backoff';");
    const fromTests = await restrictedImports('test/unit/bad.test.ts', "export { TorTransport } from '../../transports/tor/src/tor-transport';");
    expect(byName).to.have.length(1);
    expect(byName[0]).to.include("another package's internals");
    expect(relative).to.have.length(1);
    expect(fromTests).to.have.length(1);
  });

  it('lets through package names and imports inside one package', async () => {
    const messages = await restrictedImports(
      'test/integration/tor/ok.itest.ts',
      [
        "import { ZONE_TOR } from '@veilnode/core';",
        "import { SocksTransport } from '@veilnode/socks-transport';",
        "import { torMissingReason } from '../../src/harness/tor';",
        "import { echoRoundTrip } from './fixture';",
        'export { ZONE_TOR, SocksTransport, torMissingReason, echoRoundTrip };',
      ].join('\n'),
    );
    const inCore = await restrictedImports('core/src/rpc/monerod/ok.ts', "export { RpcMethodError } from '../../api/plugin';");
    const coreTest = await restrictedImports('core/test/net/ok.test.ts', "export { SocksDialer } from '../../src/net/socks-dialer';");
    expect([...messages, ...inCore, ...coreTest]).to.deep.equal([]);
  });
});
