import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@veilnode/plugin-api';
import { loadBanList, MAX_BAN_LIST_BYTES, parseBanList } from '../../src/net/ban-list';

const ONION = 'b'.repeat(56) + '.onion';

describe('ban list (--ban-list, monerod format)', () => {
  const text = [
    '# spy nodes, list v2',
    '198.51.100.7',
    '203.0.113.0/24   # a whole /24',
    '',
    '   2001:db8:dead::/48',
    '2001:db8::1',
    `${ONION.toUpperCase()}`,
    '\t# indented comment',
  ].join('\r\n');

  it('reads addresses, IPv4 and IPv6 CIDR subnets and hidden-service hosts, skipping comments and blanks', () => {
    const list = parseBanList(text, 'bans.txt');
    expect(list.size).to.equal(5);
    for (const banned of ['198.51.100.7', '203.0.113.0', '203.0.113.255', '2001:db8:dead:1::9', '2001:DB8::1', ONION, '::ffff:203.0.113.4']) expect(list.isBanned(banned), banned).to.equal(true);
    for (const free of ['198.51.100.8', '203.0.114.1', '2001:db8:beef::1', '2001:db8::2', 'c'.repeat(56) + '.onion', 'not-an-ip']) expect(list.isBanned(free), free).to.equal(false);
  });

  it('names the file and line of an entry it cannot read', () => {
    for (const bad of ['10.0.0.1:18080', '10.0.0.0/33', 'example.com', '10.0.0.256', '2001:db8::/129']) {
      expect(() => parseBanList(`# ok\n10.0.0.1\n${bad}\n`, 'bans.txt'), bad)
        .to.throw(ConfigError)
        .with.property('context')
        .that.includes({ file: 'bans.txt', line: 3 });
    }
  });

  it('loads a file, and refuses a missing or oversized one with a ConfigError', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veilnode-ban-'));
    try {
      const file = path.join(dir, 'bans.txt');
      await fs.writeFile(file, text);
      expect((await loadBanList(file)).isBanned('203.0.113.9')).to.equal(true);
      await expectConfigError(loadBanList(path.join(dir, 'missing.txt')));
      const big = path.join(dir, 'big.txt');
      await fs.writeFile(big, Buffer.alloc(MAX_BAN_LIST_BYTES + 1, 0x23));
      await expectConfigError(loadBanList(big));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

async function expectConfigError(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return;
  }
  expect.fail('expected a ConfigError');
}
