import { expect } from 'chai';
import { ConfigError, InvalidAddressError, publicZonePolicy, type AddressCodec, type ZoneDefinition } from '@veilnode/plugin-api';
import { routePeerFlags, withPeerLists, type PeerFlag } from '../../src/config/peer-flags';
import type { NodeConfig } from '../../src/config/core-schema';

/** A zone whose codec claims the texts ending in `suffix` (only claims() is asked while routing). */
function zone(name: string, suffix: string): ZoneDefinition {
  const refuse = (): never => {
    throw new InvalidAddressError('x', 'not asked while routing');
  };
  const codec: AddressCodec = { zone: name, wireTypes: [], claims: (text) => text.endsWith(suffix), parse: refuse, format: refuse, toWire: refuse, fromWire: refuse };
  return { name, codec, policy: publicZonePolicy(name) };
}

const ZONES = [zone('clearnet', ':18080'), zone('loop', '.loop:1')];
const peer = (address: string, flag = '--add-peer', field: PeerFlag['field'] = 'peers'): PeerFlag => ({ flag, field, address });

function rejection(flags: PeerFlag[], zones = ZONES, settings: NodeConfig['zones'] = {}): ConfigError {
  try {
    routePeerFlags(flags, zones, settings);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the flags to be rejected');
}

describe('peer flags routed by the zones’ codecs', () => {
  it('sends each address to the zone whose codec claims it, a list per zone and field, in flag order', () => {
    const flags = [peer('1.2.3.4:18080'), peer('a.loop:1'), peer('b.loop:1', '--add-priority-node'), peer('5.6.7.8:18080', '--seed-node', 'seeds'), peer('c.loop:1', '--add-exclusive-node', 'exclusivePeers')];
    expect(routePeerFlags(flags, ZONES, {})).to.deep.equal([
      { path: 'zones.clearnet.peers', value: ['1.2.3.4:18080'], flag: '--add-peer' },
      { path: 'zones.loop.peers', value: ['a.loop:1', 'b.loop:1'], flag: '--add-peer' },
      { path: 'zones.clearnet.seeds', value: ['5.6.7.8:18080'], flag: '--seed-node' },
      { path: 'zones.loop.exclusivePeers', value: ['c.loop:1'], flag: '--add-exclusive-node' },
    ]);
  });

  it('rejects an address no zone claims, naming the flag, the address and the zones asked', () => {
    const error = rejection([peer('1.2.3.4:18080'), peer('x.onion:1', '--add-exclusive-node', 'exclusivePeers')]);
    expect(error.message).to.equal('--add-exclusive-node "x.onion:1": no enabled zone claims this address (zones: clearnet, loop)');
    expect(error.context).to.include({ flag: '--add-exclusive-node', value: 'x.onion:1' });
  });

  it('does not ask a zone the config turns off', () => {
    expect(rejection([peer('a.loop:1')], ZONES, { loop: { enabled: false } }).message).to.equal('--add-peer "a.loop:1": no enabled zone claims this address (zones: clearnet)');
    expect(routePeerFlags([peer('a.loop:1')], ZONES, { loop: { enabled: true } })).to.have.length(1);
  });

  it('rejects an address two zones claim instead of guessing', () => {
    const error = rejection([peer('a.loop:18080')], [zone('clearnet', ':18080'), zone('loop', '.loop:18080')]);
    expect(error.message).to.equal("--add-peer \"a.loop:18080\": zones clearnet and loop both claim this address (their plugins' address codecs overlap)");
  });

  it('puts the routed lists in place of the config file’s lists, leaving the zones’ other settings', () => {
    const config = { network: 'regtest', zones: { clearnet: { maxOutbound: 3, peers: ['9.9.9.9:18080'], seeds: ['8.8.8.8:18080'] } } } as unknown as NodeConfig;
    const routed = withPeerLists(config, [
      { path: 'zones.clearnet.peers', value: ['1.2.3.4:18080'], flag: '--add-peer' },
      { path: 'zones.loop.peers', value: ['a.loop:1'], flag: '--add-peer' },
    ]);
    expect(routed.zones).to.deep.equal({ clearnet: { maxOutbound: 3, peers: ['1.2.3.4:18080'], seeds: ['8.8.8.8:18080'] }, loop: { peers: ['a.loop:1'] } });
    expect(routed.network).to.equal('regtest');
    expect(config.zones.clearnet.peers).to.deep.equal(['9.9.9.9:18080']);
  });
});
