import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { publicZonePolicy } from '@veilnode/plugin-api';
import { HoldingConnectionHandler, type ZoneConnection } from '../../src/peer/connection-handler';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

describe('HoldingConnectionHandler (until the peer layer lands)', () => {
  it('keeps the connection open, drains what the peer sends, and counts connections', async () => {
    const handler = new HoldingConnectionHandler(new RecordingLogger());
    const stream = new PassThrough({ highWaterMark: 16 });
    const connection = { zone: 'clearnet', policy: publicZonePolicy('clearnet'), remote: '127.0.0.1:1', connection: { stream, direction: 'inbound' } } as unknown as ZoneConnection;
    handler.handle(connection);
    // Without draining, a 64 KiB write into a 16-byte buffer would report backpressure forever.
    stream.write(Buffer.alloc(65536));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.readableLength).to.equal(0);
    expect(stream.destroyed).to.equal(false);
    expect(handler.handled).to.equal(1);
  });
});
