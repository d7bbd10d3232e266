import { createServer, type AddressInfo } from 'node:net';
import { RecordingLogger, type TransportFixture } from '@veilnode/compliance';
import { ClearnetTransport } from '../src/clearnet-transport';
import { IpAddressCodec } from '../src/ip-address-codec';

const codec = new IpAddressCodec();

/** A port on `host` that was free a moment ago: dialing it is refused. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when this machine can bind `host` (IPv6 loopback is missing in some containers). */
export function canBind(host: string): Promise<boolean> {
  return freePort(host).then(
    () => true,
    () => false,
  );
}

/**
 * Clearnet transports on a loopback address. With `separateDialer` the dialing side is a
 * second transport instance, as it is between two nodes.
 */
export function loopbackFixture(host: string, separateDialer: boolean): TransportFixture {
  return {
    async setup() {
      const transport = new ClearnetTransport({ logger: new RecordingLogger() });
      return {
        transport,
        dialer: separateDialer ? new ClearnetTransport({ logger: new RecordingLogger() }) : undefined,
        listenOptions: { bind: { host, port: 0 } },
        addressOf: (listener) => codec.parse(listener.addresses[0]),
        deadAddress: codec.fromSocket(host, await freePort(host)),
        dialTimeoutMs: 3000,
      };
    },
  };
}
