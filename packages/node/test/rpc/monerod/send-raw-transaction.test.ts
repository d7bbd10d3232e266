import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableTxQueue } from '../../../src/relay/durable-tx-queue';
import { RelayEngine } from '../../../src/relay/relay-engine';
import { JournalError, RelayError } from '../../../src/relay/relay-errors';
import { HELD_TX_LIMIT, HeldTxPool } from '../../../src/rpc/monerod/held-tx-pool';
import { MAX_TX_BLOB_BYTES } from '../../../src/rpc/monerod/send-raw-transaction';
import { SystemClock } from '@veilnode/plugin-api';
import { CryptoRng } from '../../../src/time/rng';
import { WellFormedJunkTx } from '@veilnode/protocol/testing';
import { transactionIdHex } from '@veilnode/protocol';
import { COINBASE, fakeSources, FakeTxSubmitter, SPEND, TRANSFER } from './fake-sources';
import { SEND_RAW_TX_FIELDS } from './monerod-fields';
import { http, jsonRpc, startMonerodRpc, type RpcUnderTest } from './rpc-harness';

const FLAG_NAMES = SEND_RAW_TX_FIELDS.filter((f) => !['status', 'untrusted', 'credits', 'top_hash', 'reason'].includes(f));

/** The flags set to true in an answer. */
function setFlags(answer: Record<string, unknown>): string[] {
  return FLAG_NAMES.filter((f) => answer[f] === true);
}

describe('RPC /send_raw_transaction (monerod-compatible)', () => {
  let rpc: RpcUnderTest;
  let txs: FakeTxSubmitter;

  async function start(options: Parameters<typeof startMonerodRpc>[0] = {}): Promise<string> {
    txs = new FakeTxSubmitter();
    rpc = await startMonerodRpc(options, fakeSources(txs));
    return rpc.address;
  }

  afterEach(async () => rpc?.stop());

  it('accepts a real wallet tx, hands the exact blob to the relay engine and answers with monerod’s fields', async () => {
    const address = await start();
    const reply = await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex });
    expect(reply.status).to.equal(200);
    expect(Object.keys(reply.json).sort()).to.deep.equal([...SEND_RAW_TX_FIELDS, 'veilnode'].sort());
    expect(reply.json).to.include({ status: 'OK', reason: '', untrusted: false, credits: 0, top_hash: '' });
    expect(setFlags(reply.json)).to.deep.equal([]);
    expect(reply.json.veilnode).to.deep.equal({ tx_hash: SPEND.id, relay: 'queued' });
    expect(txs.submitted.map((b) => Buffer.from(b).toString('hex'))).to.deep.equal([SPEND.hex]);
  });

  it('is also served at /sendrawtransaction (monerod’s alias)', async () => {
    const address = await start();
    const reply = await http(address, '/sendrawtransaction', { tx_as_hex: TRANSFER.hex });
    expect(reply.json.status).to.equal('OK');
    expect(txs.submitted).to.have.length(1);
  });

  it('answers only once the relay engine’s durable write finished', async () => {
    const address = await start();
    let durable!: () => void;
    txs.onSubmit = (blob) => new Promise((resolve) => (durable = () => resolve({ txId: transactionIdHex(blob), status: 'queued' })));
    let answered = false;
    const pending = http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex }).then((r) => {
      answered = true;
      return r;
    });
    while (txs.submitted.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered, 'answered before the write was durable').to.equal(false);
    durable();
    expect((await pending).json.status).to.equal('OK');
  });

  it('with the real engine and journal: after OK the tx is in the fsync’d journal a fresh process would replay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veilnode-rpc-'));
    const store = await DurableTxQueue.open({ dir });
    const port = { send: () => false, sendNoiseSlot: () => false, dial: () => undefined, close: () => undefined };
    const engine = new RelayEngine(
      { zones: [{ name: 'clearnet', anonymity: false, noise: false, targetOutbound: 12 }, { name: 'tor', anonymity: true, noise: false, targetOutbound: 12 }] },
      { clock: new SystemClock(), rng: new CryptoRng(), port, store, txId: transactionIdHex },
    );
    engine.start();
    try {
      rpc = await startMonerodRpc({}, { ...fakeSources(), txs: engine });
      const reply = await http(rpc.address, '/send_raw_transaction', { tx_as_hex: SPEND.hex });
      expect(reply.json).to.include({ status: 'OK' });
      expect(reply.json.veilnode).to.deep.equal({ tx_hash: SPEND.id, relay: 'queued' });
      // what a restarted node reads back (no anonymity connection: it waits, durably)
      const reopened = await DurableTxQueue.open({ dir: join(dir) });
      expect(reopened.pending().map((t) => t.id)).to.deep.equal([SPEND.id]);
      await reopened.close();
      // get_info tells the operator it waits and why
      const info = (await jsonRpc(rpc.address, 'get_info')).result as Record<string, unknown>;
      expect(info.veilnode).to.deep.include({ local_txs_waiting: 1, wait_reason: 'no-anonymity-connection' });
      // and mempool hiding: not in the public pool
      expect((await http(rpc.address, '/get_transaction_pool_hashes')).json.tx_hashes).to.deep.equal([]);
    } finally {
      engine.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  const malformed: [string, unknown, string | RegExp, string[]][] = [
    ['no tx_as_hex', {}, 'tx_as_hex must be a non-empty hex string', []],
    ['an empty tx_as_hex', { tx_as_hex: '' }, 'tx_as_hex must be a non-empty hex string', []],
    ['a number as tx_as_hex', { tx_as_hex: 12 }, 'tx_as_hex must be a non-empty hex string', []],
    ['non-hex characters', { tx_as_hex: 'zz' + SPEND.hex.slice(2) }, /not valid hex/, []],
    ['an odd number of hex digits', { tx_as_hex: SPEND.hex.slice(1) }, /not valid hex/, []],
    ['a blob larger than monerod’s pool takes', { tx_as_hex: 'ab'.repeat(MAX_TX_BLOB_BYTES + 1) }, /^too big/, ['too_big']],
    ['a truncated tx', { tx_as_hex: SPEND.hex.slice(0, 400) }, /^Sanity check failed: invalid transaction at byte/, ['sanity_check_failed']],
    ['trailing garbage', { tx_as_hex: SPEND.hex + '00' }, /^Sanity check failed/, ['sanity_check_failed']],
    ['a coinbase tx (one output)', { tx_as_hex: COINBASE.hex }, 'invalid input, too few outputs', ['invalid_input', 'too_few_outputs']],
    [
      'a well-formed tx that breaks a relay rule (17 outputs)',
      { tx_as_hex: Buffer.from(new WellFormedJunkTx().next(1, 17)).toString('hex') },
      /^Sanity check failed: .*17 outputs \(must be 2\.\.16\)/,
      ['sanity_check_failed'],
    ],
    ['a non-boolean do_not_relay', { tx_as_hex: SPEND.hex, do_not_relay: 'yes' }, 'do_not_relay must be true or false', []],
    ['a non-boolean do_sanity_checks', { tx_as_hex: SPEND.hex, do_sanity_checks: 1 }, 'do_sanity_checks must be true or false', []],
  ];
  for (const [what, body, reason, flags] of malformed) {
    it(`answers ${what} with status Failed, a reason and monerod’s flags, and relays nothing`, async () => {
      const address = await start();
      const reply = await http(address, '/send_raw_transaction', body as object);
      expect(reply.status).to.equal(200);
      expect(Object.keys(reply.json).sort()).to.deep.equal([...SEND_RAW_TX_FIELDS].sort());
      expect(reply.json.status).to.equal('Failed');
      if (typeof reason === 'string') expect(reply.json.reason).to.equal(reason);
      else expect(reply.json.reason).to.match(reason);
      expect(setFlags(reply.json)).to.deep.equal(flags);
      expect(txs.submitted).to.have.length(0);
    });
  }

  it('without sanity checks a malformed tx still fails, without the sanity flag', async () => {
    const address = await start();
    const reply = await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex.slice(0, 400), do_sanity_checks: false });
    expect(reply.json.status).to.equal('Failed');
    expect(reply.json.reason).to.match(/^invalid transaction at byte/);
    expect(setFlags(reply.json)).to.deep.equal([]);
    expect(txs.submitted).to.have.length(0);
  });

  const bodies: [string, string, string][] = [
    ['a body that is not JSON', '{"tx_as_hex":', 'the request body is not valid JSON'],
    ['a JSON array', `["${SPEND.hex}"]`, 'the request body must be a JSON object'],
    ['an empty body', '', 'tx_as_hex must be a non-empty hex string'],
  ];
  for (const [what, body, reason] of bodies) {
    it(`answers ${what} with {status: Failed, reason}`, async () => {
      const address = await start();
      const reply = await http(address, '/send_raw_transaction', body);
      expect(reply.status).to.equal(200);
      expect(reply.json).to.include({ status: 'Failed', reason });
      expect(txs.submitted).to.have.length(0);
    });
  }

  it('refuses an oversize body with 413 and {status: Failed}, and keeps serving', async () => {
    const address = await start({ maxBodyBytes: 4096 });
    const reply = await http(address, '/send_raw_transaction', { tx_as_hex: TRANSFER.hex });
    expect(reply.status).to.equal(413);
    expect(reply.json).to.deep.equal({ status: 'Failed', reason: 'request body exceeds 4096 bytes' });
    expect((await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex })).json.status).to.equal('OK');
  });

  it('accepts POST only', async () => {
    const address = await start();
    const reply = await http(address, '/send_raw_transaction', undefined, { method: 'GET' });
    expect(reply.status).to.equal(405);
    expect(reply.headers.get('allow')).to.equal('POST');
    expect(reply.json.status).to.equal('Failed');
  });

  it('do_not_relay: answers like monerod (OK, not_relayed), never reaches the relay engine, listed only in the private pool view', async () => {
    const address = await start();
    const reply = await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex, do_not_relay: true });
    expect(reply.json).to.include({ status: 'OK', reason: 'Not relayed', not_relayed: true });
    expect(reply.json.veilnode).to.deep.equal({ tx_hash: SPEND.id, relay: 'held' });
    expect(txs.submitted).to.have.length(0);
    expect((await http(address, '/get_transaction_pool_hashes')).json.tx_hashes).to.deep.equal([]);
    const relayPool = (await jsonRpc(address, 'get_relay_pool')).result as { transactions: unknown[] };
    expect(relayPool.transactions).to.deep.equal([{ id_hash: SPEND.id, state: 'held', blob_size: SPEND.hex.length / 2 }]);
    expect(((await jsonRpc(address, 'get_info')).result as { veilnode: { held_txs: number } }).veilnode.held_txs).to.equal(1);
    // sent again without the flag: relayed after all, no longer held
    expect((await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex })).json.status).to.equal('OK');
    expect(txs.submitted).to.have.length(1);
    expect(((await jsonRpc(address, 'get_relay_pool')).result as { transactions: unknown[] }).transactions).to.deep.equal([]);
  });

  it('relay_tx relays a held do_not_relay tx through the relay engine; unknown and malformed ids fail like monerod (-5)', async () => {
    const address = await start();
    await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex, do_not_relay: true });
    expect(await jsonRpc(address, 'relay_tx', { txids: [SPEND.id.toUpperCase()] })).to.deep.include({ result: { status: 'OK', untrusted: false, credits: 0, top_hash: '' } });
    expect(txs.submitted.map((b) => transactionIdHex(b))).to.deep.equal([SPEND.id]);
    expect(((await jsonRpc(address, 'get_relay_pool')).result as { transactions: unknown[] }).transactions).to.deep.equal([]);
    const failed = await jsonRpc(address, 'relay_tx', { txids: [TRANSFER.id, 'xyz'] });
    expect(failed.error).to.deep.equal({ code: -5, message: `transaction not found in pool: ${TRANSFER.id}, invalid transaction id: xyz` });
    expect((await jsonRpc(address, 'relay_tx', { txids: 'all' })).error).to.deep.include({ code: -32602 });
    expect(txs.submitted).to.have.length(1);
  });

  it('relay_tx is refused on a restricted listener', async () => {
    const address = await start({ restricted: true });
    await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex, do_not_relay: true });
    expect((await jsonRpc(address, 'relay_tx', { txids: [SPEND.id] })).error).to.deep.include({ code: -32601 });
    expect(txs.submitted).to.have.length(0);
  });

  it('a journal failure answers Failed (never OK for a tx that is not durable) and is logged', async () => {
    const address = await start();
    txs.onSubmit = () => Promise.reject(new JournalError('JOURNAL_WRITE_FAILED', 'disk full', { file: 'x' }));
    const reply = await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex });
    expect(reply.json.status).to.equal('Failed');
    expect(reply.json.reason).to.match(/not relayed, try again/);
    expect(rpc.logger.entries.some((e) => e.level === 'error' && (e.fields as { code?: string }).code === 'JOURNAL_WRITE_FAILED')).to.equal(true);
  });

  it('a full local-tx queue answers Failed with why, and a flood of them logs no line per request', async () => {
    const address = await start();
    txs.onSubmit = () => Promise.reject(new JournalError('JOURNAL_FULL', 'local-tx queue is full', { file: 'x' }));
    for (let i = 0; i < 5; i++) {
      const reply = await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex });
      expect(reply.json).to.include({ status: 'Failed', reason: 'the local transaction queue is full; it was not relayed, try again later' });
    }
    expect(rpc.logger.entries.filter((e) => e.level !== 'debug')).to.deep.equal([]);
  });

  it('a tx too large for the noise zones’ covert fragments answers too_big', async () => {
    const address = await start();
    txs.onSubmit = () => Promise.reject(new RelayError('TX_TOO_LARGE_FOR_NOISE', 'does not fit'));
    const reply = await http(address, '/send_raw_transaction', { tx_as_hex: TRANSFER.hex });
    expect(reply.json.status).to.equal('Failed');
    expect(setFlags(reply.json)).to.deep.equal(['too_big']);
  });

  it('restricted: exactly monerod’s fields, and the same answer for a tx we already had as for a new one', async () => {
    const address = await start({ restricted: true });
    const fresh = await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex });
    txs.onSubmit = async (blob) => ({ txId: transactionIdHex(blob), status: 'known' });
    const known = await http(address, '/send_raw_transaction', { tx_as_hex: SPEND.hex });
    expect(Object.keys(fresh.json).sort()).to.deep.equal([...SEND_RAW_TX_FIELDS].sort());
    expect(known.json).to.deep.equal(fresh.json);
  });
});

describe('HeldTxPool', () => {
  it('keeps at most its limit, dropping the oldest; a repeat refreshes the age', () => {
    const pool = new HeldTxPool(3);
    for (const id of ['a', 'b', 'c']) pool.hold(id, Buffer.from(id));
    pool.hold('a', Buffer.from('a'));
    pool.hold('d', Buffer.from('d'));
    expect(pool.entries().map((e) => e.id)).to.deep.equal(['c', 'a', 'd']);
    pool.release('c');
    expect(pool.entries().map((e) => e.id)).to.deep.equal(['a', 'd']);
    expect(HELD_TX_LIMIT).to.be.greaterThan(0);
  });
});
