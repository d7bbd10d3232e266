import { expect } from 'chai';
import { decodeSection, encodeSection } from '../../src/epee/storage';
import { encodeInvokeMessage, encodeNotifyMessage, encodeNotifyMessageParts, encodeResponseMessage } from '../../src/wire/frames';
import { encodeNotify } from '../../src/levin/frame';
import { EpeeTag } from '../../src/epee/tags';
import { Handshake, NewTransactions, Ping, SupportFlags, TimedSync, type InvokeDefinition } from '../../src/wire/messages';
import { isInvalidPeerlistEntry, type PeerlistEntry } from '../../src/wire/peerlist';
import { LevinError } from '../../src/levin/errors';
import { LevinStreamDecoder } from '../../src/levin/stream-decoder';
import { makeNoiseFrame, packForNoise } from '../../src/levin/noise';
import { networkId } from '../../src/wire/network';
import { readLevinHeader } from '../../src/levin/header';
import type { EpeeSection } from '../../src/epee/generic';
import type { LevinMessage } from '../../src/levin/message';
import { loadVector, vectorIndex } from '../../src/testing/monerod-vectors';

const INVOKES: ReadonlyMap<number, InvokeDefinition<object, object>> = new Map<number, InvokeDefinition<object, object>>([
  [Handshake.command, Handshake as unknown as InvokeDefinition<object, object>],
  [TimedSync.command, TimedSync as unknown as InvokeDefinition<object, object>],
  [Ping.command, Ping as unknown as InvokeDefinition<object, object>],
  [SupportFlags.command, SupportFlags as unknown as InvokeDefinition<object, object>],
]);

function decodeOne(file: string): LevinMessage {
  const messages = new LevinStreamDecoder({ maxPacketSize: 100_000_000 }).push(loadVector(file));
  expect(messages, file).to.have.length(1);
  return messages[0];
}

function section(s: EpeeSection, key: string): EpeeSection {
  const e = s.get(key);
  expect(e?.tag, key).to.equal(EpeeTag.Object);
  return e?.value as EpeeSection;
}

describe('monerod 0.18 captured frames', () => {
  describe('every vector', () => {
    for (const v of vectorIndex) {
      it(`${v.file}: header matches the index and the body decodes`, () => {
        const frame = loadVector(v.file);
        expect(frame.length).to.equal(v.bytes);
        const h = readLevinHeader(frame);
        expect([h.command, h.flags, h.returnCode, h.expectsResponse]).to.deep.equal([v.command, v.flags, v.rc, v.expectResponse]);
        expect(h.cb).to.equal(frame.length - 33);
        if (v.flags === 0x08) return; // a lone END fragment: see the reassembly tests below
        const messages = new LevinStreamDecoder({ maxPacketSize: 100_000_000 }).push(frame);
        if ((v.flags & 0x04) !== 0) {
          expect(messages).to.have.length(0); // noise, or a first fragment waiting for the rest
          return;
        }
        expect(messages).to.have.length(1);
        const m = messages[0];
        expect(m.command).to.equal(v.command);
        expect(m.returnCode).to.equal(v.rc);
        expect(m.expectsResponse).to.equal(v.expectResponse);
        expect(m.isResponse).to.equal((v.flags & 2) !== 0);
        if (m.body.length === 0) return;
        const def = INVOKES.get(m.command);
        if (m.command === NewTransactions.command) NewTransactions.body.decode(m.body);
        else if (def !== undefined) (m.isResponse ? def.response : def.request).decode(m.body);
        else decodeSection(m.body);
      });
    }

    it('the lone END fragment (without its BEGIN) is a typed error', () => {
      const d = new LevinStreamDecoder();
      expect(() => d.push(loadVector('covert-fragment-2-of-2-flags8.hex')))
        .to.throw(LevinError)
        .with.property('code', 'LEVIN_BAD_FRAGMENT');
    });

    it('the SOCKS4a capture is rejected as soon as 8 bytes show a bad signature', () => {
      const d = new LevinStreamDecoder();
      const bytes = loadVector('socks4a-connect-request-from-monerod.hex');
      expect(d.push(bytes.subarray(0, 7))).to.deep.equal([]);
      expect(() => d.push(bytes.subarray(7, 8)))
        .to.throw(LevinError)
        .with.property('code', 'LEVIN_BAD_SIGNATURE');
    });
  });

  describe('decoded fields', () => {
    it('public handshake response: node data, sync data, no peerlist, support_flags 1', () => {
      const m = decodeOne('handshake-response-public.hex');
      expect(m.isResponse).to.equal(true);
      expect(m.returnCode).to.equal(1);
      const res = Handshake.response.decode(m.body);
      expect(res.node_data.network_id.equals(networkId('regtest'))).to.equal(true);
      expect(res.node_data.my_port).to.equal(18800);
      expect(res.node_data.support_flags).to.equal(1);
      expect(res.node_data.rpc_port).to.equal(0);
      expect(res.payload_data.current_height).to.equal(101n);
      expect(res.payload_data.cumulative_difficulty).to.equal(101n);
      expect(res.payload_data.cumulative_difficulty_top64).to.equal(0n);
      expect(res.payload_data.top_version).to.equal(16);
      expect(res.payload_data.top_id.toString('hex')).to.match(/^4b9a33ac/);
      expect(res.local_peerlist_new).to.deep.equal([]);
      const raw = decodeSection(m.body);
      expect([...raw.keys()]).to.deep.equal(['node_data', 'payload_data']);
      expect([...section(raw, 'node_data').keys()]).to.deep.equal(['my_port', 'network_id', 'peer_id', 'support_flags']);
    });

    it('public ping response answers with the same peer id as the handshake', () => {
      const ping = Ping.response.decode(decodeOne('ping-response-public.hex').body);
      const hs = Handshake.response.decode(decodeOne('handshake-response-public.hex').body);
      expect(ping.status).to.equal('OK');
      expect(ping.peer_id).to.equal(hs.node_data.peer_id);
    });

    it('anonymous-inbound handshake response: peer_id 1, no support_flags, two onion peers without last_seen', () => {
      const m = decodeOne('handshake-response-anon-inbound.hex');
      const res = Handshake.response.decode(m.body);
      expect(res.node_data.peer_id).to.equal(1n);
      expect(res.node_data.my_port).to.equal(0);
      expect(res.node_data.support_flags).to.equal(0);
      expect(section(decodeSection(m.body), 'node_data').has('support_flags')).to.equal(false);
      expect(res.local_peerlist_new).to.have.length(2);
      for (const p of res.local_peerlist_new) {
        expect(isInvalidPeerlistEntry(p)).to.equal(false);
        const e = p as PeerlistEntry;
        expect(e.adr.type).to.equal(4);
        if (e.adr.type !== 4) return;
        expect(e.adr.host).to.match(/^[a-z2-7]{56}\.onion$/);
        expect(e.adr.port).to.equal(18083);
        expect(e.last_seen).to.equal(0n);
        expect(e.id).to.not.equal(0n);
      }
      const raw = decodeSection(m.body).get('local_peerlist_new');
      expect(raw?.tag).to.equal(EpeeTag.Object | 0x80);
      for (const entry of raw?.value as EpeeSection[]) expect([...entry.keys()]).to.deep.equal(['adr', 'id']);
    });

    it('monerod dialling out over Tor sends peer_id 1 and no support_flags', () => {
      const m = decodeOne('handshake-request-monerod-outbound-tor.hex');
      expect(m.expectsResponse).to.equal(true);
      const req = Handshake.request.decode(m.body);
      expect(req.node_data.peer_id).to.equal(1n);
      expect(req.node_data.support_flags).to.equal(0);
      expect(req.payload_data.current_height).to.equal(102n);
    });

    it('filtered PING and REQUEST_SUPPORT_FLAGS on an anonymity zone: return code -6, empty body', () => {
      for (const [file, command] of [
        ['ping-response-anon-inbound-filtered.hex', 1003],
        ['support-flags-response-anon-inbound-filtered.hex', 1007],
      ] as const) {
        const m = decodeOne(file);
        expect(m.command).to.equal(command);
        expect(m.returnCode).to.equal(-6);
        expect(m.isResponse).to.equal(true);
        expect(m.body.length).to.equal(0);
      }
    });

    it('timed syncs carry only payload_data; responses have no peerlist', () => {
      for (const file of ['timed-sync-request-public.hex', 'timed-sync-request-anon-inbound.hex', 'timed-sync-request-monerod-outbound-tor.hex']) {
        const m = decodeOne(file);
        expect(m.expectsResponse).to.equal(true);
        expect([...decodeSection(m.body).keys()]).to.deep.equal(['payload_data']);
        expect(TimedSync.request.decode(m.body).payload_data.top_version).to.equal(16);
      }
      const res = TimedSync.response.decode(decodeOne('timed-sync-response-anon-inbound.hex').body);
      expect(res.local_peerlist_new).to.deep.equal([]);
      expect(res.payload_data.current_height).to.equal(102n);
    });

    it('relayed public 2002 omits dandelionpp_fluff (fluff) and writes an empty _', () => {
      const m = decodeOne('notify-new-transactions-relayed-public.hex');
      expect(m.expectsResponse).to.equal(false);
      const n = NewTransactions.body.decode(m.body);
      expect(n.dandelionpp_fluff).to.equal(true);
      expect(n._.length).to.equal(0);
      expect(n.txs).to.have.length(1);
      expect(n.txs[0].length).to.equal(1507);
      expect([...decodeSection(m.body).keys()]).to.deep.equal(['_', 'txs']);
    });

    it('our accepted 2002 with an explicit dandelionpp_fluff: true decodes as fluff and re-encodes without it', () => {
      const frame = loadVector('notify-new-transactions-ours-accepted.hex');
      const n = NewTransactions.body.decode(decodeOne('notify-new-transactions-ours-accepted.hex').body);
      expect(n.dandelionpp_fluff).to.equal(true);
      const again = encodeNotifyMessage(NewTransactions, n);
      // key length byte + 17-byte key + tag + value = 20 bytes fewer
      expect(again.length).to.equal(frame.length - 20);
      expect(NewTransactions.body.decode(again.subarray(33))).to.deep.equal(n);
    });

    it('our accepted handshake request (unsorted keys, explicit zero optionals) decodes; re-encoding is canonical', () => {
      const m = decodeOne('handshake-request-ours-accepted.hex');
      const req = Handshake.request.decode(m.body);
      expect(req.node_data.support_flags).to.equal(1);
      expect(req.node_data.rpc_port).to.equal(0);
      expect(req.payload_data.current_height).to.equal(101n);
      const again = encodeInvokeMessage(Handshake, req);
      expect(again.length).to.be.lessThan(m.body.length + 33);
      expect(Handshake.request.decode(again.subarray(33))).to.deep.equal(req);
    });

    it('fluffy block notification decodes schema-less', () => {
      const s = decodeSection(decodeOne('notify-new-fluffy-block-public.hex').body);
      expect(s.get('current_blockchain_height')).to.deep.equal({ tag: EpeeTag.UInt64, value: 102n });
      expect(section(s, 'b').get('block')?.tag).to.equal(EpeeTag.String);
    });

    it('noise-padded 2002: cb 3039, a stem body of 1549 bytes, 1490 trailing zero bytes ignored', () => {
      const frame = loadVector('notify-new-transactions-tor-noise-padded-3072.hex');
      const m = decodeOne('notify-new-transactions-tor-noise-padded-3072.hex');
      expect(m.body.length).to.equal(3039);
      const n = NewTransactions.body.decode(m.body);
      expect(n.dandelionpp_fluff).to.equal(false);
      expect(n.txs.map((t) => t.length)).to.deep.equal([1507]);
      const canonical = NewTransactions.body.encode(n);
      expect(canonical.length).to.equal(1549);
      expect(canonical.equals(m.body.subarray(0, 1549))).to.equal(true);
      expect(m.body.subarray(1549).every((b) => b === 0)).to.equal(true);
      expect(m.body.length - 1549).to.equal(1490);
      // zero-copy: the tx blob is a view into the received frame
      const chunk = Buffer.from(frame);
      const view = NewTransactions.body.decode(new LevinStreamDecoder().push(chunk)[0].body).txs[0];
      expect(view.buffer).to.equal(chunk.buffer);
    });

    it('fragments 1 + 2 reassemble into exactly the covert-reassembled frame', () => {
      const reassembled = loadVector('covert-reassembled-notify-new-transactions.hex');
      const d = new LevinStreamDecoder();
      expect(d.push(loadVector('covert-fragment-1-of-2-flags4.hex'))).to.deep.equal([]);
      expect(d.bufferedBytes).to.equal(3039);
      const out = d.push(loadVector('covert-fragment-2-of-2-flags8.hex'));
      expect(out).to.have.length(1);
      expect(d.bufferedBytes).to.equal(0);
      const m = out[0];
      expect(m.fragmented).to.equal(true);
      expect(m.command).to.equal(2002);
      expect(m.expectsResponse).to.equal(false);
      expect(m.body.equals(reassembled.subarray(33))).to.equal(true);
      const n = NewTransactions.body.decode(m.body);
      expect(n.dandelionpp_fluff).to.equal(false);
      expect(n.txs.map((t) => t.length)).to.deep.equal([4143]);
    });

    it('noise frame is skipped and has the documented header', () => {
      const frame = loadVector('noise-3072.hex');
      expect(frame.subarray(0, 33).toString('hex')).to.equal(
        ['0121010101010101', 'df0b000000000000', '00', '00000000', '00000000', '0c000000', '01000000'].join(''),
      );
      const d = new LevinStreamDecoder();
      expect(d.push(frame)).to.deep.equal([]);
      expect(d.bufferedBytes).to.equal(0);
    });
  });

  describe('byte-identical re-encoding', () => {
    const canonical = [
      'handshake-response-public.hex',
      'handshake-response-anon-inbound.hex',
      'handshake-request-monerod-outbound-tor.hex',
      'ping-response-public.hex',
      'timed-sync-request-public.hex',
      'timed-sync-request-anon-inbound.hex',
      'timed-sync-request-monerod-outbound-tor.hex',
      'timed-sync-response-anon-inbound.hex',
      'notify-new-transactions-relayed-public.hex',
      'covert-reassembled-notify-new-transactions.hex',
    ];
    for (const file of canonical) {
      it(file, () => {
        const frame = loadVector(file);
        const m = decodeOne(file);
        let again: Buffer;
        if (m.command === NewTransactions.command) {
          again = encodeNotifyMessage(NewTransactions, NewTransactions.body.decode(m.body));
        } else {
          const def = INVOKES.get(m.command) as InvokeDefinition<object, object>;
          again = m.isResponse
            ? encodeResponseMessage(def, def.response.decode(m.body), m.returnCode)
            : encodeInvokeMessage(def, def.request.decode(m.body));
        }
        expect(again.toString('hex')).to.equal(frame.toString('hex'));
      });
    }

    it('relayed 2002 through the gathering encoder (tx blob referenced, not copied)', () => {
      const frame = loadVector('notify-new-transactions-relayed-public.hex');
      const n = NewTransactions.body.decode(decodeOne('notify-new-transactions-relayed-public.hex').body);
      const parts = encodeNotifyMessageParts(NewTransactions, n);
      expect(parts).to.include(n.txs[0]);
      expect(Buffer.concat(parts).equals(frame)).to.equal(true);
    });

    it('fluffy block through the schema-less codec', () => {
      const frame = loadVector('notify-new-fluffy-block-public.hex');
      const m = decodeOne('notify-new-fluffy-block-public.hex');
      expect(encodeNotify(m.command, encodeSection(decodeSection(m.body))).equals(frame)).to.equal(true);
    });

    it('makeNoiseFrame(3072) is monerod’s noise frame', () => {
      expect(makeNoiseFrame(3072).equals(loadVector('noise-3072.hex'))).to.equal(true);
    });

    it('the padded 2002 rebuilt from its decoded fields', () => {
      const frame = loadVector('notify-new-transactions-tor-noise-padded-3072.hex');
      const n = NewTransactions.body.decode(decodeOne('notify-new-transactions-tor-noise-padded-3072.hex').body);
      const slots = packForNoise(encodeNotifyMessage(NewTransactions, n), 3072);
      expect(slots).to.have.length(1);
      expect(slots[0].equals(frame)).to.equal(true);
    });

    it('the two fragments rebuilt from the reassembled inner frame', () => {
      const slots = packForNoise(loadVector('covert-reassembled-notify-new-transactions.hex'), 3072);
      expect(slots).to.have.length(2);
      expect(slots[0].equals(loadVector('covert-fragment-1-of-2-flags4.hex'))).to.equal(true);
      expect(slots[1].equals(loadVector('covert-fragment-2-of-2-flags8.hex'))).to.equal(true);
    });
  });
});
