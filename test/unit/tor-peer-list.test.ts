import { expect } from 'chai';
import { ZonePeerStore } from '@veilnode/node/peer';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { DEFAULT_TOR_CONFIG } from '@veilnode/tor';
import { OnionV3Codec } from '@veilnode/tor';

const codec = new OnionV3Codec();
const good = codec.parse(DEFAULT_TOR_CONFIG.seeds.mainnet[0]);
const other = codec.parse(DEFAULT_TOR_CONFIG.seeds.mainnet[1]);
/** The good name with one base32 character changed: the checksum no longer matches. */
const corrupted = `${good.host[0] === 'a' ? 'b' : 'a'}${good.host.slice(1)}`;

/** A received Tor peer list as the real onion codec sees it (the codec the tor zone runs with). */
describe('tor zone peer store: a received peer list with malformed onions', () => {
  it('drops each bad entry with its reason, logs no address, and keeps the good ones', () => {
    const logger = new RecordingLogger();
    const store = new ZonePeerStore({ zone: 'tor', codec, anonymity: true, logger });
    const result = store.ingest(
      [
        { adr: { type: 4, host: good.host, port: good.port }, id: 1n },
        { adr: { type: 4, host: corrupted, port: 18083 }, id: 1n },
        { adr: { type: 4, host: 'abcdefghijklmnop.onion', port: 18083 }, id: 1n },
        { adr: { type: 1, ip: 0x0971_00cb, port: 18080 }, id: 1n },
        { adr: { type: 4, host: other.host, port: other.port }, id: 1n },
      ],
      'handshake',
    );
    expect(result).to.deep.equal({ accepted: 2, dropped: 3 });
    expect(store.gray().map((e) => codec.format(e.address))).to.have.members([codec.format(good), codec.format(other)]);
    const dropped = logger.entries.filter((e) => e.msg === 'peer list entry dropped').map((e) => e.fields);
    expect(dropped.map((d) => [d.index, d.reason])).to.deep.equal([
      [1, 'malformed address'],
      [2, 'malformed address'],
      [3, 'address type of another zone'],
    ]);
    expect(dropped[0].detail).to.match(/checksum mismatch/);
    expect(dropped[1].detail).to.match(/v2 onion services no longer exist/);
    const text = JSON.stringify(logger.entries);
    for (const secret of [corrupted, 'abcdefghijklmnop', '203.0.113.9', '0x097100cb']) expect(text).to.not.include(secret);
  });
});
