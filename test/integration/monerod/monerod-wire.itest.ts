import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { encodeInvoke, encodeInvokeMessage, encodeResponseMessage, genesisHash, Handshake, LevinReturnCode, LevinStreamDecoder, makeNoiseFrame, networkId, packForNoise, Ping, SupportFlags, TimedSync, type LevinMessage } from '@veilnode/protocol';
import { MonerodHarness } from '../../src/harness/monerod';
import { skipWithoutMonerod } from '../../src/harness/require-monerod';

/** A raw Levin connection: our codec only, no peer logic. */
class LevinProbe {
  private readonly decoder = new LevinStreamDecoder();
  private readonly inbox: LevinMessage[] = [];
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.inbox.push(...this.decoder.push(chunk));
      } catch (e) {
        this.failure = e as Error;
      }
      this.waiter?.();
    });
    socket.on('close', () => {
      this.failure ??= new Error('connection closed by monerod');
      this.waiter?.();
    });
  }

  static open(port: number): Promise<LevinProbe> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new LevinProbe(s)));
      s.once('error', reject);
    });
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  useHandshakeCompleteLimit(): void {
    this.decoder.useHandshakeCompleteLimit();
  }

  /** The next message matching `match` (others, e.g. monerod's own requests, are skipped). */
  async next(match: (m: LevinMessage) => boolean, timeoutMs = 15_000): Promise<LevinMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      if (this.failure !== null) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for monerod');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const responseTo = (command: number) => (m: LevinMessage) => m.isResponse && m.command === command;

const genesisClaim = {
  current_height: 1n,
  cumulative_difficulty: 1n,
  cumulative_difficulty_top64: 0n,
  top_id: genesisHash('regtest'),
  top_version: 1,
  pruning_seed: 0,
};

const ourNodeData = () => ({
  network_id: networkId('regtest'),
  peer_id: randomBytes(8).readBigUInt64LE(0),
  my_port: 0,
  rpc_port: 0,
  rpc_credits_per_hash: 0,
  support_flags: 1,
});

describe('wire codec against a real monerod 0.18 (regtest, loopback)', function () {
  this.timeout(120_000);
  // monerod p2p = port, rpc = port + 1; our listener (its only exclusive node) = port + 9
  const port = Number(process.env.MONERO_BASE_PORT ?? 18800) + 80;
  let daemon: MonerodHarness | null = null;
  let probe: LevinProbe | null = null;
  // monerod's only exclusive peer is this listener, so it dials us too.
  let listener: Server | null = null;
  let dialedIn: Promise<Socket> | null = null;
  const inbound: Socket[] = [];
  let monerodPeerId = 0n;

  before(async function () {
    skipWithoutMonerod(this);
    listener = createServer((s) => inbound.push(s));
    dialedIn = new Promise((resolve) => listener?.once('connection', resolve));
    await new Promise<void>((resolve, reject) => {
      listener?.once('error', reject);
      listener?.listen(port + 9, '127.0.0.1', resolve);
    });
    daemon = new MonerodHarness({ basePort: port, exclusive: [`127.0.0.1:${port + 9}`] });
    await daemon.start();
  });

  after(async () => {
    probe?.close();
    for (const s of inbound) s.destroy();
    listener?.close();
    await daemon?.stop();
  });

  it('accepts our handshake (genesis claim) and answers with return code 1 and its node data', async () => {
    probe = await LevinProbe.open(port);
    probe.send(
      encodeInvokeMessage(Handshake, {
        node_data: ourNodeData(),
        payload_data: genesisClaim,
      }),
    );
    probe.useHandshakeCompleteLimit();
    const m = await probe.next(responseTo(Handshake.command));
    expect(m.returnCode).to.equal(LevinReturnCode.Success);
    const res = Handshake.response.decode(m.body);
    expect(res.node_data.network_id.equals(networkId('regtest'))).to.equal(true);
    expect(res.node_data.my_port).to.equal(port);
    expect(res.node_data.support_flags).to.equal(1);
    monerodPeerId = res.node_data.peer_id;
    expect(res.payload_data.current_height).to.equal(1n); // a fresh regtest chain: only the genesis block
    expect(res.payload_data.top_id.equals(genesisHash('regtest'))).to.equal(true);
  });

  it('answers PING with "OK" and the peer id from its handshake', async () => {
    expect(probe).to.not.equal(null);
    const p = probe as LevinProbe;
    p.send(encodeInvokeMessage(Ping, {}));
    const m = await p.next(responseTo(Ping.command));
    expect(m.returnCode).to.equal(LevinReturnCode.Success);
    const res = Ping.response.decode(m.body);
    expect(res.status).to.equal('OK');
    expect(res.peer_id).to.equal(monerodPeerId);
    expect(res.peer_id).to.not.equal(0n);
  });

  it('answers REQUEST_SUPPORT_FLAGS with fluffy blocks', async () => {
    const p = probe as LevinProbe;
    p.send(encodeInvokeMessage(SupportFlags, {}));
    const m = await p.next(responseTo(SupportFlags.command));
    expect(SupportFlags.response.decode(m.body).support_flags).to.equal(1);
  });

  it('skips our noise frame and reassembles our padded and fragmented invokes', async () => {
    const p = probe as LevinProbe;
    const ping = encodeInvokeMessage(Ping, {});
    p.send(makeNoiseFrame(3072));
    const padded = packForNoise(ping, 3072);
    expect(padded).to.have.length(1);
    p.send(padded[0]);
    expect(Ping.response.decode((await p.next(responseTo(Ping.command))).body).peer_id).to.equal(monerodPeerId);
    const fragments = packForNoise(ping, 40, 100); // 7-byte payloads: BEGIN, 5 middle, END
    expect(fragments.length).to.be.greaterThan(2);
    for (const f of fragments) p.send(f);
    expect(Ping.response.decode((await p.next(responseTo(Ping.command))).body).status).to.equal('OK');
  });

  it('answers an invoke it does not know with return code -6 and an empty body', async () => {
    const p = probe as LevinProbe;
    p.send(encodeInvoke(1006, Ping.request.encode({})));
    const m = await p.next(responseTo(1006));
    expect(m.returnCode).to.equal(LevinReturnCode.ErrorConnectionHandlerNotDefined);
    expect(m.body.length).to.equal(0);
  });

  let dialer: LevinProbe | null = null;

  it('dials us, and accepts our handshake response (connection reaches state normal)', async () => {
    const socket = await (dialedIn as Promise<Socket>);
    const peer = new LevinProbe(socket);
    dialer = peer;
    const m = await peer.next((x) => x.expectsResponse && x.command === Handshake.command, 30_000);
    const req = Handshake.request.decode(m.body);
    expect(req.node_data.network_id.equals(networkId('regtest'))).to.equal(true);
    expect(req.node_data.my_port).to.equal(port);
    expect(req.payload_data.current_height).to.equal(1n);
    const ours = ourNodeData();
    peer.send(encodeResponseMessage(Handshake, { node_data: ours, payload_data: genesisClaim, local_peerlist_new: [] }));
    peer.useHandshakeCompleteLimit();
    const ourId = ours.peer_id.toString(16).padStart(16, '0');
    let state = '';
    for (let i = 0; i < 40 && state !== 'normal'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const connections = await (daemon as MonerodHarness).getConnections();
      state = connections.find((c) => c.peer_id === ourId && !c.incoming)?.state ?? '';
    }
    expect(state).to.equal('normal');
  });

  it('sends us a timed sync and accepts our response (connection stays)', async function () {
    this.timeout(150_000);
    const peer = dialer as LevinProbe;
    expect(peer).to.not.equal(null);
    const m = await peer.next((x) => x.expectsResponse && x.command === TimedSync.command, 120_000);
    expect(TimedSync.request.decode(m.body).payload_data.top_id.equals(genesisHash('regtest'))).to.equal(true);
    peer.send(encodeResponseMessage(TimedSync, { payload_data: genesisClaim, local_peerlist_new: [] }));
    await new Promise((r) => setTimeout(r, 2000));
    const connections = await (daemon as MonerodHarness).getConnections();
    expect(connections.filter((c) => !c.incoming).map((c) => c.state)).to.deep.equal(['normal']);
  });
});
