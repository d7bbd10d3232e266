import { expect } from 'chai';
import { fakeSources, FakeTxSubmitter, SPEND, TRANSFER } from './fake-sources';
import { http, jsonRpc, startMonerodRpc, type RpcUnderTest } from './rpc-harness';

describe('rpc/monerod flush_txpool and get_relay_pool rejected', () => {
  let rpc: RpcUnderTest | undefined;
  let txs: FakeTxSubmitter;

  async function start(options: Parameters<typeof startMonerodRpc>[0] = {}): Promise<string> {
    txs = new FakeTxSubmitter();
    rpc = await startMonerodRpc(options, fakeSources(txs));
    return rpc.address;
  }

  afterEach(async () => {
    await rpc?.stop();
    rpc = undefined;
  });

  it('drops the given queued txs (ids in any case) and the held do_not_relay ones, answering like monerod', async () => {
    const address = await start();
    txs.queued = [SPEND.id, TRANSFER.id];
    await http(address, '/send_raw_transaction', { tx_as_hex: TRANSFER.hex, do_not_relay: true });
    expect(await jsonRpc(address, 'flush_txpool', { txids: [TRANSFER.id.toUpperCase()] })).to.deep.include({ result: { status: 'OK', untrusted: false } });
    expect(txs.queued).to.deep.equal([SPEND.id]);
    expect(((await jsonRpc(address, 'get_relay_pool')).result as { transactions: unknown[] }).transactions).to.deep.equal([]);
  });

  it('drops everything without txids or with an empty list', async () => {
    const address = await start();
    txs.queued = [SPEND.id, TRANSFER.id];
    expect((await jsonRpc(address, 'flush_txpool', { txids: [] })).result).to.deep.equal({ status: 'OK', untrusted: false });
    expect(txs.queued).to.deep.equal([]);
    txs.queued = [SPEND.id];
    expect((await jsonRpc(address, 'flush_txpool')).result).to.deep.equal({ status: 'OK', untrusted: false });
    expect(txs.queued).to.deep.equal([]);
  });

  it('fails on a malformed id before dropping anything', async () => {
    const address = await start();
    txs.queued = [SPEND.id];
    expect((await jsonRpc(address, 'flush_txpool', { txids: [SPEND.id, 'xyz'] })).error).to.deep.include({ code: -32602, message: 'Failed to parse some of the txids' });
    expect((await jsonRpc(address, 'flush_txpool', { txids: 'all' })).error).to.deep.include({ code: -32602 });
    expect(txs.queued).to.deep.equal([SPEND.id]);
  });

  it('is refused on a restricted listener, as in monerod', async () => {
    const address = await start({ restricted: true });
    txs.queued = [SPEND.id];
    expect((await jsonRpc(address, 'flush_txpool')).error).to.deep.include({ code: -32601 });
    expect(txs.queued).to.deep.equal([SPEND.id]);
  });

  it('get_relay_pool lists the rejected local txs with their reason and time (seconds)', async () => {
    const address = await start();
    txs.refused = [{ id: SPEND.id, reason: 'connection closed right after receiving it by 3 distinct peers', at: 1_700_000_000_999 }];
    const result = (await jsonRpc(address, 'get_relay_pool')).result as { rejected: unknown[] };
    expect(result.rejected).to.deep.equal([{ id_hash: SPEND.id, reason: 'connection closed right after receiving it by 3 distinct peers', rejected_time: 1_700_000_000 }]);
  });
});
