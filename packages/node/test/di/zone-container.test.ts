import 'reflect-metadata';
import { expect } from 'chai';
import { type Transport, anonymityZonePolicy, publicZonePolicy, type ZoneConfig, type ZoneDefinition } from '@veilnode/plugin-api';
import { resolveZoneConfig } from '../../src/config/zone-settings';
import { createRootContainer } from '../../src/di/root-container';
import { CONFIG, ZONE_CODEC, ZONE_CONFIG, ZONE_POLICY, ZONE_TRANSPORT } from '../../src/di/tokens';
import { assertSingleTransport, createZoneContainer } from '../../src/di/zone-container';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

function zone(name: string, anonymity: boolean): { definition: ZoneDefinition; config: ZoneConfig; transport: Transport } {
  const policy = anonymity ? anonymityZonePolicy(name) : publicZonePolicy(name);
  const codec = { zone: name, wireTypes: [], claims: () => false, parse: () => ({ zone: name, host: 'h', port: 1 }), format: () => 'h', toWire: () => ({ type: 3 as const, host: 'h', port: 1 }), fromWire: () => ({ zone: name, host: 'h', port: 1 }) };
  const transport: Transport = {
    name: `${name}-transport`,
    zone: name,
    capabilities: { dial: true, listen: false },
    stop: async () => undefined,
    dial: async () => {
      throw new Error('unused');
    },
    listen: async () => {
      throw new Error('unused');
    },
  };
  return { definition: { name, codec, policy }, config: resolveZoneConfig(name, {}, policy, { bindIp: '127.0.0.1', bindPort: 0 }), transport };
}

describe('DI: one child container per zone', () => {
  it('a zone resolves its own transport, codec, policy and config, plus root services', () => {
    const root = createRootContainer();
    root.register(CONFIG, { useValue: { network: 'regtest' } });
    const tor = zone('tor', true);
    const container = createZoneContainer(root, { ...tor, logger: new RecordingLogger() });
    expect(container.resolve(ZONE_TRANSPORT)).to.equal(tor.transport);
    expect(container.resolve(ZONE_CODEC)).to.equal(tor.definition.codec);
    expect(container.resolve(ZONE_POLICY)).to.equal(tor.definition.policy);
    expect(container.resolve(ZONE_CONFIG)).to.equal(tor.config);
    expect(container.resolve(CONFIG)).to.deep.equal({ network: 'regtest' });
  });

  it('a transport registered in one zone cannot be resolved from another zone or the root', () => {
    const root = createRootContainer();
    const tor = zone('tor', true);
    const clearnet = zone('clearnet', false);
    const torContainer = createZoneContainer(root, { ...tor, logger: new RecordingLogger() });
    const clearnetContainer = createZoneContainer(root, { ...clearnet, logger: new RecordingLogger() });
    expect(clearnetContainer.resolveAll(ZONE_TRANSPORT)).to.deep.equal([clearnet.transport]);
    expect(torContainer.resolveAll(ZONE_TRANSPORT)).to.deep.equal([tor.transport]);
    expect(root.isRegistered(ZONE_TRANSPORT, true)).to.equal(false);
    expect(() => root.resolve(ZONE_TRANSPORT)).to.throw(/Attempted to resolve unregistered dependency token/);
    // A later registration in one zone still does not leak into its sibling.
    const extra = zone('i2p', true).transport;
    torContainer.register(ZONE_TRANSPORT, { useValue: extra });
    expect(clearnetContainer.resolveAll(ZONE_TRANSPORT)).to.deep.equal([clearnet.transport]);
  });

  it('asserts exactly one transport per zone at startup', () => {
    const root = createRootContainer();
    const tor = zone('tor', true);
    const container = createZoneContainer(root, { ...tor, logger: new RecordingLogger() });
    container.register(ZONE_TRANSPORT, { useValue: zone('tor', true).transport });
    expect(() => assertSingleTransport(container, 'tor')).to.throw('zone tor must have exactly one transport, found 2').with.property('code', 'ZONE_TRANSPORT_COUNT');
    expect(() => assertSingleTransport(root.createChildContainer(), 'i2p')).to.throw('zone i2p must have exactly one transport, found 0');
  });

  it('refuses to build zones on a root that holds a transport', () => {
    const root = createRootContainer();
    root.register(ZONE_TRANSPORT, { useValue: zone('tor', true).transport });
    expect(() => createZoneContainer(root, { ...zone('clearnet', false), logger: new RecordingLogger() })).to.throw(/transports belong to zone containers only/);
  });
});
