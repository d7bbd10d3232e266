import { expect } from 'chai';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { jsonObjectWithArray, writeStreamed } from '../../src/rpc/streamed-reply';

const CHUNK = 'x'.repeat(64 * 1024);

async function serve(handler: (res: import('node:http').ServerResponse) => Promise<void>): Promise<{ server: Server; port: number }> {
  const server = createServer((_, res) => void handler(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('rpc/writeStreamed', () => {
  it('produces chunks only as a client reads: a client that never reads costs a bounded buffer, then is cut off', async () => {
    let produced = 0;
    let outcome: boolean | undefined;
    function* endless(): Generator<string> {
      for (let i = 0; i < 4096; i++) {
        // 256 MB if it were produced regardless of the reader
        produced++;
        yield CHUNK;
      }
    }
    const { server, port } = await serve(async (res) => {
      outcome = await writeStreamed(res, 200, endless(), 300);
    });
    const socket = connect(port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause(); // never reads
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(outcome).to.equal(false);
    // the kernel's socket buffers plus one chunk: a few MB at most, not the endless answer
    expect(produced * CHUNK.length).to.be.below(16 * 1024 * 1024);
    socket.destroy();
    await closed;
    server.close();
  });

  it('writes the whole answer to a client that reads', async () => {
    const { server, port } = await serve(async (res) => {
      await writeStreamed(res, 200, jsonObjectWithArray({ status: 'OK' }, 'items', Array.from({ length: 500 }, (_, i) => ({ i, pad: CHUNK.slice(0, 1000) }))));
    });
    const text = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
      }).on('error', reject).end();
    });
    const json = JSON.parse(text) as { status: string; items: { i: number }[] };
    expect(json.status).to.equal('OK');
    expect(json.items.map((x) => x.i)).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
    server.close();
  });
});

describe('rpc/jsonObjectWithArray', () => {
  it('is the JSON of the object with the array added, for empty and non-empty bases and arrays', () => {
    const text = (base: object, items: unknown[], max?: number) => [...jsonObjectWithArray(base, 'a', items, max)].join('');
    expect(JSON.parse(text({}, []))).to.deep.equal({ a: [] });
    expect(JSON.parse(text({ s: 'OK', n: [1] }, [{ x: 1 }, 'y']))).to.deep.equal({ s: 'OK', n: [1], a: [{ x: 1 }, 'y'] });
  });

  it('leaves out items beyond maxBytes and stays valid JSON within the bound', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ id: i, hex: 'ab'.repeat(50) }));
    const full = [...jsonObjectWithArray({ status: 'OK' }, 'txs', items)].join('');
    const capped = [...jsonObjectWithArray({ status: 'OK' }, 'txs', items, 2000)].join('');
    expect(capped.length).to.be.at.most(2000);
    const parsed = JSON.parse(capped) as { txs: { id: number }[] };
    expect(parsed.txs.length).to.be.greaterThan(5).and.below(100);
    expect(parsed.txs.map((t) => t.id)).to.deep.equal(items.slice(0, parsed.txs.length).map((t) => t.id));
    expect(JSON.parse(full).txs).to.have.length(100);
  });
});
