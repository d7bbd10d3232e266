import { expect } from 'chai';
import { createServer, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { rejectionOf } from '@veilnode/compliance';
import { TorControlClient } from '../src/tor-control-client';
import { TorControlError, TorControlErrorCode } from '../src/tor-control-errors';
import { FakeTorControl } from './fake-tor-control';

describe('TorControlClient', () => {
  let tor: FakeTorControl;
  let client: TorControlClient | undefined;

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await tor.stop();
    tor.cleanup();
  });

  async function connect(options: ConstructorParameters<typeof FakeTorControl>[0] = {}): Promise<TorControlClient> {
    tor = new FakeTorControl(options);
    await tor.start();
    client = await TorControlClient.connect('127.0.0.1', tor.port);
    return client;
  }

  it('authenticates with SAFECOOKIE, proving both sides know the cookie', async () => {
    const c = await connect();
    await c.authenticate();
    expect(tor.received.map((l) => l.split(' ')[0])).to.deep.equal(['PROTOCOLINFO', 'AUTHCHALLENGE', 'AUTHENTICATE']);
    expect(tor.received[2]).to.not.include(tor.cookie.toString('hex'));
    expect(await c.getInfo('version')).to.equal('0.4.9.11');
  });

  it('refuses a server that does not know the cookie (SERVERHASH mismatch)', async () => {
    const c = await connect({ lieInServerHash: true });
    const err = await rejectionOf<TorControlError>(c.authenticate());
    expect(err.code).to.equal(TorControlErrorCode.AuthFailed);
    expect(err.message).to.match(/SERVERHASH mismatch/);
    expect(tor.received.filter((l) => l.startsWith('AUTHENTICATE'))).to.have.length(0);
  });

  it('falls back to plain COOKIE when SAFECOOKIE is not offered', async () => {
    const c = await connect({ methods: ['COOKIE'] });
    await c.authenticate();
    expect(tor.received[1]).to.equal(`AUTHENTICATE ${tor.cookie.toString('hex')}`);
  });

  it('sends a password as an escaped QuotedString and keeps it out of errors', async () => {
    const c = await connect({ methods: ['HASHEDPASSWORD'], password: 'p"a\\ss' });
    await c.authenticate({ password: 'p"a\\ss' });
    expect(tor.received[1]).to.equal('AUTHENTICATE "p\\"a\\\\ss"');
    await c.close();
    const d = (client = await TorControlClient.connect('127.0.0.1', tor.port));
    const err = await rejectionOf<TorControlError>(d.authenticate({ password: 'hunter2-secret' }));
    expect(err.code).to.equal(TorControlErrorCode.AuthFailed);
    expect(`${err.message} ${JSON.stringify(err)} ${inspect(err, { depth: 9 })}`).to.not.include('hunter2-secret');
  });

  it('names the missing method when tor offers nothing usable', async () => {
    const c = await connect({ methods: ['HASHEDPASSWORD'] });
    expect((await rejectionOf<TorControlError>(c.authenticate())).message).to.match(/no usable method offered \(HASHEDPASSWORD\); set tor\.controlPassword/);
  });

  it('reads data blocks, dot-unstuffing lines, and emits async events', async () => {
    const c = await connect();
    await c.authenticate();
    tor.getInfo['stream-status'] = ['7 SUCCEEDED 12 abc.onion:80', '.hidden', '8 SUCCEEDED 13 abc.onion:80'];
    expect(await c.getInfo('stream-status')).to.equal('7 SUCCEEDED 12 abc.onion:80\n.hidden\n8 SUCCEEDED 13 abc.onion:80');
    const event = new Promise((resolve) => c.once('event', resolve));
    await c.setEvents(['STREAM']);
    tor.event('STREAM 9 NEW 0 abc.onion:80');
    expect(await event).to.deep.equal({ status: 650, lines: [{ text: 'STREAM 9 NEW 0 abc.onion:80' }] });
  });

  it('turns an error status into CommandFailed naming the command', async () => {
    const c = await connect();
    await c.authenticate();
    const err = await rejectionOf<TorControlError>(c.getInfo('no-such-key'));
    expect(err).to.be.instanceOf(TorControlError);
    expect(err.code).to.equal(TorControlErrorCode.CommandFailed);
    expect(err.context).to.include({ command: 'GETINFO', status: 552 });
  });

  it('never echoes an ADD_ONION key in errors', async () => {
    const c = await connect();
    await c.authenticate();
    tor.options.serviceIdFor = () => 'not-a-service-id';
    const err = await rejectionOf<TorControlError>(c.addOnion('ED25519-V3:SECRETKEYMATERIAL', 18083, '127.0.0.1:1'));
    expect(err.message).to.match(/ADD_ONION reply has no ServiceID/);
    expect(`${err.message} ${JSON.stringify(err)}`).to.not.include('SECRETKEYMATERIAL');
  });

  it('rejects pending commands with ConnectionLost when tor goes away, and emits close', async () => {
    const c = await connect();
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    const silent = createServer();
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    tor.dropClients();
    await closed;
    expect((await rejectionOf<TorControlError>(c.getInfo('version'))).code).to.equal(TorControlErrorCode.ConnectionLost);
    const port = (silent.address() as AddressInfo).port;
    await new Promise<void>((r) => silent.close(() => r()));
    const err = await rejectionOf<TorControlError>(TorControlClient.connect('127.0.0.1', port));
    expect(err.code).to.equal(TorControlErrorCode.Unreachable);
    expect(err.message).to.match(/ECONNREFUSED/);
  });
});
