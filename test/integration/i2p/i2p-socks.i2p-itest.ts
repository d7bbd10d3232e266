import { parseSocksProxy } from '@veilnode/plugin-api';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { TransportConnection } from '@veilnode/plugin-api';
import { createTestTransportContext, readExactly, RecordingLogger, transportCompliance } from '@veilnode/compliance';
import { i2pZone } from '@veilnode/i2p-zone';
import { I2pSocksTransport } from '@veilnode/i2p-socks';
import { DEFAULT_SAM_CONFIG, DivaSamClient, I2pSamTransport } from '@veilnode/i2p-sam';
import type { I2pNetwork } from '../../src/harness/i2p';
import { retryUntil, SERVER_TUNNEL, sharedNetwork, skipUnlessI2p, tempDir } from './fixtures';

/** A b32 nobody publishes in the private network. */
const NOWHERE = i2pZone.codec.parse('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b32.i2p');

function socksTransport(net: I2pNetwork, router: number, inbound: boolean): I2pSocksTransport {
  const bind = { host: '127.0.0.1', port: net.basePort + SERVER_TUNNEL.portOffset };
  return new I2pSocksTransport(createTestTransportContext({
    zone: 'i2p',
    transport: 'i2p-socks',
    pluginConfig: { dialTimeoutMs: 60_000 },
    zoneConfig: {
      proxy: parseSocksProxy(`socks4a://127.0.0.1:${net.socksPort(router)}`),
      inbound: inbound ? { address: net.tunnelB32(SERVER_TUNNEL.name), bind, max: 0 } : null,
    },
  }));
}

describe('i2p-socks transport on a private I2P network', function () {
  this.timeout(600_000);
  let net: I2pNetwork;
  const timings: Record<string, number> = {};

  before(async function () {
    skipUnlessI2p(this);
    net = await sharedNetwork();
  });
  after(() => console.log(`      timings: ${JSON.stringify(timings)}`));

  it('dials the router server tunnel through SOCKS (r0 → r1) and round-trips bytes; inbound has no remote', async () => {
    const listener = socksTransport(net, 1, true);
    const dialer = socksTransport(net, 0, false);
    const accepted: TransportConnection[] = [];
    try {
      const l = await listener.listen((c) => {
        accepted.push(c);
        c.stream.pipe(c.stream);
      });
      expect(l.addresses).to.deep.equal([net.tunnelB32(SERVER_TUNNEL.name)]);
      const started = Date.now();
      const connection = await retryUntil(180_000, () => dialer.dial(i2pZone.codec.parse(l.addresses[0])));
      timings.firstSocksDialMs = Date.now() - started;
      const payload = randomBytes(32 * 1024);
      connection.stream.write(payload);
      expect((await readExactly(connection.stream, payload.length, 60_000)).equals(payload)).to.equal(true);
      expect(accepted[0].direction).to.equal('inbound');
      expect(accepted[0].remote).to.equal(undefined);
    } finally {
      await dialer.stop();
      await listener.stop();
    }
  });

  it('dials the SOCKS side\'s server tunnel from a SAM transient destination (the two transports interoperate)', async () => {
    const listener = socksTransport(net, 1, true);
    const logger = new RecordingLogger();
    const config = {
      ...DEFAULT_SAM_CONFIG,
      sam: { host: '127.0.0.1', port: net.samPort(0) },
      transientTunnels: { inboundLength: 1, outboundLength: 1, inboundQuantity: 1, outboundQuantity: 1 },
      dialTimeoutMs: 120_000,
    };
    const sam = new I2pSamTransport({ config, client: new DivaSamClient(config.sam, logger), dataDir: await tempDir('sam-to-socks'), logger });
    try {
      const l = await listener.listen((c) => c.stream.pipe(c.stream));
      const connection = await retryUntil(180_000, () => sam.dial(i2pZone.codec.parse(l.addresses[0])));
      connection.stream.write('across transports');
      expect((await readExactly(connection.stream, 17, 60_000)).toString()).to.equal('across transports');
    } finally {
      await sam.stop();
      await listener.stop();
    }
  });

  it('rejects a dial to an unpublished b32 with a SOCKS DialError', async () => {
    const dialer = socksTransport(net, 0, false);
    try {
      const started = Date.now();
      const error = await dialer.dial(NOWHERE).then(() => undefined, (e: unknown) => e as Error & { code?: string });
      timings.unpublishedDialMs = Date.now() - started;
      expect(error?.name).to.equal('SocksError');
      expect(error?.code).to.be.a('string');
    } finally {
      await dialer.stop();
    }
  });
});

/**
 * The shared compliance suite over the real router: r0's SOCKS proxy dials r1's server tunnel,
 * which forwards to the transport's listener. Every test builds fresh transports but the same
 * tunnel, so only the first dial waits for the lease set.
 */
describe('i2p-socks on a private I2P network', function () {
  // i2pd 2.45.1's SAM thread segfaults now and then (kernel log: `SAM[pid]: segfault at 20 ...
  // in i2pd`, the same instruction each time; it took r0 down once in each of two full runs,
  // failing the test in flight and, before routers were restarted, every later one). The
  // crashed router is restarted by sharedNetwork() (which prints its log) before the retry.
  this.retries(1);
  before(function () {
    skipUnlessI2p(this);
  });
  transportCompliance('i2p-socks (i2pd 2.45.1, r0 SOCKS → r1 server tunnel)', {
    testTimeoutMs: 300_000,
    async setup() {
      const net = await sharedNetwork();
      const transport = socksTransport(net, 1, true);
      return {
        transport,
        dialer: socksTransport(net, 0, false),
        anonymous: true,
        deadAddress: NOWHERE,
        addressOf: (listener) => i2pZone.codec.parse(listener.addresses[0]),
        dialTimeoutMs: 60_000,
        ioTimeoutMs: 60_000,
        // i2pd's SOCKS proxy grants CONNECT before the server tunnel reaches our closed listener
        routerAcceptsForClosedListener: true,
        // as over SAM (see i2p-sam.i2p-itest.ts): with our listener reading nothing, 128 MiB
        // went through r0's SOCKS port in 33 s without a stall while r1 (the server tunnel's
        // router) grew from 11 to 293 MiB RSS; i2pd queues a stream without bound.
        pathBuffersUnboundedly: true,
        // so the payload size proves only integrity: 4 MiB (a large Monero block message) instead
        // of 16; 16 MiB kept a router of this 2-core network busy re-selecting leases for minutes
        largePayloadBytes: 4 * 1024 * 1024,
      };
    },
  });
});
