import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, PluginError } from '@veilnode/plugin-api';
import { pluginFixture, tempDir } from '../../src/testing';
import { prepareError, prepareFromConfig } from '../../src/testing';

const TCP = pluginFixture('tcp-zone.cjs');
const PLUGIN_API = JSON.stringify(require.resolve('@veilnode/plugin-api'));

/**
 * A plugin with a setting it checks itself in register() (it throws on any value that is not a
 * number: as a plugin may when handed values that did not pass validation), serving zone
 * `checked` with transport `checked-t`; with `refuseOutPeers` it refuses 99
 * clearnet outbound connections by path.
 */
const SELF_CHECKING = `
const { ConfigError, anonymityZonePolicy } = require(${PLUGIN_API});
const codec = { zone: 'checked', wireTypes: [3], claims: () => false, parse: (t) => { if (!t.endsWith('.checked')) throw new Error('not a .checked name'); return { zone: 'checked', host: t, port: 0 }; }, format: (a) => a.host, toWire: () => undefined, fromWire: () => undefined };
module.exports = {
  name: 'self-checking', version: '1.0.0', coreApi: '^2.0.0',
  configSchema: { level: { format: 'nat', default: 1 }, refuseOutPeers: { format: Boolean, default: false } },
  register(ctx) {
    const { level, refuseOutPeers } = ctx.config();
    if (typeof level !== 'number') throw new TypeError('level is not a number');
    if (refuseOutPeers && ctx.zoneConfig('clearnet')?.maxOutbound === 99) throw new ConfigError('zones.clearnet.maxOutbound: refused', { path: 'zones.clearnet.maxOutbound' });
    ctx.registerZone({ name: 'checked', codec, policy: anonymityZonePolicy('checked') });
    ctx.registerTransport({ name: 'checked-t', zone: 'checked', create: () => undefined });
  },
};
`;

async function withSelfChecking(use: (plugin: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'self-checking.cjs');
    writeFileSync(file, SELF_CHECKING);
    await use(file);
  } finally {
    cleanup();
  }
}

describe('node/probeZoneProblems: zone problems reported with the first validation pass', () => {
  it('a zone transport typo comes in the same error as the other invalid values', async () => {
    const error = await prepareError({ plugins: [TCP], zones: { clearnet: { transport: 'fixture-tcpp' } }, p2p: { bindPort: '42400x' }, rpc: { restricted: 'no' } });
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.context.problems).to.deep.equal([
      'p2p.bindPort: must be an integer in 0..65535: value was "42400x"',
      'rpc.restricted: must be true or false: value was "no"',
      'zones.clearnet.transport: no transport named fixture-tcpp is registered (transports serving zone clearnet: fixture-tcp)',
    ]);
  });

  it('a zone problem a flag caused names the flag in the first pass too', async () => {
    const error = await prepareError({ plugins: [TCP], zones: { clearnet: { transport: 'fixture-tcp' } }, p2p: { bindPort: '42400x' } }, { argv: ['--add-peer', '127.0.0.1'] });
    expect(error.context.problems).to.deep.equal([
      'p2p.bindPort: must be an integer in 0..65535: value was "42400x"',
      '--add-peer "127.0.0.1": no enabled zone claims this address (zones: clearnet)',
    ]);
  });

  it('a value the first pass already refused is not reported again by the zone check', async () => {
    const error = await prepareError({ plugins: [TCP], zones: { clearnet: { transport: 'fixture-tcp', peers: 'x' } } });
    expect(error.context.problems).to.deep.equal(['zones.clearnet.peers: must be an array of addresses']);
  });

  it("an anonymity zone's own inbound address is checked with its codec before the zone starts, with the other problems", async () => {
    await withSelfChecking(async (plugin) => {
      const zones = { clearnet: { transport: 'fixture-tcp' }, checked: { inbound: { address: 'ours.onion', bind: '127.0.0.1:1' } } };
      const alone = await prepareError({ plugins: [TCP, plugin], zones });
      expect(alone.context.problems).to.deep.equal(['zones.checked.inbound.address: not a .checked name']);
      const withOthers = await prepareError({ plugins: [TCP, plugin], zones, rpc: { restricted: 'no' } });
      expect(withOthers.context.problems).to.deep.equal(['rpc.restricted: must be true or false: value was "no"', 'zones.checked.inbound.address: not a .checked name']);
      const valid = await prepareFromConfig({ plugins: [TCP, plugin], zones: { ...zones, checked: { inbound: { address: 'ours.checked', bind: '127.0.0.1:1' } } } });
      expect(valid.zones.map((z) => z.name)).to.deep.equal(['clearnet', 'checked']);
    });
  });

  it('when a plugin cannot register with the invalid values, no zone problem is guessed: the transport it serves is not called unknown', async () => {
    await withSelfChecking(async (plugin) => {
      const zones = { clearnet: { transport: 'fixture-tcp' }, checked: { transport: 'checked-t' } };
      const error = await prepareError({ plugins: [TCP, plugin], zones, 'self-checking': { level: 'high' } });
      expect(error.context.problems).to.have.length(1);
      expect(String((error.context.problems as string[])[0])).to.match(/^self-checking\.level: /);
      const prepared = await prepareFromConfig({ plugins: [TCP, plugin], zones });
      expect(prepared.zones.map((z) => [z.name, z.transport])).to.deep.equal([
        ['clearnet', 'fixture-tcp'],
        ['checked', 'checked-t'],
      ]);
    });
  });

  it("a plugin's refusal of a value a flag set names the flag", async () => {
    await withSelfChecking(async (plugin) => {
      const config = { plugins: [TCP, plugin], zones: { clearnet: { transport: 'fixture-tcp' } }, 'self-checking': { refuseOutPeers: true } };
      const error = await prepareError(config, { argv: ['--out-peers', '99'] });
      expect(error).to.be.instanceOf(PluginError);
      expect(error.message).to.match(/zones\.clearnet\.maxOutbound: refused \(from --out-peers\)$/);
      const fromFile = await prepareError({ ...config, zones: { clearnet: { transport: 'fixture-tcp', maxOutbound: 99 } } });
      expect(fromFile.message).to.match(/refused$/);
    });
  });
});
