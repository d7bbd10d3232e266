import { expect } from 'chai';
import { Duplex } from 'node:stream';
import { ConfigError } from '@veilnode/plugin-api';
import type { UpstreamConfig } from '../../../src/config/core-schema';
import { createUpstream } from '../../../src/rpc/upstream/create-upstream';

const ONION = `${'a'.repeat(56)}.onion`;
const BASE: UpstreamConfig = { address: null, login: null, proxy: null, connectTimeoutMs: 1_000, idleTimeoutMs: 1_000, watchIntervalMs: 1_000, sslCertificate: null };

describe('createUpstream', () => {
  it('no address, no upstream', () => {
    expect(createUpstream(BASE, ['clearnet'], () => Promise.reject(new Error('unused')))).to.equal(undefined);
  });

  it('an onion upstream needs the tor zone enabled and takes no SOCKS proxy', () => {
    const none = (): Promise<never> => Promise.reject(new Error('unused'));
    expect(() => createUpstream({ ...BASE, address: `http://${ONION}:18081` }, ['clearnet'], none)).to.throw(ConfigError, /zone tor, which is not enabled/);
    expect(() => createUpstream({ ...BASE, address: `http://${ONION}:18081`, proxy: '127.0.0.1:9050' }, ['tor'], none)).to.throw(ConfigError, /drop the proxy/);
    expect(() => createUpstream({ ...BASE, address: 'http://127.0.0.1:1', sslCertificate: '/nonexistent.pem' }, [], none)).to.throw(ConfigError, /cannot read/);
  });

  it('an onion upstream is dialled through its zone’s transport, never directly', async () => {
    const opened: string[] = [];
    const upstream = createUpstream({ ...BASE, address: `http://${ONION}:18089` }, ['clearnet', 'tor'], async (address) => {
      opened.push(address);
      // a plain Duplex (not a net.Socket), answering the one request like a monerod would
      const body = '{"jsonrpc":"2.0","id":"0","result":{"a":1}}';
      let answered = false;
      const stream: Duplex = new Duplex({
        read() {},
        write(_chunk, _encoding, done) {
          if (!answered) stream.push(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
          answered = true;
          done();
        },
      });
      return stream;
    });
    expect(await upstream?.jsonRpc('get_version')).to.deep.equal({ a: 1 });
    upstream?.close();
    expect(opened).to.deep.equal([`${ONION}:18089`]);
  });

  it('the idle timeout holds on a zone stream that is not a net.Socket', async () => {
    const silent = new Duplex({ read() {}, write: (_c, _e, done) => done() });
    const upstream = createUpstream({ ...BASE, address: `http://${ONION}:18089`, idleTimeoutMs: 200 }, ['tor'], async () => silent);
    const error = await upstream?.jsonRpc('get_version').then(() => undefined, (e: Error) => e);
    upstream?.close();
    expect(error?.message).to.match(/sent nothing for 200 ms/);
  });
});
