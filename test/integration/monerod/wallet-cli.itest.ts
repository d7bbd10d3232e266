import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import type { Veilnode } from '../../src/clearnet-node';
import { CountingProxy } from '../../src/harness/counting-proxy';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';
import { startUpstreamNode } from '../../src/harness/upstream-node';
import { WalletCli, type WalletCliRun } from '../../src/harness/wallet-cli';
import { until } from '../../src/until';

/**
 * A real monero-wallet-cli, scripted as a user would (`--command`, `--password`,
 * `--trusted-daemon`), whose only daemon is veilnode; veilnode forwards the chain RPC to a regtest
 * monerod (its upstream, behind a counting proxy) and sends the wallet's tx over p2p.
 * Ports from MONERO_BASE_PORT + 480: monerod p2p +0, RPC +1; veilnode p2p +10; proxy +11.
 */
const BASE = Number(process.env.MONERO_BASE_PORT ?? 18800) + 480;
const OUR_P2P = BASE + 10;
const PROXY = BASE + 11;
const NEVER_FORWARDED = ['/send_raw_transaction', '/sendrawtransaction', 'json_rpc:relay_tx', 'json_rpc:send_raw_transaction'];
/** Blocks mined to the wallet: 60 more than coinbase's unlock window, so some of its outputs are spendable. */
const MINED = 80;

describe('a real monero-wallet-cli with veilnode as its daemon, a regtest monerod as upstream', function () {
  this.timeout(300_000);
  const monerod = new MonerodHarness({ basePort: BASE, exclusive: [`127.0.0.1:${OUR_P2P}`] });
  const proxy = new CountingProxy(BASE + 1, PROXY);
  const logger = new RecordingLogger();
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  let dir: string;
  let node: Veilnode | undefined;
  let cli: WalletCli;
  let address: string;

  /** A CLI run that must succeed: its output, or a failure that shows what it printed. */
  const succeed = async (run: Promise<WalletCliRun>, what: string): Promise<string> => {
    const { stdout, code } = await run;
    if (code !== 0) throw new Error(`monero-wallet-cli ${what} exited ${code}:\n${stdout}`);
    return stdout;
  };

  before(async function () {
    skipWithoutMonerod(this);
    dir = await mkdtemp(join(tmpdir(), 'veilnode-wallet-cli-itest-'));
    await proxy.start();
    const { veilnode, rpc } = await startUpstreamNode({ dir, p2pPort: OUR_P2P, upstreamPort: PROXY, monerod, logger });
    node = veilnode;
    cli = new WalletCli({ walletFile: join(dir, 'w'), daemonAddress: rpc, logFile: join(dir, 'wallet-cli.log') });
    timings.upS = (Date.now() - t0) / 1000;
  });

  after(async () => {
    await node?.stop();
    await monerod.stop();
    await proxy.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`    timings (s): ${JSON.stringify(timings)}; upstream calls: ${JSON.stringify([...new Set(proxy.calls)])}`);
  });

  it('creates a wallet, refreshes through veilnode and shows the balance monerod mined to it', async () => {
    const created = await succeed(cli.generate(['address']), 'generate');
    address = /^0\s+(4[1-9A-HJ-NP-Za-km-z]{94})\s+Primary address/m.exec(created)?.[1] ?? '';
    expect(address, 'the primary address the CLI printed').to.have.length(95);
    await monerod.generateBlocks(MINED, address);
    const refreshed = await succeed(cli.run(['refresh']), 'refresh');
    expect(Number(/Refresh done, blocks received: (\d+)/.exec(refreshed)?.[1])).to.equal(MINED);
    const { headers } = await monerod.rpc<{ headers: { reward: number; height: number }[] }>('get_block_headers_range', { start_height: 1, end_height: MINED });
    const mined = headers.reduce((total, header) => total + BigInt(header.reward), 0n);
    const [balance, unlocked] = [...refreshed.matchAll(/Balance: ([\d.]+), unlocked balance: ([\d.]+)/g)].at(-1)?.slice(1) ?? [];
    expect(atomic(balance), 'the balance the CLI shows').to.equal(mined);
    expect(atomic(unlocked) > 0n, 'some coinbase outputs unlocked').to.equal(true);
    // the chain came from the upstream: the wallet's calls went through veilnode to it
    expect(proxy.calls).to.include.members(['json_rpc:get_version', '/getblocks.bin']);
    // the CLI's default --daemon-ssl autodetect tries TLS first: it got TLS, as from monerod, not a failed handshake and a plain retry
    expect(await readFile(join(dir, 'wallet-cli.log'), 'utf8')).not.to.match(/SSL handshake failed/);
    timings.refreshedS = (Date.now() - t0) / 1000;
  });

  it('transfers: veilnode sends the tx over p2p, never by RPC; monerod pools it and the wallet sees it confirmed', async () => {
    // stdin: the wallet password (empty), then "Y" to "Is this okay?"
    const sent = await succeed(cli.run(['transfer', address, '1'], ['', 'Y']), 'transfer');
    const txid = /Transaction successfully submitted, transaction <([0-9a-f]{64})>/.exec(sent)?.[1] ?? '';
    expect(txid, 'the txid the CLI printed').to.match(/^[0-9a-f]{64}$/);
    timings.transferredS = (Date.now() - t0) / 1000;
    await until('the tx in monerod’s pool', async () => (await monerod.getTransactionPool()).some((p) => p.id_hash === txid), 60_000);
    expect(proxy.calls.filter((c) => NEVER_FORWARDED.includes(c)), 'tx submissions the upstream received by RPC').to.deep.equal([]);
    expect(proxy.calls).to.include.members(['/get_outs.bin', '/get_output_distribution.bin', 'json_rpc:get_fee_estimate']);
    const { height } = await monerod.generateBlocks(1, address);
    await succeed(cli.run(['refresh']), 'refresh after mining');
    const shown = await succeed(cli.run(['show_transfers', 'out']), 'show_transfers');
    // a confirmed out transfer is listed with the height of its block, a pending one as "pending"
    const line = shown.split('\n').find((l) => l.includes(txid));
    expect(line, 'the transfer in show_transfers').to.be.a('string');
    expect((line as string).trim().split(/\s+/).slice(0, 2)).to.deep.equal([String(height), 'out']);
    timings.confirmedS = (Date.now() - t0) / 1000;
    // veilnode learnt from the upstream that the tx is public, then mined: it left the send journal
    await until('the tx gone from veilnode’s send journal', () => !(node as Veilnode).relay.localTxIds().includes(txid), 20_000);
  });
});

/** An XMR amount as the CLI prints it (12 decimals) in atomic units. */
function atomic(xmr: string | undefined): bigint {
  const [whole, fraction = ''] = (xmr ?? '').split('.');
  if (!/^\d+$/.test(whole) || !/^\d{0,12}$/.test(fraction)) throw new Error(`not an amount: ${xmr}`);
  return BigInt(whole) * 10n ** 12n + BigInt(fraction.padEnd(12, '0'));
}
