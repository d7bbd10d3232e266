import { expect } from 'chai';
import * as fc from 'fast-check';
import { ProtocolError } from '@veilnode/plugin-api';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PEERLIST_ENTRIES } from '@veilnode/protocol';
import { PeerListRejectedError, ZonePeerStore, isLoopbackOrUnspecified, type ReceivedPeerEntry } from '../../src/peerstore';
import { ipv4Wire, testIpv4Codec, testOnionCodec } from '../helpers/test-codecs';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

const ONION = 'a'.repeat(56) + '.onion';

function clearnetStore(extra: Partial<ConstructorParameters<typeof ZonePeerStore>[0]> = {}) {
  const logger = new RecordingLogger();
  const store = new ZonePeerStore({ zone: 'clearnet', codec: testIpv4Codec, anonymity: false, logger, now: () => 1000, ...extra });
  return { store, logger };
}

describe('peerstore/ZonePeerStore', () => {
  it('puts received peers on the gray list and promotes a handshaken one to white', () => {
    const { store } = clearnetStore();
    const r = store.ingest([{ adr: ipv4Wire('10.1.2.3', 18080), id: 7n }, { adr: ipv4Wire('10.1.2.4', 18080), id: 8n }], 'handshake');
    expect(r).to.deep.equal({ accepted: 2, dropped: 0 });
    expect(store.gray().map((e) => `${e.address.host}:${e.address.port}`)).to.have.members(['10.1.2.3:18080', '10.1.2.4:18080']);
    store.markConnected({ zone: 'clearnet', host: '10.1.2.3', port: 18080 }, 7n);
    expect(store.sizes).to.deep.equal({ white: 1, gray: 1, anchor: 0 });
    expect(store.white()[0].peerId).to.equal(7n);
  });

  it('keeps the RPC port a peer advertises: its handshake’s word over a peer list’s, only 1..65535', async () => {
    const { store } = clearnetStore();
    const a = { zone: 'clearnet', host: '10.1.2.3', port: 18080 };
    store.ingest([{ adr: ipv4Wire('10.1.2.3', 18080), id: 7n, rpcPort: 18089 }], 'handshake');
    expect(store.gray()[0].rpcPort).to.equal(18089);
    store.markConnected(a, 7n, 18090);
    expect(store.white()[0].rpcPort).to.equal(18090);
    store.markConnected(a, 7n);
    expect(store.white()[0].rpcPort, 'unknown: kept').to.equal(18090);
    store.markConnected(a, 7n, 0);
    expect(store.white()[0].rpcPort, 'the handshake says none').to.equal(0);
    store.markConnected(a, 7n, 70000);
    expect(store.white()[0].rpcPort).to.equal(0);
    const dir = await mkdtemp(join(tmpdir(), 'veilnode-peerstore-'));
    try {
      const file = join(dir, 'peers.json');
      const entry = (address: string, rpcPort: unknown) => ({ address, peerId: '1', lastSeen: 1, rpcPort });
      await writeFile(file, JSON.stringify({ version: 1, zone: 'clearnet', white: [entry('10.0.0.1:1', 18081), entry('10.0.0.2:1', -5), entry('10.0.0.3:1', 1.5), entry('10.0.0.4:1', '18081')], gray: [], anchor: [] }));
      const { store: loaded } = clearnetStore({ file });
      await loaded.load();
      expect(loaded.white().map((e) => e.rpcPort)).to.deep.equal([18081, 0, 0, 0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('drops malformed, wrong-zone and loopback entries one by one and keeps the rest', () => {
    const { store, logger } = clearnetStore();
    const entries: ReceivedPeerEntry[] = [
      { adr: ipv4Wire('10.0.0.1', 18080), id: 1n },
      { adr: { type: 4, host: ONION, port: 18083 }, id: 2n }, // tor entry on clearnet
      { adr: ipv4Wire('10.0.0.2', 0), id: 3n }, // codec rejects port 0
      { adr: ipv4Wire('127.0.0.1', 18080), id: 4n },
      { adr: ipv4Wire('0.0.0.0', 18080), id: 5n },
      { adr: { type: 2, addr: Uint8Array.from([...new Array(15).fill(0), 1]), port: 1 }, id: 6n },
      { adr: new ProtocolError('WIRE_ADDRESS_INVALID', 'unknown address type 9'), id: 7n }, // as the wire decoder reports it
    ];
    expect(store.ingest(entries, 'timed_sync')).to.deep.equal({ accepted: 1, dropped: 6 });
    expect(store.gray()).to.have.length(1);
    const drops = logger.entries.filter((r) => r.msg === 'peer list entry dropped');
    expect(drops.map((d) => (d.fields as { reason?: string }).reason)).to.deep.equal([
      'address type of another zone',
      'malformed address',
      'loopback or unspecified address',
      'loopback or unspecified address',
      'address type of another zone',
      'malformed address',
    ]);
  });

  it('keeps loopback entries when allowed (loopback tests)', () => {
    const { store } = clearnetStore({ allowLoopback: true });
    expect(store.ingest([{ adr: ipv4Wire('127.0.0.1', 18080), id: 1n }], 'handshake').accepted).to.equal(1);
  });

  it('rejects a list of more than 250 entries as a whole', () => {
    const { store } = clearnetStore();
    const entries = Array.from({ length: MAX_PEERLIST_ENTRIES + 1 }, (_, i) => ({ adr: ipv4Wire(`10.0.${i >> 8}.${i & 255}`, 1000), id: 1n }));
    expect(() => store.ingest(entries, 'handshake')).to.throw(PeerListRejectedError, /251 entries/);
    expect(store.isEmpty()).to.equal(true);
    expect(store.ingest(entries.slice(0, MAX_PEERLIST_ENTRIES), 'handshake').accepted).to.equal(MAX_PEERLIST_ENTRIES);
  });

  it('never logs the address of a dropped entry on an anonymity zone', () => {
    const logger = new RecordingLogger();
    const store = new ZonePeerStore({ zone: 'tor', codec: testOnionCodec, anonymity: true, logger });
    store.ingest([{ adr: ipv4Wire('203.0.113.9', 18080), id: 1n }, { adr: { type: 4, host: 'bad.onion', port: 1 }, id: 2n }], 'handshake');
    expect(store.isEmpty()).to.equal(true);
    const text = JSON.stringify(logger.entries);
    expect(text).not.to.contain('203.0.113.9');
    expect(text).not.to.contain('bad.onion');
    expect(logger.entries.filter((r) => r.msg === 'peer list entry dropped')).to.have.length(2);
  });

  it('moves a failing white peer to gray and forgets a failing gray peer', () => {
    const { store } = clearnetStore();
    const a = { zone: 'clearnet', host: '10.0.0.1', port: 1 };
    const b = { zone: 'clearnet', host: '10.0.0.2', port: 1 };
    store.markConnected(a, 1n);
    store.addKnown(b);
    store.markFailed(a);
    store.markFailed(b);
    expect(store.white()).to.have.length(0);
    expect(store.gray().map((e) => e.address.host)).to.deep.equal(['10.0.0.1']);
  });

  it('refuses addresses of another zone from local callers', () => {
    const { store } = clearnetStore();
    expect(() => store.markConnected({ zone: 'tor', host: ONION, port: 1 }, 1n)).to.throw(/zone tor/);
  });

  it('persists atomically and reloads, skipping damaged entries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veilnode-peerstore-'));
    try {
      const file = join(dir, 'sub', 'peers-clearnet.json');
      const { store } = clearnetStore({ file });
      store.markConnected({ zone: 'clearnet', host: '10.0.0.1', port: 18080 }, 99n);
      store.addKnown({ zone: 'clearnet', host: '10.0.0.2', port: 18080 });
      store.setAnchors([{ zone: 'clearnet', host: '10.0.0.1', port: 18080 }]);
      await store.save();
      expect(await readdir(join(dir, 'sub'))).to.deep.equal(['peers-clearnet.json']); // no temp file left
      const saved = JSON.parse(await readFile(file, 'utf8'));
      saved.gray.push({ address: '999.1.1.1:1', peerId: '1', lastSeen: 1 }, { nonsense: true });
      await writeFile(file, JSON.stringify(saved));

      const { store: reloaded, logger } = clearnetStore({ file });
      await reloaded.load();
      expect(reloaded.sizes).to.deep.equal({ white: 1, gray: 1, anchor: 1 });
      expect(reloaded.white()[0].peerId).to.equal(99n);
      expect((logger.entries.find((r) => r.msg === 'peer store loaded')?.fields as { skipped?: number } | undefined)?.skipped).to.equal(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts empty when the file is missing, broken, or of another zone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veilnode-peerstore-'));
    try {
      const file = join(dir, 'peers.json');
      const { store } = clearnetStore({ file });
      await store.load();
      expect(store.isEmpty()).to.equal(true);
      await writeFile(file, '{not json');
      await store.load();
      await writeFile(file, JSON.stringify({ version: 1, zone: 'tor', white: [{ address: '10.0.0.1:1', peerId: '1', lastSeen: 1 }], gray: [], anchor: [] }));
      await store.load();
      expect(store.isEmpty()).to.equal(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never throws on arbitrary entries and stores only what the codec accepts', () => {
    const wire = fc.oneof(
      fc.record({ type: fc.constant(1 as const), ip: fc.integer({ min: -1, max: 2 ** 32 }), port: fc.integer({ min: -1, max: 70000 }) }),
      fc.record({ type: fc.constant(2 as const), addr: fc.uint8Array({ maxLength: 20 }), port: fc.integer({ min: 0, max: 65535 }) }),
      fc.record({ type: fc.constantFrom(3 as const, 4 as const), host: fc.string(), port: fc.integer({ min: 0, max: 65535 }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ adr: wire, id: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }), { maxLength: 40 }), (entries) => {
        const { store } = clearnetStore();
        const r = store.ingest(entries, 'fuzz');
        expect(r.accepted + r.dropped).to.equal(entries.length);
        for (const e of store.gray()) expect(testIpv4Codec.parse(testIpv4Codec.format(e.address))).to.deep.equal(e.address);
      }),
      { numRuns: 200 },
    );
  });

  it('recognises loopback and unspecified wire addresses', () => {
    expect(isLoopbackOrUnspecified(ipv4Wire('127.9.9.9', 1))).to.equal(true);
    expect(isLoopbackOrUnspecified(ipv4Wire('0.0.0.0', 1))).to.equal(true);
    expect(isLoopbackOrUnspecified(ipv4Wire('126.0.0.1', 1))).to.equal(false);
    const mapped = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
    expect(isLoopbackOrUnspecified({ type: 2, addr: mapped, port: 1 })).to.equal(true);
    expect(isLoopbackOrUnspecified({ type: 2, addr: new Uint8Array(16), port: 1 })).to.equal(true);
    expect(isLoopbackOrUnspecified({ type: 2, addr: Uint8Array.from([0x20, 1, ...new Array(14).fill(0)]), port: 1 })).to.equal(false);
  });
});
