import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Logger } from '@veilnode/plugin-api';
import { createNode, type PreparedNode } from '@veilnode/node';

/** The files an operator installs veilnode with (config/examples/veilnode.conf and veilnode.service). */

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'config', 'examples');
const CONF = path.join(EXAMPLES, 'veilnode.conf');
const UNIT = path.join(EXAMPLES, 'veilnode.service');

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** The real start-up (embedded default, plugins, zone binding) on a monerod-style config file. */
async function prepare(file: string, cwd: string): Promise<PreparedNode> {
  return (await createNode({ argv: ['--config-file', file], cwd, createLogger: () => quiet })).prepared;
}

/** `[Section]` → key → every value given (systemd allows a key several times). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      sections.set(section[1], (current = new Map()));
      continue;
    }
    const eq = line.indexOf('=');
    expect(eq, `not a key=value line: ${line}`).to.be.greaterThan(0);
    expect(current, `a key before any section: ${line}`).to.not.equal(undefined);
    const key = line.slice(0, eq);
    current!.set(key, [...(current!.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

describe('config/examples: installing veilnode as a service', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'veilnode-install-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('veilnode.conf loads through the real config loader and sets what its comments say', async () => {
    const { config, zones } = await prepare(CONF, dir);
    expect(config).to.deep.include({ dataDir: '/var/lib/veilnode', network: 'mainnet', log: { level: 'info' } });
    expect(config.p2p).to.deep.include({ bindIp: '0.0.0.0', bindPort: 18080, limitRateUp: 2048, limitRateDown: 8192 });
    expect(config.rpc).to.deep.include({ bindIp: '127.0.0.1', bindPort: 18081 });
    const byName = new Map(zones.map((z) => [z.name, z]));
    expect([...byName.keys()]).to.have.members(['clearnet', 'tor']);
    expect(byName.get('clearnet')).to.deep.include({ maxOutbound: 12, maxInbound: 64 });
    expect(byName.get('tor')).to.deep.include({ transport: 'tor', maxOutbound: 16 });
    expect(String(byName.get('tor')?.proxy)).to.equal('socks5://127.0.0.1:9050');
  });

  it('every option veilnode.conf leaves commented out is valid too, once uncommented', async () => {
    const text = readFileSync(CONF, 'utf8');
    const commented = text.split('\n').filter((line) => /^#[a-z][a-z0-9-]*=/.test(line));
    expect(commented.length).to.be.greaterThan(2);
    const file = path.join(dir, 'all.conf');
    writeFileSync(file, text.replace(/^#([a-z][a-z0-9-]*=)/gm, '$1'));
    const { config, zones } = await prepare(file, dir);
    expect(zones.map((z) => z.name)).to.include('i2p');
    expect(config.rpc).to.deep.include({ restrictedBindPort: 18089 });
    expect(config.metrics).to.deep.include({ bind: '127.0.0.1:18090' });
  });

  it('veilnode.service runs the installed bin on that file as a dedicated user, hardened, writing only to the data dir', async () => {
    const unit = parseUnit(readFileSync(UNIT, 'utf8'));
    expect([...unit.keys()]).to.deep.equal(['Unit', 'Service', 'Install']);
    const service = unit.get('Service')!;
    const one = (key: string) => {
      expect(service.get(key), key).to.have.length(1);
      return service.get(key)![0];
    };
    expect(one('ExecStart')).to.equal('/usr/bin/veilnode --config-file /etc/veilnode/veilnode.conf');
    expect(one('Type')).to.equal('simple');
    expect(one('User')).to.equal('veilnode');
    expect(one('Restart')).to.equal('on-failure');
    expect(Number(one('LimitNOFILE'))).to.be.at.least(4096);
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices']) expect(one(key), key).to.equal('yes');
    expect(one('ProtectSystem')).to.equal('strict');
    expect(one('CapabilityBoundingSet')).to.equal('');
    expect(one('RestrictAddressFamilies').split(' ')).to.have.members(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    // node's JIT cannot run under it (see the unit's comment)
    expect(service.has('MemoryDenyWriteExecute')).to.equal(false);
    // the one writable path is the data dir veilnode.conf names
    const { config } = await prepare(CONF, dir);
    expect(one('ReadWritePaths')).to.equal(config.dataDir);
    expect(`/var/lib/${one('StateDirectory')}`).to.equal(config.dataDir);
    expect(unit.get('Install')!.get('WantedBy')).to.deep.equal(['multi-user.target']);
  });
});
