import { expect } from 'chai';
import { digestHa1, digestResponse } from '../../../src/rpc/digest-auth';
import { CLEARNET_IP, CLEARNET_TOP, fakeSources, FakeTxSubmitter, ONION, SPEND, TOR_TOP, TRANSFER } from './fake-sources';
import {
  CONNECTION_INFO_FIELDS,
  GET_CONNECTIONS_FIELDS,
  GET_INFO_FIELDS,
  GET_PEER_LIST_FIELDS,
  PEER_FIELDS,
  TX_INFO_FIELDS,
  TX_POOL_FIELDS,
  TX_POOL_HASHES_FIELDS,
} from './monerod-fields';
import { http, jsonRpc, startMonerodRpc, type RpcUnderTest } from './rpc-harness';

const sorted = (keys: readonly string[]) => [...keys].sort();
const VEILNODE_EXTRA = ['zone'];

describe('RPC monerod read endpoints', () => {
  let rpc: RpcUnderTest;
  let txs: FakeTxSubmitter;

  async function start(options: Parameters<typeof startMonerodRpc>[0] = {}): Promise<string> {
    txs = new FakeTxSubmitter();
    txs.publicPool = [{ id: TRANSFER.id, blob: Buffer.from(TRANSFER.hex, 'hex'), state: 'fluff' }];
    txs.privatePool = [{ id: SPEND.id, blob: Buffer.from(SPEND.hex, 'hex'), state: 'local' }];
    txs.relayStatus = { localWaiting: 1, waitReason: 'no-anonymity-connection', localInFlight: 0, pool: { local: 1, forward: 0, stem: 0, fluff: 1 } };
    rpc = await startMonerodRpc(options, fakeSources(txs));
    return rpc.address;
  }

  afterEach(async () => rpc?.stop());

  describe('transaction pool (mempool hiding)', () => {
    it('/get_transaction_pool lists broadcast txs only, each with monerod’s tx_info fields', async () => {
      const address = await start();
      const reply = await http(address, '/get_transaction_pool');
      expect(sorted(Object.keys(reply.json))).to.deep.equal(sorted(TX_POOL_FIELDS));
      const listed = reply.json.transactions as Record<string, unknown>[];
      expect(listed.map((t) => t.id_hash)).to.deep.equal([TRANSFER.id]);
      expect(sorted(Object.keys(listed[0]))).to.deep.equal(sorted(TX_INFO_FIELDS));
      expect(listed[0]).to.include({ tx_blob: TRANSFER.hex, blob_size: TRANSFER.hex.length / 2, relayed: true, do_not_relay: false, receive_time: 0 });
      expect(reply.json).to.include({ status: 'OK', untrusted: false });
    });

    it('/get_transaction_pool_hashes lists broadcast txs only', async () => {
      const address = await start();
      const reply = await http(address, '/get_transaction_pool_hashes', undefined, { method: 'GET' });
      expect(sorted(Object.keys(reply.json))).to.deep.equal(sorted(TX_POOL_HASHES_FIELDS));
      expect(reply.json.tx_hashes).to.deep.equal([TRANSFER.id]);
    });

    it('a tx we originated shows up only once the relay engine made it public', async () => {
      const address = await start({ restricted: true });
      expect((await http(address, '/get_transaction_pool_hashes')).json.tx_hashes).not.to.include(SPEND.id);
      txs.publicPool = [...txs.publicPool, { ...txs.privatePool[0], state: 'fluff' }];
      expect((await http(address, '/get_transaction_pool_hashes')).json.tx_hashes).to.include(SPEND.id);
    });

    it('get_relay_pool (operator only) lists every tx with its relay state; refused when restricted', async () => {
      let address = await start();
      const result = (await jsonRpc(address, 'get_relay_pool')).result as { transactions: unknown[] };
      expect(result.transactions).to.deep.equal([
        { id_hash: SPEND.id, state: 'local', blob_size: SPEND.hex.length / 2 },
        { id_hash: TRANSFER.id, state: 'fluff', blob_size: TRANSFER.hex.length / 2 },
      ]);
      // a local tx in private broadcast shows its carrier counts (never which carriers)
      txs.broadcast = [{ txId: SPEND.id, carriersUsed: 4, sent: 3, echoed: 1, delivered: true, waiting: null }];
      const withCarriers = (await jsonRpc(address, 'get_relay_pool')).result as { transactions: unknown[] };
      expect(withCarriers.transactions[0]).to.deep.equal({
        id_hash: SPEND.id,
        state: 'local',
        blob_size: SPEND.hex.length / 2,
        private_broadcast: { carriers_used: 4, sent: 3, echoed: 1, delivered: true, waiting: null },
      });
      await rpc.stop();
      address = await start({ restricted: true });
      expect((await jsonRpc(address, 'get_relay_pool')).error).to.deep.include({ code: -32601 });
    });
  });

  describe('get_info', () => {
    it('unrestricted: monerod’s fields plus veilnode’s, best chain top, public-zone counts, local txs waiting and why', async () => {
      const address = await start();
      const envelope = await jsonRpc(address, 'get_info');
      expect(envelope).to.include({ jsonrpc: '2.0', id: '0' });
      const info = envelope.result as Record<string, unknown>;
      expect(sorted(Object.keys(info))).to.deep.equal(sorted([...GET_INFO_FIELDS, 'veilnode']));
      expect(info).to.include({
        status: 'OK',
        height: CLEARNET_TOP.height,
        top_block_hash: CLEARNET_TOP.topBlockHash,
        target_height: 0,
        tx_pool_size: 1,
        outgoing_connections_count: 2,
        incoming_connections_count: 1,
        white_peerlist_size: 1,
        grey_peerlist_size: 2,
        mainnet: false,
        testnet: false,
        stagenet: false,
        nettype: 'fakechain',
        restricted: false,
        synchronized: true,
        version: '0.1.0',
        start_time: 1000,
        adjusted_time: 1060,
      });
      expect(info.veilnode).to.deep.equal({
        local_txs_waiting: 1,
        wait_reason: 'no-anonymity-connection',
        local_txs_in_flight: 0,
        pool: { local: 1, forward: 0, stem: 0, fluff: 1 },
        held_txs: 0,
      });
    });

    it('unrestricted: lists each zone\'s health (why a zone cannot carry txs now); restricted: never', async () => {
      txs = new FakeTxSubmitter();
      const zoneHealth = { zoneHealth: () => [{ zone: 'clearnet', healthy: true }, { zone: 'tor', healthy: false, problem: 'SOCKS proxy 127.0.0.1:9050 is unreachable' }] };
      rpc = await startMonerodRpc({}, { ...fakeSources(txs), zoneHealth });
      const info = (await jsonRpc(rpc.address, 'get_info')).result as { veilnode: { zones: unknown } };
      expect(info.veilnode.zones).to.deep.equal(zoneHealth.zoneHealth());
      await rpc.stop();
      rpc = await startMonerodRpc({ restricted: true }, { ...fakeSources(txs), zoneHealth });
      const restricted = (await jsonRpc(rpc.address, 'get_info')).result as Record<string, unknown>;
      expect(restricted).to.not.have.property('veilnode');
      expect(JSON.stringify(restricted)).to.not.include('SOCKS');
    });

    it('is also GET /get_info and /getinfo, with the same answer as JSON-RPC', async () => {
      const address = await start();
      const viaJsonRpc = (await jsonRpc(address, 'get_info')).result;
      expect((await http(address, '/get_info', undefined, { method: 'GET' })).json).to.deep.equal(viaJsonRpc);
      expect((await http(address, '/getinfo', '')).json).to.deep.equal(viaJsonRpc);
    });

    it('restricted (clearnet): monerod’s restricted answer, the clearnet chain top only, no veilnode extras', async () => {
      const address = await start({ restricted: true });
      const info = (await http(address, '/get_info', undefined, { method: 'GET' })).json;
      expect(sorted(Object.keys(info))).to.deep.equal(sorted(GET_INFO_FIELDS));
      expect(info).to.include({
        restricted: true,
        outgoing_connections_count: 0,
        incoming_connections_count: 0,
        white_peerlist_size: 0,
        grey_peerlist_size: 0,
        version: '',
        start_time: 0,
        adjusted_time: 0,
        height_without_bootstrap: 0,
        top_block_hash: CLEARNET_TOP.topBlockHash,
        tx_pool_size: 1,
      });
    });
  });

  describe('get_connections', () => {
    it('unrestricted: every connection with monerod’s connection_info fields (plus its zone)', async () => {
      const address = await start();
      const result = (await jsonRpc(address, 'get_connections')).result as { connections: Record<string, unknown>[] };
      expect(sorted(Object.keys(result))).to.deep.equal(sorted(GET_CONNECTIONS_FIELDS));
      for (const c of result.connections) expect(sorted(Object.keys(c))).to.deep.equal(sorted([...CONNECTION_INFO_FIELDS, ...VEILNODE_EXTRA]));
      const [out, local, v6, tor] = result.connections;
      expect(out).to.include({
        incoming: false,
        address: `${CLEARNET_IP}:18080`,
        host: CLEARNET_IP,
        ip: CLEARNET_IP,
        port: '18080',
        peer_id: '0123456789abcdef',
        state: 'normal',
        live_time: 60,
        address_type: 1,
        rpc_port: 18081,
        connection_id: 'clearnet-1',
        localhost: false,
        local_ip: false,
        zone: 'clearnet',
      });
      expect(local).to.include({ incoming: true, localhost: true, state: 'before_handshake', peer_id: '0000000000000005', live_time: 0 });
      expect(v6).to.include({ host: '2001:db8::1', port: '18080', address_type: 2, pruning_seed: 384 });
      expect(tor).to.include({ host: ONION, ip: '', port: '18083', address_type: 4, zone: 'tor' });
    });

    it('is refused on a restricted listener (monerod’s restricted list)', async () => {
      const address = await start({ restricted: true });
      expect((await jsonRpc(address, 'get_connections')).error).to.deep.include({ code: -32601 });
    });
  });

  describe('get_peer_list', () => {
    it('plain endpoint: the public zone’s white and gray lists by default, with monerod’s peer fields', async () => {
      const address = await start();
      const reply = await http(address, '/get_peer_list');
      expect(sorted(Object.keys(reply.json))).to.deep.equal(sorted(GET_PEER_LIST_FIELDS));
      const white = reply.json.white_list as Record<string, unknown>[];
      const gray = reply.json.gray_list as Record<string, unknown>[];
      expect(white).to.have.length(1);
      expect(gray).to.have.length(2);
      for (const p of [...white, ...gray]) expect(sorted(Object.keys(p))).to.deep.equal(sorted([...PEER_FIELDS, ...VEILNODE_EXTRA]));
      // monerod's u32 form of 198.51.100.23: bytes in network order read little-endian
      expect(white[0]).to.deep.equal({ id: 77, host: CLEARNET_IP, ip: 0x176433c6, port: 18080, rpc_port: 18089, rpc_credits_per_hash: 0, last_seen: 1_700_000_000, pruning_seed: 0, zone: 'clearnet' });
    });

    it('writes a u64 peer id with every digit, as monerod', async () => {
      const address = await start();
      const text = await (await fetch(`http://${address}/get_peer_list`, { method: 'POST' })).text();
      expect(text).to.contain('"id":14653991833724566699,');
    });

    it('public_only false adds the anonymity zones’ books; also as a JSON-RPC method', async () => {
      const address = await start();
      const result = (await jsonRpc(address, 'get_peer_list', { public_only: false })).result as { white_list: { host: string }[] };
      expect(result.white_list.map((p) => p.host)).to.deep.equal([CLEARNET_IP, ONION]);
      const bad = await http(address, '/get_peer_list', { public_only: 'no' });
      expect(bad.json).to.include({ status: 'Failed', reason: 'public_only must be true or false' });
    });

    it('is refused on a restricted listener, on both paths', async () => {
      const address = await start({ restricted: true });
      const plain = await http(address, '/get_peer_list');
      expect(plain.status).to.equal(404);
      expect(plain.json).to.deep.equal({ status: 'Failed', reason: '/get_peer_list is not available on a restricted RPC server' });
      expect((await jsonRpc(address, 'get_peer_list')).error).to.deep.include({ code: -32601 });
    });
  });

  describe('hidden-service listener (zone tor, always restricted)', () => {
    it('answers from the tor zone only: its chain top, and nothing that names clearnet peers, IPs or the clearnet chain', async () => {
      const address = await start({ zone: 'tor', restricted: true });
      const info = (await jsonRpc(address, 'get_info')).result as Record<string, unknown>;
      expect(info).to.include({ height: TOR_TOP.height, top_block_hash: TOR_TOP.topBlockHash, restricted: true });
      const answers = [
        info,
        (await http(address, '/get_info', undefined, { method: 'GET' })).json,
        (await http(address, '/get_transaction_pool')).json,
        (await http(address, '/get_transaction_pool_hashes')).json,
        (await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex })).json,
      ];
      const text = JSON.stringify(answers);
      for (const secret of [CLEARNET_IP, CLEARNET_TOP.topBlockHash, '127.0.0.1', '2001:db8::1', 'clearnet', 'veilnode']) expect(text, secret).not.to.contain(secret);
      expect(answers[4]).to.include({ status: 'OK' });
    });

    it('refuses every method and path that lists connections, peers or the private pool', async () => {
      const address = await start({ zone: 'tor', restricted: true });
      for (const method of ['get_connections', 'get_peer_list', 'relay_tx', 'get_relay_pool']) expect((await jsonRpc(address, method)).error, method).to.deep.include({ code: -32601 });
      expect((await http(address, '/get_peer_list')).status).to.equal(404);
    });
  });

  describe('JSON-RPC errors', () => {
    it('bad JSON gets -32700 and an unknown method -32601, as monerod', async () => {
      const address = await start();
      expect((await http(address, '/json_rpc', '{"jsonrpc":"2.0","method":')).json.error).to.deep.include({ code: -32700 });
      expect((await jsonRpc(address, 'get_block_template')).error).to.deep.include({ code: -32601 });
    });
  });

  describe('--rpc-login (HTTP Digest) on the new endpoints', () => {
    async function digest(address: string, method: string, path: string, body?: object) {
      const challenge = await http(address, path, body, { method });
      expect(challenge.status).to.equal(401);
      const nonce = /nonce="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')?.[1] as string;
      const ha1 = digestHa1('wallet', 'veilnode', 's3cret');
      const response = digestResponse(ha1, { method, uri: path, nonce, nc: '00000001', cnonce: 'abc', qop: 'auth' });
      const authorization = `Digest username="wallet", realm="veilnode", nonce="${nonce}", uri="${path}", qop=auth, nc=00000001, cnonce="abc", response="${response}"`;
      return { challenge, answer: await http(address, path, body, { method, headers: { authorization } }) };
    }

    it('send_raw_transaction: 401 with a challenge and nothing relayed without login; accepted with it', async () => {
      const address = await start({ login: 'wallet:s3cret' });
      const { challenge, answer } = await digest(address, 'POST', '/send_raw_transaction', { tx_as_hex: SPEND.hex });
      expect(challenge.json).to.deep.equal({ status: 'Failed', reason: 'authentication required' });
      expect(answer.json.status).to.equal('OK');
      expect(txs.submitted).to.have.length(1);
    });

    it('GET /get_info, /get_transaction_pool and json_rpc get_info need the login too', async () => {
      const address = await start({ login: 'wallet:s3cret' });
      expect((await digest(address, 'GET', '/get_info')).answer.json.status).to.equal('OK');
      expect((await digest(address, 'POST', '/get_transaction_pool')).answer.json.status).to.equal('OK');
      const rpcCall = await digest(address, 'POST', '/json_rpc', { jsonrpc: '2.0', id: 1, method: 'get_info' });
      expect((rpcCall.answer.json.result as { status: string }).status).to.equal('OK');
      expect(rpcCall.challenge.json).to.deep.equal({ status: 'Failed', reason: 'authentication required' });
    });
  });
});
