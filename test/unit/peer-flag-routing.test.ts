import { expect } from 'chai';
import { prepareError, prepareFromConfig } from '@veilnode/node/testing';

const KOVRI = { plugins: ['@veilnode/clearnet', '@veilnode/kovri'], zones: { kovri: { enabled: true } } };

/** Peer flags through the real start-up: the zone comes from the loaded plugins' codecs, not a built-in suffix list. */
describe('--add-peer and friends with plugin zones', () => {
  it("routes an address of a plugin's zone to that zone, and clearnet addresses to clearnet", async () => {
    const prepared = await prepareFromConfig(KOVRI, {
      argv: ['--add-peer', 'node-1.kovri:18080', '--add-exclusive-node', 'node-2.kovri:1', '--add-peer', '127.0.0.1:18080', '--seed-node', '192.0.2.1:18080'],
    });
    const zone = (name: string) => prepared.zones.find((z) => z.name === name);
    expect(zone('kovri')).to.deep.include({ peers: ['node-1.kovri:18080'], exclusivePeers: ['node-2.kovri:1'] });
    expect(zone('clearnet')).to.deep.include({ peers: ['127.0.0.1:18080'], seeds: ['192.0.2.1:18080'] });
  });

  it('is a config error naming the flag when no enabled zone claims the address', async () => {
    const offZone = await prepareError({ ...KOVRI, zones: { kovri: { enabled: false } } }, { argv: ['--add-peer', 'node-1.kovri:18080'] });
    expect(offZone.code).to.equal('CONFIG_INVALID');
    expect(offZone.message).to.equal('--add-peer "node-1.kovri:18080": no enabled zone claims this address (zones: clearnet)');
    const nobody = await prepareError(KOVRI, { argv: ['--add-priority-node', 'node.example:18080'] });
    expect(nobody.message).to.equal('--add-priority-node "node.example:18080": no enabled zone claims this address (zones: clearnet, kovri)');
  });

  it("still has the claiming zone's codec parse the address, the error naming the flag", async () => {
    const error = await prepareError(KOVRI, { argv: ['--add-peer', 'Node.kovri:1'] });
    expect(error.message).to.contain('zones.kovri.peers[0]: invalid address "Node.kovri:1"').and.contain('(from --add-peer)');
  });
});
