import { expect } from 'chai';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { TransportUnavailableError, type TransportConnection } from '@veilnode/plugin-api';
import { listenHiddenServiceInbound } from '../src/hidden-service-inbound';

describe('listenHiddenServiceInbound', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  let stopped: boolean;
  let tracked: Socket[];
  let accepted: TransportConnection[];

  const owner = () => ({
    transport: 'test-zone',
    logger: new RecordingLogger(),
    what: 'test inbound listener',
    stopped: () => stopped,
    track: (socket: Socket) => void tracked.push(socket),
  });

  async function listen(max: number): Promise<number> {
    const { server, port } = await listenHiddenServiceInbound({ bind: { host: '127.0.0.1', port: 0 }, max }, owner(), (c) => accepted.push(c));
    servers.push(server);
    return port;
  }

  /** Connects and resolves once the listener has either handed the stream on or closed it. */
  async function arrive(port: number): Promise<'accepted' | 'closed'> {
    const before = accepted.length;
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.resume();
    let closed = false;
    socket.once('close', () => (closed = true));
    while (accepted.length === before && !closed) await new Promise((resolve) => setTimeout(resolve, 2));
    return accepted.length > before ? 'accepted' : 'closed';
  }

  beforeEach(() => {
    stopped = false;
    tracked = [];
    accepted = [];
  });

  afterEach(() => {
    for (const socket of [...sockets, ...tracked]) socket.destroy();
    for (const server of servers) server.close();
    sockets.length = 0;
    servers.length = 0;
  });

  it('binds the port it was given (0: a free one) and hands each stream on as inbound with no remote address', async () => {
    const port = await listen(10);
    expect(port).to.be.greaterThan(0);
    expect(await arrive(port)).to.equal('accepted');
    expect(accepted[0].direction).to.equal('inbound');
    expect(accepted[0].remote).to.equal(undefined);
    expect(tracked).to.have.length(1);
    expect(accepted[0].stream).to.equal(tracked[0]);
  });

  it('closes the streams over `max` and accepts again once one has closed', async () => {
    const port = await listen(1);
    expect(await arrive(port)).to.equal('accepted');
    expect(await arrive(port)).to.equal('closed');
    const first = tracked[0];
    first.destroy();
    await once(first, 'close');
    expect(await arrive(port)).to.equal('accepted');
    expect(accepted).to.have.length(2);
  });

  it('closes the streams that arrive after the owner stopped, without tracking them', async () => {
    const port = await listen(10);
    stopped = true;
    expect(await arrive(port)).to.equal('closed');
    expect(tracked).to.have.length(0);
  });

  it('rejects with TransportUnavailableError naming the bind address when the port is taken', async () => {
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const error = await listenHiddenServiceInbound({ bind: { host: '127.0.0.1', port }, max: 1 }, owner(), () => undefined).then(
      () => expect.fail('listened on a taken port'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TransportUnavailableError);
    expect((error as Error).message).to.contain('test-zone').and.contain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  });
});
