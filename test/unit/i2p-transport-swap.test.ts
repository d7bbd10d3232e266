import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
// The kernel's real two-phase start-up (not part of the plugin API), as the CLI runs it.
import { prepareError, prepareFromConfig } from '@veilnode/node/testing';
import { i2pZone } from '@veilnode/i2p-zone';
import i2pSamPlugin from '@veilnode/i2p-sam';
import i2pSocksPlugin from '@veilnode/i2p-socks';

const BOTH = ['@veilnode/i2p-sam', '@veilnode/i2p-socks'];
const B32 = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p';

describe('swapping the i2p transport with one config line', () => {
  it('both plugins register the very same i2p zone definition', async () => {
    const prepared = await prepareFromConfig({ plugins: BOTH, zones: { i2p: { transport: 'i2p-sam' } } });
    expect(prepared.registry.zone('i2p')?.definition).to.equal(i2pZone);
    expect(prepared.registry.transport('i2p-sam')?.definition.zone).to.equal('i2p');
    expect(prepared.registry.transport('i2p-socks')?.definition.zone).to.equal('i2p');
    expect(i2pSamPlugin.name).to.equal('i2p-sam');
    expect(i2pSocksPlugin.name).to.equal('i2p-socks');
  });

  for (const transport of ['i2p-sam', 'i2p-socks']) {
    it(`"transport": "${transport}" is all it takes to serve the zone with ${transport}`, async () => {
      const prepared = await prepareFromConfig({ plugins: BOTH, zones: { i2p: { transport, proxy: 'socks4a://127.0.0.1:4447' } } });
      expect(prepared.zones.find((z) => z.name === 'i2p')?.transport).to.equal(transport);
    });
  }

  it('--i2p-sam selects SAM and --tx-proxy i2p,... selects SOCKS on the command line', async () => {
    const sam = await prepareFromConfig({ plugins: BOTH }, { argv: ['--i2p-sam', '127.0.0.1:7656'] });
    expect(sam.zones.find((z) => z.name === 'i2p')?.transport).to.equal('i2p-sam');
    expect((sam.config as unknown as Record<string, { sam: string }>)['i2p-sam'].sam).to.equal('127.0.0.1:7656');
    const socks = await prepareFromConfig({ plugins: BOTH }, { argv: ['--tx-proxy', 'i2p,127.0.0.1:4447,8', '--anonymous-inbound', `${B32},127.0.0.1:18085`] });
    const zone = socks.zones.find((z) => z.name === 'i2p');
    expect(zone?.transport).to.equal('i2p-socks');
    expect(zone?.inbound?.address).to.include(B32);
  });

  it('says clearly when the chosen transport plugin is not loaded', async () => {
    const error = await prepareError({ plugins: ['@veilnode/i2p-sam'], zones: { i2p: { transport: 'i2p-socks', proxy: 'socks4a://127.0.0.1:4447' } } });
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.include('i2p-socks');
  });

  it('validates the i2p-sam settings through the kernel', async () => {
    const error = await prepareError({ plugins: BOTH, zones: { i2p: { transport: 'i2p-sam' } }, 'i2p-sam': { outbound: 'sometimes' } });
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.include('i2p-sam.outbound');
  });
});
