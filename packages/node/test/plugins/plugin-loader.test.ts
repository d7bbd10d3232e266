import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, PluginError } from '@veilnode/plugin-api';
import { parseCommandLine } from '../../src/config/command-line';
import { prepareNode } from '../../src/node/prepare-node';
import { EMPTY_DEFAULT_CONFIG, pluginFixture, tempDir, writeConfig } from '../../src/testing/fixtures';
import { prepareError, prepareFromConfig } from '../../src/testing/prepare';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

const TCP = pluginFixture('tcp-zone.cjs');
const ESM = pluginFixture('esm-rpc.mjs');
const tcpZone = { clearnet: { transport: 'fixture-tcp' } };

/** Writes `source` as a throwaway plugin module `name`, runs `use` with its path, then removes it. */
async function withPluginModule(name: string, source: string, use: (file: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, name);
    writeFileSync(file, source);
    await use(file);
  } finally {
    cleanup();
  }
}

describe('plugin loader', () => {
  describe('loading', () => {
    it('loads CommonJS and ES modules (named and default exports) in config order, recording where from', async () => {
      const prepared = await prepareFromConfig({ plugins: [TCP, ESM, pluginFixture('esm-default.mjs')], zones: tcpZone });
      expect(prepared.registry.plugins().map((p) => [p.name, p.version, p.source])).to.deep.equal([
        ['fixture-tcp', '1.2.3', TCP],
        ['esm-rpc', '0.3.0', ESM],
        ['esm-default', '1.0.0', pluginFixture('esm-default.mjs')],
      ]);
      const [tcp, esm] = prepared.registry.plugins();
      expect(tcp).to.deep.include({ zones: ['clearnet'], transports: ['fixture-tcp'], rpcMethods: [] });
      expect(esm).to.deep.include({ zones: [], transports: [], rpcMethods: ['fixture_echo'] });
      expect(prepared.zones.map((z) => [z.name, z.transport, z.inbound?.bind])).to.deep.equal([['clearnet', 'fixture-tcp', { host: '127.0.0.1', port: 18080 }]]);
    });

    it('resolves relative paths from the config file directory, and package names like require', async () => {
      const { dir, cleanup } = tempDir();
      try {
        const pkg = path.join(dir, 'node_modules', 'fixture-pkg');
        mkdirSync(pkg, { recursive: true });
        writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'fixture-pkg', main: 'main.js' }));
        writeFileSync(path.join(pkg, 'main.js'), "module.exports = { name: 'fixture-pkg', version: '2.0.0', coreApi: '^2.0.0', register() {} };\n");
        // TypeScript's CommonJS output: exports.default inside an __esModule object.
        mkdirSync(path.join(dir, 'conf', 'local'), { recursive: true });
        writeFileSync(
          path.join(dir, 'conf', 'local', 'ts-output.js'),
          "Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = { name: 'ts-output', version: '1.0.0', coreApi: '^2.0.0', register() {} };\n",
        );
        const file = writeConfig(path.join(dir, 'conf'), { plugins: ['./local/ts-output.js', 'fixture-pkg'], dataDir: path.join(dir, 'data') });
        // cwd elsewhere: resolution must follow the config file, not the working directory.
        const prepared = await prepareNode({
          commandLine: parseCommandLine(['--config', file]),
          env: {},
          cwd: '/',
          defaultConfigFile: EMPTY_DEFAULT_CONFIG,
          createLogger: () => new RecordingLogger(),
        });
        expect(prepared.registry.plugins().map((p) => [p.name, p.specifier, p.source])).to.deep.equal([
          ['ts-output', './local/ts-output.js', path.join(dir, 'conf', 'local', 'ts-output.js')],
          ['fixture-pkg', 'fixture-pkg', path.join(pkg, 'main.js')],
        ]);
      } finally {
        cleanup();
      }
    });

    it('validates plugin fragments with the core config and hands each plugin its settings', async () => {
      const greet = await prepareFromConfig({ plugins: [ESM], 'esm-rpc': { greeting: 'hi' } });
      const echo = greet.rpcMethods.get('fixture_echo');
      expect(await echo?.handler({ x: 1 }, { zone: 'clearnet', restricted: false })).to.deep.equal({ greeting: 'hi', params: { x: 1 } });
      const fromEnv = await prepareFromConfig({ plugins: [ESM] }, { env: { ESM_RPC_GREETING: 'from env' } });
      expect(await fromEnv.rpcMethods.get('fixture_echo')?.handler({}, { zone: 'clearnet', restricted: false })).to.deep.include({ greeting: 'from env' });
      const error = await prepareError({ plugins: [ESM], 'esm-rpc': { greeting: 5, volume: 11 } });
      expect(error).to.be.instanceOf(ConfigError);
      expect(error.context.problems).to.have.members([
        'esm-rpc.greeting: must be of type String: value was 5',
        "esm-rpc.volume: unknown key (not in the core schema or any loaded plugin's schema)",
      ]);
    });

    it('gives register() the resolved settings of a zone, defaults from the zone policy', async () => {
      await withPluginModule('peek.cjs', "module.exports = { name: 'peek', version: '1.0.0', coreApi: '^2.0.0', register(ctx) { globalThis.peeked = [ctx.zoneConfig('clearnet'), ctx.zoneConfig('tor'), ctx.network]; } };\n", async (file) => {
        await prepareFromConfig({ plugins: [TCP, file], network: 'regtest', p2p: { bindIp: '::1', bindPort: 28080 }, zones: { clearnet: { transport: 'fixture-tcp', maxOutbound: 3 } } });
        expect((globalThis as unknown as { peeked: unknown[] }).peeked).to.deep.equal([
          {
            name: 'clearnet',
            enabled: true,
            transport: 'fixture-tcp',
            proxy: null,
            maxOutbound: 3,
            maxInbound: 64,
            maxConnectionsPerIp: 1,
            noise: false,
            inbound: { address: '[::1]:28080', bind: { host: '::1', port: 28080 }, max: 64 },
            peers: [],
            exclusivePeers: [],
            seeds: [],
          },
          undefined,
          'regtest',
        ]);
      });
    });

    it('accepts the same zone definition object registered by two plugins', async () => {
      const prepared = await prepareFromConfig({ plugins: [pluginFixture('shared-zone-a.cjs'), pluginFixture('shared-zone-b.cjs')] });
      expect([...prepared.registry.zones().keys()]).to.deep.equal(['shared']);
      expect(prepared.registry.plugins().map((p) => p.zones)).to.deep.equal([['shared'], ['shared']]);
    });
  });

  describe('rejections (each names the plugin)', () => {
    it('a missing module (path)', async () => {
      const error = await prepareError({ plugins: ['./nowhere/plugin.js'] });
      expect(error).to.be.instanceOf(PluginError).and.include({ code: 'PLUGIN_NOT_FOUND' });
      expect(error.message).to.match(/^plugin module \.\/nowhere\/plugin\.js not found: file .*\/nowhere\/plugin\.js does not exist$/);
    });

    it('a missing module (package name)', async () => {
      const error = await prepareError({ plugins: ['@veilnode/no-such-plugin'] });
      expect(error.code).to.equal('PLUGIN_NOT_FOUND');
      expect(error.message).to.match(/^plugin module @veilnode\/no-such-plugin not found: no package @veilnode\/no-such-plugin is installed \(looked from .*\)$/);
    });

    it('a module that throws while loading', async () => {
      await withPluginModule('broken.cjs', "throw new Error('boom at import');\n", async (file) => {
        const error = await prepareError({ plugins: [file] });
        expect(error.code).to.equal('PLUGIN_LOAD_FAILED');
        expect(error.message).to.equal(`plugin module ${file} (${file}) failed to load: boom at import`);
      });
    });

    it('a module that is not a plugin, saying which fields are missing or wrong', async () => {
      const file = pluginFixture('not-a-plugin.cjs');
      const error = await prepareError({ plugins: [file] });
      expect(error.code).to.equal('PLUGIN_INVALID');
      expect(error.message).to.equal(
        `module ${file} (${file}) is not a veilnode plugin: version is missing; coreApi is missing (a semver range such as ^2.0.0); register must be a function`,
      );
    });

    it('a plugin whose commands are malformed, saying which', async () => {
      await withPluginModule('bad-commands.cjs', "module.exports = { name: 'x', version: '1.0.0', coreApi: '^2.0.0', register() {}, commands: [{ name: 'Query', summary: 's', run() {} }, { name: 'ok' }] };\n", async (file) => {
        const error = await prepareError({ plugins: [file] });
        expect(error.code).to.equal('PLUGIN_INVALID');
        expect(error.message).to.equal(
          `module ${file} (${file}) is not a veilnode plugin: commands[0].name must be lower-case letters, digits and -; commands[1].summary must be a string; commands[1].run must be a function`,
        );
      });
    });

    it('a module without a plugin export', async () => {
      await withPluginModule('number.mjs', 'export default 42;\n', async (file) => {
        const error = await prepareError({ plugins: [file] });
        expect(error.code).to.equal('PLUGIN_INVALID');
        expect(error.message).to.equal(`module ${file} (${file}) is not a veilnode plugin: it has neither a default nor a named \`plugin\` export that is an object`);
      });
    });

    it('an incompatible coreApi range', async () => {
      const file = pluginFixture('future-api.cjs');
      const error = await prepareError({ plugins: [file] });
      expect(error.code).to.equal('PLUGIN_API_INCOMPATIBLE');
      expect(error.message).to.equal(`plugin future-api@9.0.0 (${file}) targets core API ^3.0.0, but this core implements 2.0.0`);
    });

    it('a plugin written for ABI 1.x (string zone settings, dials matched by address)', async () => {
      await withPluginModule('abi-one.cjs', "module.exports = { name: 'abi-one', version: '1.0.0', coreApi: '^1.0.0', register() {} };\n", async (file) => {
        const error = await prepareError({ plugins: [file] });
        expect(error.code).to.equal('PLUGIN_API_INCOMPATIBLE');
        expect(error.message).to.include('targets core API ^1.0.0, but this core implements 2.0.0');
      });
    });

    it('a duplicate plugin name', async () => {
      const error = await prepareError({ plugins: [ESM, ESM] });
      expect(error.code).to.equal('PLUGIN_DUPLICATE');
      expect(error.message).to.equal(`plugin name esm-rpc is used twice: by ${ESM} (${ESM}) and by ${ESM} (${ESM})`);
    });

    it('a plugin named like a core config key', async () => {
      const error = await prepareError({ plugins: [pluginFixture('reserved-name.cjs')] });
      expect(error.code).to.equal('PLUGIN_NAME_RESERVED');
      expect(error.message).to.contain('is named "rpc", which is a core config key (reserved: plugins, network, dataDir, log, p2p, rpc, relay, zones, metrics)');
    });

    it('a duplicate transport name', async () => {
      const error = await prepareError({ plugins: [TCP, pluginFixture('duplicate-transport.cjs')], zones: tcpZone });
      expect(error.code).to.equal('TRANSPORT_DUPLICATE');
      expect(error.message).to.equal('plugin duplicate-transport registers transport fixture-tcp, which plugin fixture-tcp already registered');
    });

    it('a conflicting zone definition', async () => {
      const error = await prepareError({ plugins: [TCP, pluginFixture('conflicting-zone.cjs')], zones: tcpZone });
      expect(error.code).to.equal('ZONE_CONFLICT');
      expect(error.message).to.equal('plugin conflicting-zone registers zone clearnet, which plugin fixture-tcp already registered with a different definition');
    });

    it('a plugin whose register throws: start-up stops and says which plugin failed', async () => {
      const file = pluginFixture('throws-on-register.cjs');
      const error = await prepareError({ plugins: [ESM, file] });
      expect(error.code).to.equal('PLUGIN_REGISTER_FAILED');
      expect(error.context.plugin).to.equal('throws-on-register');
      expect(error.message).to.equal(`plugin throws-on-register (${file}) failed to register: the SAM bridge is not configured`);
    });

    it('a plugin taking an RPC method name core owns', async () => {
      await withPluginModule('rpc-thief.cjs', "module.exports = { name: 'rpc-thief', version: '1.0.0', coreApi: '^2.0.0', register(ctx) { ctx.registerRpcMethod('get_zones', () => 1); } };\n", async (file) => {
        const error = await prepareError({ plugins: [file] });
        expect(error.code).to.equal('RPC_METHOD_DUPLICATE');
        expect(error.message).to.equal('plugin rpc-thief: RPC method get_zones is already registered by core');
      });
    });

    it('a context used after register() returned', async () => {
      await withPluginModule('late.cjs', "module.exports = { name: 'late', version: '1.0.0', coreApi: '^2.0.0', register(ctx) { globalThis.lateContext = ctx; } };\n", async (file) => {
        await prepareFromConfig({ plugins: [file] });
        const late = (globalThis as unknown as { lateContext: { registerRpcMethod(n: string, h: () => void): void } }).lateContext;
        expect(() => late.registerRpcMethod('late_method', () => undefined)).to.throw('plugin late called registerRpcMethod after register() returned');
      });
    });
  });

  describe('zones against what the plugins registered', () => {
    it('rejects enabled zones nobody registered, unknown transports, wrong-zone transports and bad peers, all at once', async () => {
      const error = await prepareError({
        plugins: [TCP, pluginFixture('shared-zone-a.cjs')],
        zones: { tor: {}, clearnet: { transport: 'clearnet', peers: ['127.0.0.1:1'] }, shared: { transport: 'fixture-tcp' } },
      });
      expect(error).to.be.instanceOf(ConfigError);
      expect(error.context.problems).to.deep.equal([
        'zones.tor: unknown zone tor (zones registered by the loaded plugins: clearnet, shared)',
        'zones.clearnet.transport: no transport named clearnet is registered (transports serving zone clearnet: fixture-tcp)',
        'zones.shared.transport: transport fixture-tcp serves zone clearnet, not shared',
      ]);
      const peers = await prepareError({ plugins: [TCP], zones: { clearnet: { transport: 'fixture-tcp', peers: ['127.0.0.1:1', 'seed.example:18080'] } } });
      expect(peers.context.problems).to.deep.equal(['zones.clearnet.peers[1]: invalid address "seed.example:18080": expected IPV4:PORT']);
    });

    it('takes the only transport serving a zone when config names none, and refuses to guess between several', async () => {
      const single = await prepareFromConfig({ plugins: [pluginFixture('shared-zone-a.cjs')], zones: { shared: {} } });
      expect(single.zones.map((z) => [z.name, z.transport])).to.deep.equal([['shared', 'shared-a']]);
      await withPluginModule('second-transport.cjs', "module.exports = { name: 'second-transport', version: '1.0.0', coreApi: '^2.0.0', register(ctx) { ctx.registerTransport({ name: 'shared-c', zone: 'shared', create: () => undefined }); } };\n", async (file) => {
        const error = await prepareError({ plugins: [pluginFixture('shared-zone-a.cjs'), file], zones: { shared: {} } });
        expect(error.context.problems).to.deep.equal(['zones.shared.transport: transports shared-a, shared-c all serve zone shared; choose one: add --tx-proxy shared,IP:PORT, or set zones.shared.transport']);
        const chosen = await prepareFromConfig({ plugins: [pluginFixture('shared-zone-a.cjs'), file], zones: { shared: { transport: 'shared-c' } } });
        expect(chosen.zones[0].transport).to.equal('shared-c');
      });
    });

    it('limits inbound connections per IP on a public zone (1 by default, as monerod) and refuses the setting on an anonymity zone', async () => {
      const byDefault = await prepareFromConfig({ plugins: [TCP], zones: tcpZone });
      expect(byDefault.zones[0]).to.include({ maxConnectionsPerIp: 1, maxInbound: 64, maxOutbound: 12 });
      const raised = await prepareFromConfig({ plugins: [TCP], zones: { clearnet: { transport: 'fixture-tcp', maxConnectionsPerIp: 4 } } });
      expect(raised.zones[0].maxConnectionsPerIp).to.equal(4);
      const anonymous = await prepareFromConfig({ plugins: [pluginFixture('shared-zone-a.cjs')], zones: { shared: {} } });
      expect(anonymous.zones[0].maxConnectionsPerIp).to.equal(undefined);
      const error = await prepareError({ plugins: [pluginFixture('shared-zone-a.cjs')], zones: { shared: { maxConnectionsPerIp: 2 } } });
      expect(error.context.problems).to.deep.equal([
        "zones.shared.maxConnectionsPerIp: does not apply to an anonymity zone (its inbound peers all arrive from the local Tor/I2P daemon's address); use maxInbound",
      ]);
    });

    it('ignores a disabled entry for a zone no plugin provides', async () => {
      const prepared = await prepareFromConfig({ plugins: [TCP], zones: { ...tcpZone, kovri: { enabled: false } } });
      expect(prepared.zones.map((z) => z.name)).to.deep.equal(['clearnet']);
    });

    it('skips a zone only the embedded default enables when the user\'s plugin list leaves its plugin out', async () => {
      // The real embedded default enables clearnet; this user lists only a fixture plugin.
      const { dir, cleanup } = tempDir();
      try {
        const prepare = (config: Record<string, unknown>) =>
          prepareNode({
            commandLine: parseCommandLine(['--config', writeConfig(dir, { dataDir: `${dir}/data`, ...config })]),
            env: {},
            cwd: dir,
            createLogger: () => new RecordingLogger(),
          });
        const prepared = await prepare({ plugins: [pluginFixture('shared-zone-a.cjs')] });
        expect(prepared.zones.map((z) => z.name)).to.deep.equal([]);
        // Named by the user, the same zone must be served.
        const error = await prepare({ plugins: [pluginFixture('shared-zone-a.cjs')], zones: { clearnet: { enabled: true } } }).catch((e: unknown) => e as ConfigError);
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as ConfigError).context.problems).to.deep.equal(['zones.clearnet: unknown zone clearnet (zones registered by the loaded plugins: shared)']);
      } finally {
        cleanup();
      }
    });

    it('a --tx-proxy for a zone without its plugin is reported with the flag', async () => {
      const error = await prepareError({ plugins: [TCP], zones: tcpZone }, { argv: ['--tx-proxy', 'tor,127.0.0.1:9050'] });
      expect(error.context.problems).to.deep.equal(['zones.tor: unknown zone tor (zones registered by the loaded plugins: clearnet) (from --tx-proxy)']);
    });
  });
});
