import { RecordingLogger, transportCompliance } from '@veilnode/compliance';
import type { Listener } from '@veilnode/plugin-api';
import { MemoryNetwork } from '../src/memory-network';
import { MemoryTransport } from '../src/memory-transport';

function fixture(zone: string, link: { latencyMs: number; bytesPerSecond: number }) {
  return {
    async setup() {
      const network = new MemoryNetwork({ link: () => link });
      network.blackhole('blackhole.memory:1');
      const make = (host: string) => new MemoryTransport({ network, zone, host, port: 18080, logger: new RecordingLogger() });
      return {
        transport: make('listener.memory'),
        dialer: make('dialer.memory'),
        addressOf: (listener: Listener) => ({ zone, host: listener.addresses[0].split(':')[0], port: 18080 }),
        deadAddress: { zone, host: 'nobody.memory', port: 18080 },
        unresponsiveAddress: { zone, host: 'blackhole.memory', port: 1 },
        anonymous: zone !== 'clearnet',
      };
    },
  };
}

transportCompliance('memory, instant links', fixture('clearnet', { latencyMs: 0, bytesPerSecond: 0 }));
transportCompliance('memory on an anonymity zone, 5 ms links at 50 MB/s', fixture('tor', { latencyMs: 5, bytesPerSecond: 50_000_000 }));
