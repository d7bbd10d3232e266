import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RelayService, TX_QUEUE_DIR } from '../../src/node/relay-service';
import { DEFAULT_JOURNAL_FILE, DurableTxQueue } from '../../src/relay/durable-tx-queue';
import { RelayError } from '../../src/relay/relay-errors';
import type { RelayOutboundPort } from '../../src/relay/relay-outbound-port';
import { tempDir } from '../../src/testing/fixtures';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { REGTEST_TXS } from '@veilnode/protocol/testing';

const TX = REGTEST_TXS[0];
/** No connection to send on: the engine keeps local txs in its journal. */
const NO_CONNECTION_PORT: RelayOutboundPort = { send: () => false, sendNoiseSlot: () => false, dial: () => undefined, close: () => undefined };

describe('node/RelayService', () => {
  let data: { dir: string; cleanup: () => void };
  let service: RelayService;

  beforeEach(() => {
    data = tempDir();
    const zones = [
      { name: 'clearnet', anonymity: false, noise: false, targetOutbound: 12 },
      { name: 'tor', anonymity: true, noise: true, targetOutbound: 12 },
    ];
    service = new RelayService({ dataDir: data.dir, zones, port: NO_CONNECTION_PORT, logger: new RecordingLogger() });
  });
  afterEach(async () => {
    await service.stop();
    data.cleanup();
  });

  it('before start: opens nothing, refuses submissions with a typed error, answers views empty, ignores peer events', async () => {
    expect(existsSync(path.join(data.dir, TX_QUEUE_DIR))).to.equal(false);
    const error = await service.submitLocal(Buffer.from(TX.hex, 'hex')).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RelayError);
    expect((error as RelayError).code).to.equal('RELAY_NOT_RUNNING');
    expect(service.publicTransactions()).to.deep.equal([]);
    expect(service.status().localWaiting).to.equal(0);
    service.onConnectionUp('tor', 'tor-1', 'outbound', 100);
    service.onConnectionHeight('tor', 'tor-1', 101);
    service.receive({ zone: 'clearnet', connectionId: 'c-1', txs: [], fluff: true });
    expect(service.queued('tor')).to.equal(0);
  });

  it('after start: the journal lives in <dataDir>/txqueue, local txs wait for an anonymity zone, disabled zones count nothing', async () => {
    await service.start();
    expect(existsSync(path.join(data.dir, TX_QUEUE_DIR))).to.equal(true);
    expect(await service.submitLocal(Buffer.from(TX.hex, 'hex'))).to.deep.equal({ txId: TX.id, status: 'queued' });
    expect(service.status()).to.deep.include({ localWaiting: 1, waitReason: 'no-anonymity-connection' });
    expect(service.queued('tor')).to.equal(1);
    expect(service.queued('clearnet')).to.equal(0);
    expect(service.queued('i2p')).to.equal(0); // registered but not enabled: not the engine's
    expect(service.transactions().map((t) => [t.id, t.state])).to.deep.equal([[TX.id, 'local']]);
    expect(service.publicTransactions()).to.deep.equal([]);
    // an unknown zone's event (a connection closing after a zone was dropped) is ignored, not thrown
    service.onConnectionDown('i2p', 'i2p-1');
    await service.stop();
    expect(service.publicTransactions()).to.deep.equal([]);
  });

  it('reports what opening the journal found damaged and kept aside', async () => {
    const dir = path.join(data.dir, TX_QUEUE_DIR);
    const journal = await DurableTxQueue.open({ dir });
    for (const id of ['a', 'b', 'c']) await journal.enqueue({ id, blob: new Uint8Array(100) }, 0);
    await journal.close();
    const file = path.join(dir, DEFAULT_JOURNAL_FILE);
    const bytes = readFileSync(file);
    bytes[40] ^= 0xff; // inside the first record
    writeFileSync(file, bytes);
    expect(service.journalRecovery().damagedRecords).to.equal(0);
    await service.start();
    expect(service.journalRecovery()).to.deep.include({ damagedRecords: 1, movedAsideTo: `${file}.damaged-1` });
    expect(service.status().localWaiting).to.equal(2);
  });

  it('flush (flush_txpool) drops a waiting tx from the journal: a restart on the same data dir does not bring it back', async () => {
    await service.start();
    await service.submitLocal(Buffer.from(TX.hex, 'hex'));
    expect(await service.flush([TX.id])).to.deep.equal([TX.id]);
    expect(service.status().localWaiting).to.equal(0);
    await service.stop();
    await service.start();
    expect(service.status()).to.deep.include({ localWaiting: 0, localInFlight: 0 });
    expect(service.transactions()).to.deep.equal([]);
  });

  it('the upstream’s word: a local tx seen in its pool, or mined, leaves the journal and is not replayed after a restart', async () => {
    await service.start();
    await service.submitLocal(Buffer.from(TX.hex, 'hex'));
    expect(service.localTxIds()).to.deep.equal([TX.id]);
    service.seenByNetwork(TX.id);
    await until(() => service.localTxIds().length === 0);
    await service.stop();
    await service.start();
    expect(service.localTxIds()).to.deep.equal([]);
    // the same for a tx reported mined (here after a restart replayed it)
    await service.submitLocal(Buffer.from(TX.hex, 'hex'));
    await service.stop();
    await service.start();
    expect(service.localTxIds()).to.deep.equal([TX.id]);
    service.mined(TX.id);
    expect(service.transactions()).to.deep.equal([]);
    await until(() => service.localTxIds().length === 0);
    await service.stop();
    await service.start();
    expect(service.localTxIds()).to.deep.equal([]);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).to.equal(true);
}
