import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Listener, TransportConnection } from '@veilnode/plugin-api';
import { i2pZone } from '@veilnode/i2p-zone';
import {
  DEFAULT_SAM_CONFIG,
  DestinationKeys,
  DivaSamClient,
  I2pSamTransport,
  PRIVATE_KEY_FILE,
  SamBridgeError,
  type SamTransportConfig,
} from '@veilnode/i2p-sam';
import type { I2pNetwork } from '../../src/harness/i2p';
import { RecordingLogger, readExactly, transportCompliance } from '@veilnode/compliance';
import { retryUntil, sharedNetwork, skipUnlessI2p, tempDir } from './fixtures';

/**
 * The private network has 5 routers: 1-hop tunnels build fast there. Five inbound tunnels on
 * the persistent session, because i2pd 2.45.1 publishes a lease set only when its inbound
 * tunnels change and drops the attempt if no outbound tunnel is ready yet ("Can't publish
 * LeaseSet. Destination is not ready"): with 1-2 inbound tunnels the destination often stayed
 * unpublished (CANT_REACH_PEER for minutes); later inbound builds retry the publication.
 */
const TEST_TUNNELS = { inboundLength: 1, outboundLength: 1, inboundQuantity: 5, outboundQuantity: 2 };

function samTransport(net: I2pNetwork, router: number, dataDir: string, logger: RecordingLogger, overrides: Partial<SamTransportConfig> = {}): I2pSamTransport {
  const config: SamTransportConfig = {
    ...DEFAULT_SAM_CONFIG,
    sam: { host: '127.0.0.1', port: net.samPort(router) },
    tunnels: TEST_TUNNELS,
    transientTunnels: { ...TEST_TUNNELS, inboundQuantity: 1, outboundQuantity: 1 },
    sessionTimeoutMs: 120_000,
    dialTimeoutMs: 120_000,
    ...overrides,
  };
  return new I2pSamTransport({ config, client: new DivaSamClient(config.sam, logger), dataDir, logger });
}

/** listen() resolves before the SAM session exists (a slow bridge must not hold up the node); inbound needs it up. */
async function listenWithSession(transport: I2pSamTransport, onConnection: (c: TransportConnection) => void): Promise<Listener> {
  const listener = await transport.listen(onConnection);
  const deadline = Date.now() + 240_000;
  while (!transport.status().healthy) {
    if (Date.now() > deadline) throw new Error(`SAM session not up in 240 s: ${transport.status().reason}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return listener;
}

/** Accepted connections, echoing what they read, so a dialer can check a full round trip. */
function echoServer(accepted: TransportConnection[]) {
  return (connection: TransportConnection) => {
    accepted.push(connection);
    connection.stream.on('error', () => undefined);
    connection.stream.pipe(connection.stream);
  };
}

async function roundTrip(transport: I2pSamTransport, target: string): Promise<number> {
  const started = Date.now();
  const connection = await transport.dial(i2pZone.codec.parse(target));
  try {
    const payload = randomBytes(64 * 1024);
    connection.stream.write(payload);
    const echoed = await readExactly(connection.stream, payload.length, 90_000);
    expect(echoed.equals(payload.subarray(0, echoed.length)) && echoed.length === payload.length, 'echo matches').to.equal(true);
    return Date.now() - started;
  } finally {
    connection.stream.destroy();
  }
}

describe('i2p-sam transport on a private I2P network', function () {
  this.timeout(600_000);
  let net: I2pNetwork;
  const logger = new RecordingLogger();
  const transports: I2pSamTransport[] = [];
  let serverDir: string;
  let server: I2pSamTransport;
  let listener: Listener;
  const accepted: TransportConnection[] = [];
  const timings: Record<string, number> = {};

  before(async function () {
    skipUnlessI2p(this);
    const t0 = Date.now();
    net = await sharedNetwork();
    timings.networkMs = Date.now() - t0;
    serverDir = await tempDir('sam-server');
    server = samTransport(net, 0, serverDir, logger);
    transports.push(server);
    const t1 = Date.now();
    listener = await listenWithSession(server, echoServer(accepted));
    timings.persistentSessionMs = Date.now() - t1;
  });

  after(async () => {
    for (const t of transports) await t.stop();
    console.log(`      timings: ${JSON.stringify(timings)}`);
  });

  it('listens on a persistent Ed25519 destination stored (0600) in the data dir', async () => {
    const file = join(serverDir, PRIVATE_KEY_FILE);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    const keys = DestinationKeys.fromPrivate(await readFile(file, 'utf8'));
    expect(listener.addresses).to.deep.equal([keys.b32]);
    // KEY certificate: type 5, sig type 7 (Ed25519)
    const destination = Buffer.from(keys.publicDestination.replace(/-/g, '+').replace(/~/g, '/'), 'base64');
    expect([...destination.subarray(384, 389)]).to.deep.equal([5, 0, 4, 0, 7]);
    expect(server.status()).to.deep.equal({ healthy: true });
  });

  it('dials the persistent destination from a fresh transient destination and round-trips 64 KiB', async () => {
    const client = samTransport(net, 1, await tempDir('sam-client'), logger);
    transports.push(client);
    const before = accepted.length;
    timings.firstTransientDialMs = await retryUntil(180_000, () => roundTrip(client, listener.addresses[0]));
    const inbound = accepted[accepted.length - 1];
    expect(accepted.length).to.be.greaterThan(before);
    expect(inbound.direction).to.equal('inbound');
    expect(inbound.remote?.zone).to.equal('i2p');
    expect(inbound.remote?.host).to.match(/^[a-z2-7]{52}\.b32\.i2p$/);
    expect(inbound.remote?.host).to.not.equal(listener.addresses[0]);
  });

  it('uses a different destination for every transient dial (unlinkable)', async () => {
    const client = transports[1];
    const before = accepted.length;
    timings.secondTransientDialMs = await retryUntil(120_000, () => roundTrip(client, listener.addresses[0]));
    const remotes = accepted.slice(before - 1).map((c) => c.remote?.host);
    expect(new Set(remotes).size).to.equal(remotes.length);
  });

  it('dials from the persistent destination when outbound is "persistent"', async () => {
    const client = samTransport(net, 1, await tempDir('sam-persistent-client'), logger, { outbound: 'persistent' });
    transports.push(client);
    const own = await listenWithSession(client, () => undefined);
    const before = accepted.length;
    timings.persistentDialMs = await retryUntil(180_000, () => roundTrip(client, listener.addresses[0]));
    expect(accepted.slice(before).map((c) => c.remote?.host)).to.include(own.addresses[0]);
  });

  it('keeps the same b32 address across transport restarts', async () => {
    await server.stop();
    // no pause of our own: i2pd 2.45.1 deletes a closed session's destination 5 s after the
    // close even if a new session on the same keys got it back (a SESSION CREATE right away was
    // answered in ~30 ms with the dying destination, and streams to it went nowhere), so the
    // transport itself waits SAME_KEYS_COOLDOWN_MS after the last close
    server = samTransport(net, 0, serverDir, logger);
    transports.push(server);
    const t = Date.now();
    const again = await listenWithSession(server, echoServer(accepted));
    timings.restartListenMs = Date.now() - t;
    expect(again.addresses).to.deep.equal(listener.addresses);
    listener = again;
    await retryUntil(180_000, () => roundTrip(transports[1], listener.addresses[0]));
  });

  it('reports unhealthy at once when the router dies and re-creates the session when it is back', async () => {
    expect(server.status().healthy).to.equal(true);
    await net.stopRouter(0);
    const killedAt = Date.now();
    while (server.status().healthy && Date.now() - killedAt < 10_000) await new Promise((r) => setTimeout(r, 50));
    timings.unhealthyAfterKillMs = Date.now() - killedAt;
    expect(server.status().healthy, 'unhealthy after the router died').to.equal(false);
    expect(timings.unhealthyAfterKillMs).to.be.below(5000);
    await net.startRouter(0);
    const restartedAt = Date.now();
    while (!server.status().healthy && Date.now() - restartedAt < 240_000) await new Promise((r) => setTimeout(r, 250));
    timings.sessionRecreatedMs = Date.now() - restartedAt;
    expect(server.status()).to.deep.equal({ healthy: true });
    timings.dialAfterRestartMs = await retryUntil(240_000, () => roundTrip(transports[1], listener.addresses[0]));
  });

  it('fails fast with a typed error when no bridge listens', async () => {
    const dead = samTransport(net, 0, await tempDir('sam-dead'), logger, { sam: { host: '127.0.0.1', port: net.basePort + 99 } });
    const t = Date.now();
    const error = await dead.dial(i2pZone.codec.parse(listener.addresses[0])).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(SamBridgeError);
    expect((error as SamBridgeError).code).to.equal('SAM_BRIDGE_UNREACHABLE');
    expect(Date.now() - t).to.be.below(2000);
  });

  it('never logged a private key', async () => {
    const key = (await readFile(join(serverDir, PRIVATE_KEY_FILE), 'utf8')).trim();
    const privatePart = key.slice(-120); // past the public destination
    const lines = logger.entries.map((e) => JSON.stringify(e));
    expect(lines.length).to.be.greaterThan(0);
    expect(lines.filter((l) => l.includes(privatePart))).to.deep.equal([]);
  });
});

/**
 * The shared compliance suite over the real router: a fresh persistent destination on r0 per
 * test, dialed from fresh transient destinations on r1. Each test pays two SESSION CREATEs
 * (≥ 20 s each on i2pd 2.45.1), so the whole suite takes several minutes.
 */
describe('i2p-sam on a private I2P network', function () {
  // i2pd 2.45.1's SAM thread segfaults now and then (kernel log: `SAM[pid]: segfault at 20 ...
  // in i2pd`, the same instruction each time; it took r0 down once in each of two full runs,
  // failing the test in flight and, before routers were restarted, every later one). The
  // crashed router is restarted by sharedNetwork() (which prints its log) before the retry.
  this.retries(1);
  before(function () {
    skipUnlessI2p(this);
  });
  transportCompliance('i2p-sam (i2pd 2.45.1, r1 transient → r0 persistent)', {
    testTimeoutMs: 400_000,
    async setup() {
      const net = await sharedNetwork();
      const logger = new RecordingLogger();
      return {
        transport: samTransport(net, 0, await tempDir('sam-compliance'), logger),
        dialer: samTransport(net, 1, await tempDir('sam-compliance'), logger),
        anonymous: true,
        deadAddress: i2pZone.codec.parse('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b32.i2p'),
        addressOf: (listener) => i2pZone.codec.parse(listener.addresses[0]),
        dialTimeoutMs: 150_000,
        ioTimeoutMs: 60_000,
        // i2pd grants STREAM CONNECT for a destination whose session still lingers after close
        routerAcceptsForClosedListener: true,
        // i2pd acknowledges every streaming packet as it arrives and queues it in memory when the
        // local reader (here our forwarded socket) stops reading: measured on this network,
        // 128 MiB written into a SAM stream whose far end read nothing were all accepted in 64 s
        // with no 'drain' stall, the receiving router's RSS grew from 12 to 318 MiB, and the
        // kernel queues held only ~4 MB on each side. No payload size makes the writer stall.
        pathBuffersUnboundedly: true,
        // so the payload size proves only integrity: 4 MiB (a large Monero block message) instead
        // of 16; 16 MiB kept a router of this 2-core network busy re-selecting leases for minutes
        largePayloadBytes: 4 * 1024 * 1024,
      };
    },
  });
});
