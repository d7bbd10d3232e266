import { expect } from 'chai';
import { createRelayService } from '../../src/node/monerod-rpc-wiring';
import type { RelayOutboundPort } from '../../src/relay/relay-outbound-port';
import { pluginFixture } from '../../src/testing/fixtures';
import { prepareFromConfig } from '../../src/testing/prepare';
import { REGTEST_TXS } from '@veilnode/protocol/testing';

const TX = Buffer.from(
  REGTEST_TXS[0].hex,
  'hex',
);

/**
 * Starts the relay service of a node with clearnet + tor and this `relay` config; a tx arrives on
 * tor: resolves with how long it took to cross to clearnet (fluffed there), undefined if not within 300 ms.
 */
async function crossingMs(relay: Record<string, unknown>): Promise<number | undefined> {
  const prepared = await prepareFromConfig({
    plugins: [pluginFixture('tcp-zone.cjs'), pluginFixture('onion-recorder.cjs')],
    zones: { clearnet: { transport: 'fixture-tcp' }, tor: { enabled: true, transport: 'onion-recorder' } },
    relay,
  });
  const port: RelayOutboundPort = {
    send: () => true,
    sendNoiseSlot: () => true,
    dial: () => undefined,
    close: () => undefined,
  };
  const service = createRelayService(prepared, port);
  await service.start();
  try {
    service.onConnectionUp('clearnet', 'c-out', 'outbound', 1);
    service.onConnectionUp('tor', 't-in', 'inbound', 1);
    const received = Date.now();
    service.engine.onTransactionsReceived('tor', 't-in', [TX], true);
    // crossed = fluffed on clearnet: public from then on (its flush to each peer follows later)
    while (Date.now() - received < 300) {
      if (service.engine.publicTransactions().length > 0) return Date.now() - received;
      await new Promise((r) => setTimeout(r, 5));
    }
    return undefined;
  } finally {
    await service.stop();
  }
}

describe('node: relay.localTxMaxAgeHours reaches the relay engine', () => {
  it('gives a local tx up after that age, durably: a restarted service does not send it', async () => {
    const prepared = await prepareFromConfig({
      plugins: [pluginFixture('tcp-zone.cjs'), pluginFixture('onion-recorder.cjs')],
      zones: { clearnet: { transport: 'fixture-tcp' }, tor: { enabled: true, transport: 'onion-recorder' } },
      relay: { localTxMaxAgeHours: 0.0003 }, // ~1 s
    });
    const sends: string[] = [];
    const port: RelayOutboundPort = { send: (zone) => sends.push(zone) > 0, sendNoiseSlot: (zone) => sends.push(zone) > 0, dial: () => undefined, close: () => undefined };
    const service = createRelayService(prepared, port);
    await service.start();
    const { txId } = await service.submitLocal(TX); // no tor connection: it waits
    await new Promise((r) => setTimeout(r, 1500));
    expect(service.rejected().map((r) => [r.id, r.reason])).to.deep.equal([[txId, 'not delivered within 1 s']]);
    expect(service.status().localWaiting).to.equal(0);
    await service.stop();
    const again = createRelayService(prepared, port);
    await again.start();
    again.onConnectionUp('tor', 't-out', 'outbound', 1);
    expect(again.status()).to.deep.include({ localWaiting: 0, localInFlight: 0 });
    await again.stop();
    expect(sends).to.deep.equal([]);
  });

  it('rejects 0 hours, naming the key', async () => {
    const error = await prepareFromConfig({ relay: { localTxMaxAgeHours: 0 } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/relay\.localTxMaxAgeHours.*must be a number of hours > 0/);
  });
});

describe('node: relay.crossZoneDelayMaxMs reaches the relay engine', () => {
  it('0 sends a tx from tor on to clearnet at once; the default (0-30 s) holds it back', async () => {
    expect(await crossingMs({ crossZoneDelayMaxMs: 0 })).to.be.a('number').and.below(300);
    // U(0, 30 s) falls under 300 ms with probability 1 %: three runs make a false failure 1e-6
    const held = await Promise.all([crossingMs({}), crossingMs({}), crossingMs({})]);
    expect(held.some((ms) => ms === undefined)).to.equal(true);
  });

  it('rejects a negative delay, naming the key', async () => {
    const error = await prepareFromConfig({ relay: { crossZoneDelayMaxMs: -1 } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/relay\.crossZoneDelayMaxMs.*must be an integer >= 0/);
  });
});
