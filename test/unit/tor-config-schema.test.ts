import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
// The kernel's own validation (not part of the plugin API): proves the fragment works there.
import { buildConfig } from '@veilnode/node';
import torPlugin from '@veilnode/tor';

function build(tor: Record<string, unknown>) {
  return buildConfig({ files: { tor }, flags: [], env: {}, fragments: [{ plugin: 'tor', schema: torPlugin.configSchema as Record<string, unknown> }] });
}

describe('tor plugin configSchema in the kernel\'s convict validation', () => {
  it('fills defaults: no control port, isolation on, 45 s SOCKS timeout, mainnet seeds only', () => {
    const { tor } = build({}) as unknown as { tor: Record<string, unknown> & { seeds: Record<string, string[]> } };
    expect(tor).to.deep.include({ control: null, controlPassword: null, isolation: true, socksTimeoutMs: 45_000, onionPort: 18083 });
    expect(tor.seeds.mainnet).to.have.length(6);
    expect(tor.seeds.regtest).to.deep.equal([]);
  });

  it('reports every bad tor.* value with its key and reason, and never a password', () => {
    let caught: unknown;
    try {
      build({ control: 'localhost:9051', controlPassword: ['hunter2'], seeds: { regtest: ['abcdefghijklmnop.onion:18083'] } });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).to.match(/tor\.control: must be IP:PORT/);
    expect(message).to.match(/tor\.controlPassword: must be a string/);
    expect(message).to.match(/tor\.seeds\.regtest: .*v2 onion services no longer exist/);
    expect(message).to.not.include('hunter2');
  });
});
