import { parseSocksProxy } from '@veilnode/plugin-api';
import { expect } from 'chai';
import type { TransportConnection } from '@veilnode/plugin-api';
import { OnionV3Codec, TorControlClient, TorTransport } from '@veilnode/tor';
import { echoRoundTrip, torFixture, transportContext, type TorFixture } from './fixture';

/** Circuit id of each open stream to `target`, from the client's `GETINFO stream-status`. */
async function circuitsOf(control: TorControlClient, target: string): Promise<string[]> {
  const status = await control.getInfo('stream-status');
  // StreamID SP StreamStatus SP CircuitID SP Target
  return status
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((f) => f.length >= 4 && f[3] === target && f[1] === 'SUCCEEDED')
    .map((f) => f[2]);
}

describe('Stream isolation through a real Tor client', function () {
  this.timeout(240_000);
  let fx: TorFixture;
  let control: TorControlClient;
  const codec = new OnionV3Codec();
  const open: TransportConnection[] = [];
  const transports: TorTransport[] = [];

  before(async function () {
    fx = await torFixture(this);
    control = await TorControlClient.connect('127.0.0.1', fx.net.controlPortClient);
    await control.authenticate();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) c.stream.destroy();
    for (const t of transports.splice(0)) await t.stop();
  });
  after(async () => {
    await control?.close();
  });

  async function twoConnections(proxy: string, isolation: boolean): Promise<string[]> {
    const t = new TorTransport(transportContext({ proxy: parseSocksProxy(proxy) }, { isolation }));
    transports.push(t);
    const target = `${fx.net.onionHostname}:${fx.net.hsVport}`;
    for (let i = 0; i < 2; i++) {
      const conn = await t.dial(codec.parse(target));
      open.push(conn);
      await echoRoundTrip(conn.stream, Buffer.from(`stream ${i}`));
    }
    return circuitsOf(control, target);
  }

  it('puts two SOCKS5 connections to the same onion on different circuits', async () => {
    const circuits = await twoConnections(`socks5://127.0.0.1:${fx.net.socksPort}`, true);
    expect(circuits).to.have.length(2);
    expect(circuits[0]).to.not.equal(circuits[1]);
  });

  it('isolates SOCKS4a connections too (random user id)', async () => {
    const circuits = await twoConnections(`socks4a://127.0.0.1:${fx.net.socksPort}`, true);
    expect(circuits).to.have.length(2);
    expect(circuits[0]).to.not.equal(circuits[1]);
  });

  it('shares one circuit when isolation is turned off (the check can tell the difference)', async () => {
    const circuits = await twoConnections(`socks5://127.0.0.1:${fx.net.socksPort}`, false);
    expect(circuits).to.have.length(2);
    expect(circuits[0]).to.equal(circuits[1]);
  });
});
