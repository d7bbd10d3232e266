import { expect } from 'chai';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { VeilnodeError, type RpcRequestInfo } from '@veilnode/plugin-api';
import { isLoopbackIp } from '../../src/net/loopback';
import { RpcListeners, type MainRpcOptions } from '../../src/rpc/rpc-listeners';
import { RpcMethodRegistry } from '../../src/rpc/rpc-method-registry';
import { RecordingLogger } from '@veilnode/plugin-api/testing';

const MAIN: MainRpcOptions = { bindIp: '127.0.0.1', bindPort: 0, maxBodyBytes: 4096, restricted: false, login: null };

async function call(address: string, method: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://${address}/json_rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method }) });
  return (await response.json()) as Record<string, unknown>;
}

describe('RpcListeners (clearnet + hidden-service RPC)', () => {
  let listeners: RpcListeners | undefined;
  let logger: RecordingLogger;
  let methods: RpcMethodRegistry;

  beforeEach(() => {
    logger = new RecordingLogger();
    methods = new RpcMethodRegistry();
    methods.add('whoami', (_params, info: RpcRequestInfo) => info, { restricted: true });
    methods.add('operator_only', () => 'secret', { restricted: false });
  });
  afterEach(async () => listeners?.stop());

  it('a zone listener tags every request with its zone and is always restricted', async () => {
    listeners = new RpcListeners(MAIN, [{ zone: 'tor', address: 'abc.onion:18089', bindIp: '127.0.0.1', bindPort: 0 }], methods, logger);
    await listeners.start();
    const [main, tor] = listeners.servers.map((s) => s.address as string);
    expect((await call(main, 'whoami')).result).to.deep.equal({ zone: 'clearnet', restricted: false });
    expect((await call(tor, 'whoami')).result).to.deep.equal({ zone: 'tor', restricted: true });
    expect((await call(main, 'operator_only')).result).to.equal('secret');
    expect((await call(tor, 'operator_only')).error).to.deep.include({ code: -32601 });
    expect(listeners.address).to.equal(main);
    expect(logger.entries.find((e) => e.msg === 'hidden-service RPC listening (restricted)')?.fields).to.deep.include({ zone: 'tor' });
  });

  it('--rpc-restricted-bind-*: a second clearnet listener serves only the methods safe for untrusted clients', async () => {
    listeners = new RpcListeners(MAIN, [{ zone: 'tor', address: 'abc.onion:18089', bindIp: '127.0.0.1', bindPort: 0 }], methods, logger, { bindIp: '127.0.0.1', bindPort: 0 });
    await listeners.start();
    const restricted = listeners.restricted?.address as string;
    expect(listeners.servers).to.have.length(3);
    expect((await call(restricted, 'whoami')).result).to.deep.equal({ zone: 'clearnet', restricted: true });
    expect((await call(restricted, 'operator_only')).error).to.deep.include({ code: -32601 });
    expect((await call(listeners.address as string, 'operator_only')).result).to.equal('secret');
    expect(logger.entries.find((e) => e.msg === 'restricted RPC listening')?.fields).to.deep.include({ address: restricted });
    expect(logger.entries.filter((e) => e.msg === 'hidden-service RPC listening (restricted)')).to.have.length(1);
  });

  it('if a zone listener cannot bind, start fails with a typed error and the clearnet listener is closed again', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as AddressInfo).port;
    try {
      listeners = new RpcListeners(MAIN, [{ zone: 'tor', address: 'abc.onion:18089', bindIp: '127.0.0.1', bindPort: port }], methods, logger);
      const error = await listeners.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(VeilnodeError);
      expect((error as VeilnodeError).code).to.equal('RPC_BIND_FAILED');
      expect(listeners.address).to.equal(undefined);
    } finally {
      taken.close();
    }
  });

  describe('start-up warning when reachable from other hosts without --rpc-login', () => {
    const warnings = () => logger.entries.filter((e) => e.level === 'warn' && (e.fields as { event?: string }).event === 'rpc_unauthenticated_exposed');

    it('the clearnet listener on 0.0.0.0 without login warns, naming its bind', async () => {
      listeners = new RpcListeners({ ...MAIN, bindIp: '0.0.0.0' }, [], methods, logger);
      await listeners.start();
      expect(warnings()).to.have.length(1);
      expect(warnings()[0].fields).to.deep.include({ bindIp: '0.0.0.0', zone: 'clearnet', restricted: false });
    });

    it('a login, or a loopback bind, means no warning', async () => {
      listeners = new RpcListeners({ ...MAIN, bindIp: '0.0.0.0', login: 'a:b' }, [{ zone: 'tor', address: 'x.onion:1', bindIp: '127.0.0.1', bindPort: 0 }], methods, logger);
      await listeners.start();
      expect(warnings()).to.deep.equal([]);
    });

    it('a zone listener on a non-loopback bind warns without naming the address', async () => {
      listeners = new RpcListeners(MAIN, [{ zone: 'tor', address: 'x.onion:1', bindIp: '0.0.0.0', bindPort: 0 }], methods, logger);
      await listeners.start();
      expect(warnings()).to.have.length(1);
      expect(warnings()[0].fields).to.deep.include({ zone: 'tor', restricted: true });
      expect(JSON.stringify(warnings()[0].fields)).not.to.contain('0.0.0.0');
    });
  });

  it('isLoopbackIp knows loopback forms from the rest', () => {
    for (const ip of ['127.0.0.1', '127.3.2.1', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackIp(ip), ip).to.equal(true);
    for (const ip of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'localhost', '128.0.0.1']) expect(isLoopbackIp(ip), ip).to.equal(false);
  });
});
