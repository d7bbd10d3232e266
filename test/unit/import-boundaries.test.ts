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
    // the fixture is text for the linter, never compiled: its compiled-output folder is spliced in
    const compiled = 'dist';
    const messages = await restrictedImports(
      'test/unit/bad-import.test.ts',
      [
        `import { composeNode } from '@veilnode/node/${compiled}/src/node/compose-node';`,
        `import { x } from '../../packages/node/${compiled}/src/index';`,
        'export { composeNode, x };',
      ].join('\n'),
    );
    expect(messages).to.have.length(2);
    for (const message of messages) expect(message).to.include('never a dist/ path');
  });

  it("fails a deep import into another package's src or test, by name or by climbing out of the package", async () => {
    const byName = await restrictedImports('transports/tor/src/bad.ts', "export { SocksTransport } from '@veilnode/socks-transport/src/socks-transport';");
    const relative = await restrictedImports('transports/tor/test/bad.test.ts', "export { Backoff } from '../../socks-base/src/backoff';");
    const fromTests = await restrictedImports('test/unit/bad.test.ts', "export { TorTransport } from '../../transports/tor/src/tor-transport';");
    const intoNode = await restrictedImports('test/unit/bad.test.ts', "export { prepareNode } from '../../packages/node/src/node/prepare-node';");
    expect(byName).to.have.length(1);
    expect(byName[0]).to.include("another package's internals");
    expect(relative).to.have.length(1);
    expect(fromTests).to.have.length(1);
    expect(intoNode).to.have.length(1);
  });

  it('lets through package names and imports inside one package', async () => {
    const messages = await restrictedImports(
      'test/integration/tor/ok.itest.ts',
      [
        "import { ZONE_TOR } from '@veilnode/plugin-api';",
        "import { SocksTransport } from '@veilnode/socks-transport';",
        "import { torMissingReason } from '../../src/harness/tor';",
        "import { echoRoundTrip } from './fixture';",
        'export { ZONE_TOR, SocksTransport, torMissingReason, echoRoundTrip };',
      ].join('\n'),
    );
    const inNode = await restrictedImports('packages/node/src/rpc/monerod/ok.ts', "export { RpcServer } from '../rpc-server';");
    const nodeTest = await restrictedImports('packages/node/test/net/ok.test.ts', "export { TokenBucket } from '../../src/net/token-bucket';");
    expect([...messages, ...inNode, ...nodeTest]).to.deep.equal([]);
  });

  it('holds each package to the packages below it: plugin API, then protocol, then node; plugins reach only the plugin API', async () => {
    const refused = async (file: string, specifier: string): Promise<string[]> => restrictedImports(file, `export { x } from '${specifier}';`);
    expect(await refused('packages/plugin-api/src/bad.ts', '@veilnode/protocol')).to.have.length(1);
    expect(await refused('packages/protocol/src/levin/bad.ts', '@veilnode/node')).to.have.length(1);
    expect(await refused('packages/protocol/test/bad.test.ts', '@veilnode/node/testing')).to.have.length(1);
    expect(await refused('transports/clearnet/src/bad.ts', '@veilnode/node')).to.have.length(1);
    expect(await refused('transports/tor/src/bad.ts', '@veilnode/protocol')).to.have.length(1);
    expect(await refused('transports/clearnet/src/bad.ts', '@veilnode/socks-transport')).to.have.length(1);
    expect(await refused('plugins/split-query/src/bad.ts', '@veilnode/tor')).to.have.length(1);
    const [message] = await refused('transports/memory/src/bad.ts', '@veilnode/node/relay');
    expect(message).to.include('transports/memory may import only @veilnode/plugin-api, @veilnode/compliance (README: package layout)');

    const allowed = [
      ['packages/protocol/src/wire/ok.ts', '@veilnode/plugin-api'],
      ['packages/node/src/peer/ok.ts', '@veilnode/protocol'],
      ['packages/node/test/peer/ok.test.ts', '@veilnode/plugin-api/testing'],
      ['transports/tor/src/ok.ts', '@veilnode/socks-transport'],
      ['transports/i2p-socks/src/ok.ts', '@veilnode/i2p-zone'],
      ['transports/clearnet/test/ok.test.ts', '@veilnode/compliance'],
    ];
    for (const [file, specifier] of allowed) expect(await refused(file, specifier), `${file} -> ${specifier}`).to.deep.equal([]);
  });
});
