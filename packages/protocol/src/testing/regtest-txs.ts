import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A real regtest transaction (made by monero-wallet-rpc or monerod) and the id monerod gave it. */
export interface RegtestTx {
  readonly source: string;
  readonly id: string;
  readonly hex: string;
}

/** The txs of this package's test/fixtures/txs/regtest-txs.json (remade by test/harness/monerod/make-txs.sh). */
export const REGTEST_TXS: readonly RegtestTx[] = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'txs', 'regtest-txs.json'), 'utf8')).txs;
