import { expect } from 'chai';
import { Duplex } from 'node:stream';
import { ConfigError, SystemClock } from '@veilnode/plugin-api';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import type { UpstreamConfig } from '../../../src/config/core-schema';
import { createUpstream, type UpstreamContext } from '../../../src/rpc/upstream/create-upstream';
import type { ZoneStreamOpener } from '../../../src/rpc/upstream/upstream-dialers';

const ONION = `${'a'.repeat(56)}.onion`;

/** A plain Duplex (not a net.Socket) answering its one request with `body`, as a monerod would. */
function answering(body: string): Duplex {
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
}
const BASE: UpstreamConfig = { address: null, login: null, proxy: null, connectTimeoutMs: 1_000, idleTimeoutMs: 1_000, watchIntervalMs: 1_000, sslCertificate: null };

/** A node with these zones enabled (tor and i2p are anonymity zones). */
function context(zones: readonly string[], openStream: ZoneStreamOpener, publicNodes: UpstreamContext['publicNodes'] = { publicRpcNodes: () => [] }): UpstreamContext {
  return {
    network: 'regtest',
    zones: zones.map((name) => ({ name, anonymity: name !== 'clearnet' })),
    openStream,
    publicNodes,
    connections: { connections: () => [] },
    clock: new SystemClock(),
    logger: new RecordingLogger(),
  };
}

describe('createUpstream', () => {
  it('no address, no upstream', () => {
    expect(createUpstream(BASE, context(['clearnet'], () => Promise.reject(new Error('unused'))))).to.equal(undefined);
  });

  it('an onion upstream needs the tor zone enabled and takes no SOCKS proxy', () => {
    const none = (): Promise<never> => Promise.reject(new Error('unused'));
    expect(() => createUpstream({ ...BASE, address: `http://${ONION}:18081` }, context(['clearnet'], none))).to.throw(ConfigError, /zone tor, which is not enabled/);
    expect(() => createUpstream({ ...BASE, address: `http://${ONION}:18081`, proxy: '127.0.0.1:9050' }, context(['tor'], none))).to.throw(ConfigError, /drop the proxy/);
    expect(() => createUpstream({ ...BASE, address: 'http://127.0.0.1:1', sslCertificate: '/nonexistent.pem' }, context([], none))).to.throw(ConfigError, /cannot read/);
  });

  it('an onion upstream is dialled through its zone’s transport, never directly', async () => {
    const opened: string[] = [];
    const upstream = createUpstream({ ...BASE, address: `http://${ONION}:18089` }, context(['clearnet', 'tor'], async (address) => {
      opened.push(address);
      return answering('{"jsonrpc":"2.0","id":"0","result":{"a":1}}');
    }));
    expect(await upstream?.jsonRpc('get_version')).to.deep.equal({ a: 1 });
    upstream?.close();
    expect(opened).to.deep.equal([`${ONION}:18089`]);
  });

  it('the idle timeout holds on a zone stream that is not a net.Socket', async () => {
    const silent = new Duplex({ read() {}, write: (_c, _e, done) => done() });
    const upstream = createUpstream({ ...BASE, address: `http://${ONION}:18089`, idleTimeoutMs: 200 }, context(['tor'], async () => silent));
    const error = await upstream?.jsonRpc('get_version').then(() => undefined, (e: Error) => e);
    upstream?.close();
    expect(error?.message).to.match(/sent nothing for 200 ms/);
  });

  it('auto takes no login and no certificate: public nodes serve plain http without one', () => {
    const none = (): Promise<never> => Promise.reject(new Error('unused'));
    expect(() => createUpstream({ ...BASE, address: 'auto', login: 'u:p' }, context(['clearnet'], none))).to.throw(ConfigError, /rpc.upstream.login: auto/);
    expect(() => createUpstream({ ...BASE, address: 'auto', sslCertificate: '/x.pem' }, context(['clearnet'], none))).to.throw(ConfigError, /rpc.upstream.sslCertificate: auto/);
  });

  it('auto with an anonymity zone enabled picks only that zone’s public nodes, through its transport', async () => {
    const asked: string[][] = [];
    const opened: string[] = [];
    const nodes = {
      publicRpcNodes: (zones: readonly string[]) => {
        asked.push([...zones]);
        return [
          { zone: 'clearnet', host: '127.0.0.1', port: 1 },
          { zone: 'tor', host: ONION, port: 18089 },
        ].filter((n) => zones.includes(n.zone));
      },
    };
    const upstream = createUpstream({ ...BASE, address: 'auto' }, context(['clearnet', 'tor'], async (address) => {
      opened.push(address);
      return answering('{"status":"OK","nettype":"fakechain","height":5,"target_height":0}');
    }, nodes));
    upstream?.start();
    for (let i = 0; i < 200 && upstream?.label === ''; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const label = upstream?.label;
    upstream?.close();
    expect(label).to.equal(`http://${ONION}:18089`);
    expect(asked[0]).to.deep.equal(['tor']);
    expect(opened).to.deep.equal([`${ONION}:18089`]);
  });
});
