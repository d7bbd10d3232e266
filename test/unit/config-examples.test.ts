import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import JSON5 from 'json5';
import { veilnode } from '../src/veilnode-cli';

/** Every example in config/examples loads and validates through the real CLI, as a user runs it. */

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'config', 'examples');

interface ExampleConfig {
  readonly zones: Record<string, { enabled?: boolean; transport?: string }>;
}

describe('config/examples', function () {
  this.timeout(30_000);
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'veilnode-examples-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json5'));

  it('has the examples the README and PLUGINS.md point to', () => {
    expect(files).to.include.members(['clearnet-only.json5', 'tor.json5', 'i2p-sam.json5', 'i2p-socks.json5']);
  });

  for (const file of files) {
    it(`${file} validates and loads the transports its zones name`, async () => {
      const config = JSON5.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as ExampleConfig;
      const result = await veilnode(['--config', path.join(EXAMPLES, file), 'plugins'], home, { HOME: home });
      expect(result.code, result.stderr).to.equal(0);
      for (const zone of Object.values(config.zones)) {
        if (zone.enabled && zone.transport) expect(result.stdout).to.contain(zone.transport);
      }
    });
  }

  it('swapping I2P SOCKS for SAM is the one transport line (plus the SOCKS proxy address)', () => {
    const sam = JSON5.parse(readFileSync(path.join(EXAMPLES, 'i2p-sam.json5'), 'utf8')) as ExampleConfig;
    const socks = JSON5.parse(readFileSync(path.join(EXAMPLES, 'i2p-socks.json5'), 'utf8')) as ExampleConfig;
    expect(sam.zones.i2p.transport).to.equal('i2p-sam');
    expect(socks.zones.i2p.transport).to.equal('i2p-socks');
    const { transport: _a, ...samRest } = sam.zones.i2p;
    const { transport: _b, proxy: _c, ...socksRest } = socks.zones.i2p as { transport?: string; proxy?: string };
    expect(socksRest).to.deep.equal(samRest);
  });
});
