import { expect } from 'chai';
import { ConfigError, CONFIG_FORMATS } from '@veilnode/plugin-api';
import { buildConfig, type ConfigInputs } from '../../src/config/build-config';
import { parseCommandLine } from '../../src/config/command-line';
import { registerConfigFormat, registerCoreFormats } from '../../src/config/formats';

function inputs(partial: Partial<ConfigInputs>): ConfigInputs {
  return { files: {}, flags: [], env: {}, fragments: [], ...partial };
}

function problemsOf(partial: Partial<ConfigInputs>): string[] {
  try {
    buildConfig(inputs(partial));
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).context.problems as string[];
  }
  throw new Error('expected the config to be rejected');
}

describe('config: convict schema, layers and validation', () => {
  it('has the documented defaults', () => {
    const config = buildConfig(inputs({}));
    expect(config).to.deep.include({ plugins: [], network: 'mainnet', dataDir: '~/.veilnode', zones: {} });
    expect(config.p2p).to.deep.equal({ bindIp: '127.0.0.1', bindPort: 18080, padTransactions: false, limitRateUp: 2048, limitRateDown: 8192, banList: null });
    expect(config.rpc).to.deep.include({ bindIp: '127.0.0.1', bindPort: 18081, login: null, restricted: false, restrictedBindIp: null, restrictedBindPort: null, confirmExternalBind: false });
  });

  it('layers file < env < command line', () => {
    const files = { p2p: { bindPort: 1000, bindIp: '127.0.0.2' }, network: 'testnet', log: { level: 'warn' } };
    const env = { VEILNODE_P2P_BIND_PORT: '2000', VEILNODE_NETWORK: 'stagenet' };
    const flags = parseCommandLine(['--p2p-bind-port', '3000']).settings;
    const config = buildConfig(inputs({ files, env, flags }));
    expect(config.p2p.bindPort, 'flag beats env and file').to.equal(3000);
    expect(config.network, 'env beats file').to.equal('stagenet');
    expect(config.p2p.bindIp, 'file beats default').to.equal('127.0.0.2');
    expect(config.log.level).to.equal('warn');
    expect(buildConfig(inputs({ files, env })).p2p.bindPort, 'env beats file').to.equal(2000);
  });

  it('merges zone flags into the file zones field by field (flags win)', () => {
    const files = { zones: { tor: { maxInbound: 5, proxy: '127.0.0.1:1' } } };
    const flags = parseCommandLine(['--tx-proxy', 'tor,127.0.0.1:9050,20']).settings;
    expect(buildConfig(inputs({ files, flags })).zones.tor).to.deep.equal({ maxInbound: 5, proxy: '127.0.0.1:9050', enabled: true, transport: 'tor', maxOutbound: 20 });
  });

  it('never reads process.env', () => {
    process.env.VEILNODE_NETWORK = 'regtest';
    try {
      expect(buildConfig(inputs({})).network).to.equal('mainnet');
    } finally {
      delete process.env.VEILNODE_NETWORK;
    }
  });

  it('mounts plugin fragments under the plugin name, with env support', () => {
    const fragments = [{ plugin: 'i2p-sam', schema: { sam: { format: CONFIG_FORMATS.hostPort, default: '127.0.0.1:7656', env: 'I2P_SAM' } } }];
    expect(buildConfig(inputs({ fragments }))['i2p-sam']).to.deep.equal({ sam: '127.0.0.1:7656' });
    expect(buildConfig(inputs({ fragments, env: { I2P_SAM: '127.0.0.1:7000' } }))['i2p-sam']).to.deep.equal({ sam: '127.0.0.1:7000' });
    const flags = parseCommandLine(['--i2p-sam', '127.0.0.1:7001']).settings;
    expect(buildConfig(inputs({ fragments, env: { I2P_SAM: '127.0.0.1:7000' }, flags }))['i2p-sam']).to.deep.equal({ sam: '127.0.0.1:7001' });
  });

  it('reports every unknown key and every wrong value at once, each with its path', () => {
    const problems = problemsOf({
      files: {
        network: 'moon',
        p2p: { bindPort: 70000, bindIp: 'localhost' },
        rpc: { login: 'nocolon', colour: 'blue' },
        telemetry: true,
        zones: {
          tor: { proxy: 'http://127.0.0.1:9050', maxOutbound: -1, color: 'x', inbound: { address: 'a.onion', bind: '127.0.0.1' } },
          Bad_Name: {},
          i2p: { peers: ['', 7] },
        },
      },
    });
    expect(problems).to.have.members([
      'network: must be one of the possible values: ["mainnet","testnet","stagenet","regtest"]: value was "moon"',
      'p2p.bindIp: must be a literal IPv4 or IPv6 address: value was "localhost"',
      'p2p.bindPort: must be an integer in 0..65535: value was 70000',
      'rpc.login: must be USER:PASSWORD',
      'rpc.colour: unknown key (not in the core schema or any loaded plugin\'s schema)',
      'telemetry: unknown key (not in the core schema or any loaded plugin\'s schema)',
      'zones.tor.color: unknown key (known: enabled, transport, proxy, maxOutbound, maxInbound, maxConnectionsPerIp, noise, inbound, peers, exclusivePeers, seeds)',
      'zones.tor.proxy: unsupported scheme http:// (use socks4a:// or socks5://)',
      'zones.tor.maxOutbound: must be an integer >= 0',
      'zones.tor.inbound.bind: expected IP:PORT ([IPV6]:PORT for IPv6)',
      'zones.Bad_Name: zone names are lower-case letters, digits and -',
      'zones.i2p.peers[0]: must be a non-empty string',
      'zones.i2p.peers[1]: must be a non-empty string',
    ]);
  });

  it('reads hidden-service RPC listeners (rpc.zones) and reports each bad entry with its path', () => {
    const zones = { tor: { address: 'abc.onion:18089', bind: '127.0.0.1:18089' } };
    expect(buildConfig(inputs({ files: { rpc: { zones } } })).rpc.zones).to.deep.equal(zones);
    expect(buildConfig(inputs({})).rpc.zones).to.deep.equal({});
    expect(problemsOf({ files: { rpc: { zones: { tor: { address: '', bind: 'x', extra: 1 }, Bad: 5 } } } })).to.have.members([
      'rpc.zones.tor.extra: unknown key (known: address, bind)',
      'rpc.zones.tor.address: must be our address in zone tor',
      'rpc.zones.tor.bind: expected IP:PORT ([IPV6]:PORT for IPv6)',
      'rpc.zones.Bad: zone names are lower-case letters, digits and -',
      'rpc.zones.Bad: must be {address, bind}',
    ]);
  });

  it("ports and switches are strict: no '42400x' read as 42400, no 'no' read as true (file or environment)", () => {
    expect(problemsOf({ files: { p2p: { bindPort: '42400x' }, rpc: { restricted: 'no', bindPort: 18081.5 } } })).to.have.members([
      'p2p.bindPort: must be an integer in 0..65535: value was "42400x"',
      'rpc.restricted: must be true or false: value was "no"',
      'rpc.bindPort: must be an integer in 0..65535: value was 18081.5',
    ]);
    expect(problemsOf({ env: { VEILNODE_RPC_RESTRICTED: 'yes', VEILNODE_RPC_BIND_PORT: '70000' } })).to.have.members([
      'rpc.restricted: must be true or false: value was "yes" (from env VEILNODE_RPC_RESTRICTED)',
      'rpc.bindPort: must be an integer in 0..65535: value was 70000 (from env VEILNODE_RPC_BIND_PORT)',
    ]);
    const config = buildConfig(inputs({ env: { VEILNODE_RPC_RESTRICTED: 'false', VEILNODE_P2P_PAD_TRANSACTIONS: '1', VEILNODE_P2P_BIND_PORT: '0' } }));
    expect(config.rpc.restricted).to.equal(false);
    expect(config.p2p).to.include({ padTransactions: true, bindPort: 0 });
  });

  it('never shows the RPC password in a validation error', () => {
    const problems = problemsOf({ files: { rpc: { login: 'only-a-secret' } } });
    expect(problems.join('\n')).not.to.contain('only-a-secret');
  });

  it('says which flag or environment variable a wrong value came from', () => {
    expect(problemsOf({ env: { VEILNODE_RPC_BIND_PORT: 'abc' } })).to.deep.equal([
      'rpc.bindPort: must be an integer in 0..65535: value was "abc" (from env VEILNODE_RPC_BIND_PORT)',
    ]);
    const flags = parseCommandLine(['--out-peers', '8']).settings;
    expect(problemsOf({ flags, files: { zones: { clearnet: { maxInbound: 'many' } } } })).to.deep.equal(['zones.clearnet.maxInbound: must be an integer >= 0']);
    const i2pSam = parseCommandLine(['--i2p-sam', '127.0.0.1:7656']).settings;
    expect(problemsOf({ flags: i2pSam })).to.deep.equal([
      "i2p-sam.sam: unknown key (not in the core schema or any loaded plugin's schema) (from --i2p-sam)",
    ]);
  });

  it('reports a plugin fragment value that fails its format', () => {
    const fragments = [{ plugin: 'i2p-sam', schema: { sam: { format: CONFIG_FORMATS.hostPort, default: '127.0.0.1:7656' } } }];
    expect(problemsOf({ fragments, files: { 'i2p-sam': { sam: '127.0.0.1:0', extra: 1 } } })).to.have.members([
      'i2p-sam.sam: port must not be 0: value was "127.0.0.1:0"',
      "i2p-sam.extra: unknown key (not in the core schema or any loaded plugin's schema)",
    ]);
  });

  it('rejects a plugin fragment convict cannot compile, naming the plugin', () => {
    expect(() => buildConfig(inputs({ fragments: [{ plugin: 'broken', schema: { x: { format: 'no-such-format', default: 1 } } }] })))
      .to.throw('plugin broken has an invalid configSchema')
      .with.property('code', 'PLUGIN_SCHEMA_INVALID');
  });

  it('refuses to register a config format twice or outside the veilnode- namespace', () => {
    registerCoreFormats();
    expect(() => registerConfigFormat(CONFIG_FORMATS.hostPort, { validate: () => undefined })).to.throw(ConfigError, 'config format veilnode-host-port is already registered');
    expect(() => registerConfigFormat('port', { validate: () => undefined })).to.throw(ConfigError, 'config format "port" must be namespaced veilnode-*');
  });
});
