import { DialError, TransportUnavailableError, type TransportConnection, type TransportContext, type ZoneConfig, parseSocksProxy } from '@veilnode/plugin-api';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnionServiceKey } from '../src/onion-service-key';
import { ONION_KEY_FILE, TorTransport } from '../src/tor-transport';
import { FakeTorControl } from './fake-tor-control';

const ONION = 'zghpp44hm3csmdc47wir32y577t4s5i6kldnejusmhdckn2y7rrkcnid.onion';
const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    s.once('error', reject);
    s.connect(port, '127.0.0.1', () => resolve(s));
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TorTransport (no tor needed)', () => {
  let dataDir: string;
  let transport: TorTransport | undefined;
  const sockets: Socket[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tor-transport-'));
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await transport?.stop();
    transport = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  function make(zone: Partial<ZoneConfig>, pluginConfig: Record<string, unknown> = {}): TorTransport {
    const context: TransportContext = {
      zone: { name: 'tor', enabled: true, transport: 'tor', proxy: null, maxOutbound: 12, maxInbound: 64, noise: true, inbound: null, peers: [], exclusivePeers: [], seeds: [], ...zone },
      pluginConfig,
      network: 'regtest',
      dataDir,
      logger: quiet,
    };
    transport = new TorTransport(context);
    return transport;
  }

  it('treats connections on the --anonymous-inbound port as Tor peers without an address', async () => {
    const port = await deadPort();
    const t = make({ inbound: { address: `${ONION.toUpperCase().replace('.ONION', '.onion')}:18083`, bind: { host: '127.0.0.1', port: port }, max: 2 } });
    expect(t.capabilities).to.deep.equal({ dial: true, listen: true, halfClose: false, ownInbound: false });
    const got: TransportConnection[] = [];
    const listener = await t.listen((c) => got.push(c));
    expect(listener.addresses).to.deep.equal([`${ONION}:18083`]);
    sockets.push(await connect(port));
    await until(() => got.length === 1);
    expect(got[0].direction).to.equal('inbound');
    expect(got[0].remote).to.equal(undefined);
    // the max (2) is enforced: the third concurrent connection is closed at once
    sockets.push(await connect(port), await connect(port));
    await until(() => got.length === 2);
    const third = sockets[2];
    await new Promise<void>((resolve) => (third.destroyed ? resolve() : third.once('close', () => resolve())));
    expect(got).to.have.length(2);
  });

  it('cannot listen without an inbound configuration', async () => {
    const t = make({});
    expect(t.capabilities.listen).to.equal(false);
    await t.listen(() => undefined).then(
      () => expect.fail('listen succeeded'),
      (err: unknown) => expect(err).to.be.instanceOf(TransportUnavailableError),
    );
  });

  it('refuses to dial an address of another zone or a bad onion, naming the reason', async () => {
    const t = make({ proxy: parseSocksProxy(`127.0.0.1:${await deadPort()}`) });
    for (const [address, code, reason] of [
      [{ zone: 'clearnet', host: '1.2.3.4', port: 18080 }, 'ZONE_MISMATCH', /cannot dial an address of zone clearnet/],
      [{ zone: 'tor', host: 'expyuzz4wqqyqhjn.onion', port: 1 }, 'ADDRESS_INVALID', /v2 onion services no longer exist/],
    ] as const) {
      const err = await t.dial(address).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DialError).with.property('code', code);
      expect((err as Error).message).to.match(reason);
      expect((err as Error).message).to.not.include('1.2.3.4');
    }
    expect(t.status().healthy).to.equal(true);
  });

  it('dials through a SOCKS proxy on IPv6 ([::1]), handing it the onion name', async () => {
    const requested: string[] = [];
    const proxy = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => {
        socket.write(Buffer.from([5, 0])); // no authentication
        socket.once('data', (request: Buffer) => {
          // VER CMD RSV ATYP=3 LEN NAME PORT: the name as sent, never resolved
          requested.push(`${request.subarray(5, 5 + request[4]).toString('latin1')}:${request.readUInt16BE(5 + request[4])}`);
          socket.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        });
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '::1', r));
    try {
      transport = make({ proxy: parseSocksProxy(`[::1]:${(proxy.address() as AddressInfo).port}`) });
      const connection = await transport.dial({ zone: 'tor', host: ONION, port: 18083 });
      connection.stream.destroy();
      expect(requested).to.deep.equal([`${ONION}:18083`]);
    } finally {
      proxy.close();
    }
  });

  it('reports a dead SOCKS proxy in status() after start', async () => {
    const t = make({ proxy: parseSocksProxy(`socks5://127.0.0.1:${await deadPort()}`) }, { retryInitialMs: 60_000 });
    await t.start();
    expect(t.status().healthy).to.equal(false);
    expect(t.status().reason).to.match(/is unreachable \(ECONNREFUSED\)/);
  });

  describe('with a control port', () => {
    let tor: FakeTorControl;
    beforeEach(async () => {
      tor = new FakeTorControl({ serviceIdFor: () => expectedId });
      await tor.start();
    });
    afterEach(async () => {
      await tor.stop();
      tor.cleanup();
    });
    let expectedId = '';

    it('publishes its stored key with ADD_ONION, republishes after tor drops it, and DEL_ONIONs on close', async () => {
      const key = (await OnionServiceKey.loadOrCreate(join(dataDir, ONION_KEY_FILE))).key;
      expectedId = key.host.replace('.onion', '');
      const t = make({}, { control: `127.0.0.1:${tor.port}`, retryInitialMs: 20, retryMaxMs: 50 });
      expect(t.capabilities).to.include({ listen: true, ownInbound: true });
      const listener = await t.listen(() => undefined);
      expect(listener.addresses).to.deep.equal([`${key.host}:18083`]);
      await t.whenPublished();
      const add = tor.received.find((l) => l.startsWith('ADD_ONION'));
      expect(add).to.match(/^ADD_ONION ED25519-V3:\S{88} Port=18083,127\.0\.0\.1:\d+$/);
      expect(add).to.include(key.toTorKeyBlob());
      expect(t.status()).to.deep.equal({ healthy: true });

      tor.dropClients();
      await until(() => !t.status().healthy);
      expect(t.status().reason).to.match(/onion service not published: Tor control connection 127\.0\.0\.1:\d+ lost/);
      await until(() => t.status().healthy);
      expect(tor.received.filter((l) => l.startsWith('ADD_ONION'))).to.have.length(2);

      await listener.close();
      expect(tor.received.at(-1)).to.equal(`DEL_ONION ${expectedId}`);
    });

    it('refuses a ServiceID that does not match our key', async () => {
      expectedId = 'a'.repeat(56);
      const t = make({}, { control: `127.0.0.1:${tor.port}`, retryInitialMs: 60_000 });
      await t.listen(() => undefined);
      await until(() => (t.status().reason ?? '').includes('tor reports service'));
      expect(t.status().healthy).to.equal(false);
    });
  });
});
