import { parseSocksProxy } from '@veilnode/plugin-api';
import { ed25519 } from '@noble/curves/ed25519';
import { randomBytes } from 'node:crypto';
import { transportCompliance } from '@veilnode/compliance';
import { OnionV3Codec, TorTransport, onionHostFromPublicKey } from '@veilnode/tor';
import { torFixture, transportContext, type TorFixture } from './fixture';

const codec = new OnionV3Codec();

// The compliance suite from @veilnode/compliance over a real private Tor network: the
// transport under test listens on the local port the harness's onion service forwards its
// second virtual port to (as with --anonymous-inbound); a second TorTransport dials that onion
// through the client's SocksPort. Every byte crosses Tor circuits and a rendezvous. The
// half-close test is skipped (capabilities.halfClose false): Tor ends a stream both ways on the
// first EOF. The paused-reader backpressure check is skipped too: measured on this private
// network, tor 0.4.9 accepted between 30 MiB and over 400 MiB of a SOCKS stream whose far end
// read nothing before the writer's 'drain' stalled, so no payload size makes that check
// reliable. Large-payload integrity is checked in transport-roundtrip.itest.ts instead.
describe('TorTransport on a private Tor network', function () {
  let fx: TorFixture;
  before(async function () {
    this.timeout(240_000);
    fx = await torFixture(this);
  });
  beforeEach(function () {
    if (/paused reader stops the writer/.test(this.currentTest?.title ?? '')) {
      console.log('      (skipped over Tor: tor buffers an unbounded amount of a stream, see the comment above)');
      this.skip();
    }
  });

  transportCompliance('tor (onion service → local listener)', {
    testTimeoutMs: 180_000,
    async setup() {
      const net = fx.net;
      // the bind reaches the transport as the node passes it: in listen(), the zone's inbound.bind
      const bind = { host: '127.0.0.1', port: net.hsTargetPort2 };
      const listening = transportContext({
        proxy: parseSocksProxy(`socks5://127.0.0.1:${net.socksPort}`),
        inbound: { address: `${net.onionHostname}:${net.hsVport2}`, bind, max: 64 },
      });
      const dialing = transportContext({ proxy: parseSocksProxy(`socks5://127.0.0.1:${net.socksPortExt}`) }, { socksTimeoutMs: 60_000 });
      return {
        transport: new TorTransport(listening),
        dialer: new TorTransport(dialing),
        listenOptions: { bind },
        addressOf: (listener) => codec.parse(listener.addresses[0]),
        // a valid v3 onion nobody publishes: tor answers 0xF0 within a second
        deadAddress: codec.parse(`${onionHostFromPublicKey(ed25519.getPublicKey(randomBytes(32)))}:18083`),
        anonymous: true,
        dialTimeoutMs: 30_000,
        ioTimeoutMs: 60_000,
      };
    },
  });
});
