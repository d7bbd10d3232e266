import { expect } from 'chai';
import { decodeSection } from '../../src/epee/storage';
import { EpeeError } from '../../src/epee/errors';
import { EpeeWriter } from '../../src/epee/writer';
import { genesisHash, networkId } from '../../src/wire/network';
import { Handshake, TimedSync, type TimedSyncResponse } from '../../src/wire/messages';
import { isInvalidPeerlistEntry, peerlistEntry, type PeerlistEntry } from '../../src/wire/peerlist';
import { WireAddressError } from '../../src/wire/network-address';

const HEADER = '011101010101020101';
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const sync = { current_height: 1n, cumulative_difficulty: 1n, cumulative_difficulty_top64: 0n, top_id: genesisHash('mainnet'), top_version: 1, pruning_seed: 0 };
const entry = (adr: PeerlistEntry['adr'], id = 5n): PeerlistEntry => ({ adr, id, last_seen: 0n, pruning_seed: 0, rpc_port: 0, rpc_credits_per_hash: 0 });

/** One bare peer-list element as monerod writes it inside the array. */
function entryHex(e: PeerlistEntry): string {
  const buf = Buffer.alloc(peerlistEntry.size(e));
  peerlistEntry.write(new EpeeWriter(buf), e);
  return buf.toString('hex');
}

function timedSyncWith(peerlistHex: string): Buffer {
  const payload = TimedSync.request.encode({ payload_data: sync }).subarray(9);
  // root: count 2, local_peerlist_new + payload_data (sorted), payload entry copied from an encoded request
  return hex(`${HEADER} 08 12 ${Buffer.from('local_peerlist_new').toString('hex')} 8c ${peerlistHex}`.replace(/ /g, '') + payload.subarray(1).toString('hex'));
}

describe('network addresses and peer lists', () => {
  it('writes each address type with monerod’s keys and tags', () => {
    const ipv4 = decodeSection(TimedSync.response.encode({ payload_data: sync, local_peerlist_new: [entry({ type: 1, ip: 0x0100007f, port: 18080 })] }));
    const list = ipv4.get('local_peerlist_new')?.value as Map<string, { tag: number; value: unknown }>[];
    const adr = list[0].get('adr')?.value as Map<string, { tag: number; value: unknown }>;
    expect(adr.get('type')).to.deep.equal({ tag: 8, value: 1 });
    const addr = adr.get('addr')?.value as Map<string, unknown>;
    expect(addr.get('m_ip')).to.deep.equal({ tag: 6, value: 0x0100007f });
    expect(addr.get('m_port')).to.deep.equal({ tag: 7, value: 18080 });
    expect([...list[0].keys()]).to.deep.equal(['adr', 'id']);
  });

  it('round-trips IPv4, IPv6, I2P and Tor entries', () => {
    const list = [
      entry({ type: 1, ip: 0x0100007f, port: 18080 }),
      entry({ type: 2, addr: Buffer.from('00000000000000000000000000000001', 'hex'), port: 18080 }),
      entry({ type: 3, host: 'a'.repeat(52) + '.b32.i2p', port: 1 }),
      entry({ type: 4, host: 'b'.repeat(56) + '.onion', port: 18083 }),
    ];
    const value: TimedSyncResponse = { payload_data: sync, local_peerlist_new: list };
    expect(TimedSync.response.decode(TimedSync.response.encode(value))).to.deep.equal(value);
  });

  it('an unknown address type spoils only its entry', () => {
    // entry 1: {adr: {addr: {}, type: 9}, id: 7}; entry 2: a valid IPv4 entry
    const bad = `08 03 616472 0c 08 04 61646472 0c 00 04 74797065 08 09 02 6964 05 0700000000000000`;
    const res = TimedSync.response.decode(timedSyncWith(`08 ${bad} ${entryHex(entry({ type: 1, ip: 1, port: 2 }, 8n))}`.replace(/ /g, '')));
    expect(res.local_peerlist_new).to.have.length(2);
    const [first, second] = res.local_peerlist_new;
    expect(isInvalidPeerlistEntry(first)).to.equal(true);
    if (!isInvalidPeerlistEntry(first)) return;
    expect(first.id).to.equal(7n);
    expect(first.error).to.be.instanceOf(WireAddressError);
    expect(first.error.code).to.equal('WIRE_ADDRESS_INVALID');
    expect(first.error.context).to.include({ type: 9 });
    expect(second).to.deep.equal(entry({ type: 1, ip: 1, port: 2 }, 8n));
  });

  it('ill-typed address fields and a missing address are entry errors too', () => {
    const hostAsNumber = `04 03 616472 0c 08 04 61646472 0c 04 04 686f7374 08 01 04 74797065 08 04`;
    const noAdr = `04 02 6964 05 0100000000000000`;
    const res = TimedSync.response.decode(timedSyncWith(`08 ${hostAsNumber} ${noAdr}`.replace(/ /g, '')));
    expect(res.local_peerlist_new.map(isInvalidPeerlistEntry)).to.deep.equal([true, true]);
    expect(res.local_peerlist_new.map((p) => (isInvalidPeerlistEntry(p) ? p.error.message : ''))).to.deep.equal([
      'network address: host must be a string',
      'network address: address is missing',
    ]);
  });

  it('structural errors inside an address still fail the message', () => {
    const truncated = `04 03 616472 0c 08 04 61646472 0c 04 04 686f7374 0a 40 61`;
    expect(() => TimedSync.response.decode(timedSyncWith(truncated.replace(/ /g, '')))).to.throw(EpeeError);
  });

  it('refuses to encode an invalid entry or an unknown address type', () => {
    const invalid = { id: 1n, error: new WireAddressError('x') };
    expect(() => TimedSync.response.encode({ payload_data: sync, local_peerlist_new: [invalid] })).to.throw(EpeeError, /invalid peer-list entry/);
    const weird = entry({ type: 7 } as unknown as PeerlistEntry['adr']);
    expect(() => TimedSync.response.encode({ payload_data: sync, local_peerlist_new: [weird] })).to.throw(EpeeError, /unknown network address type 7/);
  });

  it('network ids and genesis hashes', () => {
    expect(networkId('mainnet').toString('hex')).to.equal('1230f171610441611731008216a1a110');
    expect(networkId('testnet').toString('hex')).to.equal('1230f171610441611731008216a1a111');
    expect(networkId('stagenet').toString('hex')).to.equal('1230f171610441611731008216a1a112');
    expect(networkId('regtest').equals(networkId('mainnet'))).to.equal(true);
    expect(genesisHash('mainnet').toString('hex')).to.equal('418015bb9ae982a1975da7d79277c2705727a56894ba0fb246adaabb1f4632e3');
    expect(genesisHash('testnet').toString('hex')).to.equal('48ca7cd3c8de5b6a4d53d2861fbdaedca141553559f9be9520068053cda8430b');
    expect(genesisHash('stagenet').toString('hex')).to.equal('76ee3cc98646292206cd3e86f74d88b4dcc1d937088645e9b0cbca84b7ce74eb');
    networkId('mainnet')[0] = 0;
    expect(networkId('mainnet')[0]).to.equal(0x12);
    expect(Handshake.command).to.equal(1001);
  });
});
