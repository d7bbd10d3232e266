import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { utf8ToBytes } from '@noble/hashes/utils';
import { RecordingPluginContext } from '@veilnode/compliance';
import { DialError, RpcMethodError, type DialOptions, type PeerAddress, type TransportConnection } from '@veilnode/plugin-api';
import { createDirectory, signDirectory, verifyDirectory, type DirectoryDocument } from '../src/directory';
import { toHex } from '../src/hex';
import type { Lookup } from '../src/lookup';
import { splitQuery } from '../src/query-client';
import { stampForward } from '../src/relay-auth';
import { HttpRelayChannel, type RelayChannel } from '../src/relay-channel';
import { ANSWER_METHOD, RELAY_METHOD } from '../src/relay-forwarder';
import { openAnswer, sealRequest } from '../src/sealing';
import { ServerKeys } from '../src/server-keys';
import { splitQueryPlugin } from '../src/split-query-plugin';
import { fakeAnswer, fakeMonerod, ipPort, listen, rpcHost, splitQueryConfig, tcpDial, type FakeMonerod } from './helpers';

const hash = (): string => randomBytes(32).toString('hex');
const TX_A = hash();
const TX_B = hash();
const KI_SPENT = hash();
const KI_FREE = hash();
const DATA = { txs: { [TX_A]: 'aa'.repeat(700), [TX_B]: 'bb'.repeat(900) }, spent: { [KI_SPENT]: 1 }, pool: [TX_B] };
const LOOKUPS: Lookup[] = [{ kind: 'tx', id: TX_A }, { kind: 'tx', id: TX_B }, { kind: 'keyimage', keyImage: KI_SPENT }, { kind: 'keyimage', keyImage: KI_FREE }];
const SECRETS = [TX_A, TX_B, KI_SPENT, KI_FREE];

/** What monerod itself answers for a lookup: the client must get exactly this. */
function direct(lookup: Lookup): Record<string, unknown> {
  return lookup.kind === 'tx' ? fakeAnswer('get_transactions', { txs_hashes: [lookup.id] }, DATA) : fakeAnswer('is_key_image_spent', { key_images: [(lookup as { keyImage: string }).keyImage] }, DATA);
}

interface ServerNode {
  readonly ctx: RecordingPluginContext;
  readonly backend: FakeMonerod;
  readonly address: string;
  readonly keys: () => ServerKeys;
  readonly http: Server;
}

describe('split-query scenario: six servers, two relays, one client (in process, fake monerod)', function () {
  this.timeout(20_000);
  let tmp: string;
  const closers: (() => void)[] = [];
  let servers: ServerNode[];
  let relays: { ctx: RecordingPluginContext; url: string }[];
  const dirSecrets = [ed25519.utils.randomPrivateKey(), ed25519.utils.randomPrivateKey(), ed25519.utils.randomPrivateKey()];
  const trust = { keys: dirSecrets.map((s) => toHex(ed25519.getPublicKey(s))), threshold: 2 };

  async function startServer(i: number, config: Record<string, unknown> = {}): Promise<ServerNode> {
    const backend = await fakeMonerod(DATA);
    const ctx = new RecordingPluginContext({
      pluginName: 'split-query',
      config: splitQueryConfig({ backend: backend.url, relay: { enabled: false }, ...config }),
      dataDir: path.join(tmp, `server-${i}`),
      queuedTransactions: [{ zone: 'tor', queued: i }],
    });
    splitQueryPlugin.register(ctx);
    const { server: http, address } = await listen(rpcHost(ctx.rpcMethods));
    closers.push(() => http.close(), () => backend.close());
    return { ctx, backend, address, http, keys: () => ServerKeys.loadOrCreate(ctx.dataDir(), Math.floor(Date.now() / 1000), 30 * 86_400) };
  }

  async function startRelay(name: string, dial: (address: PeerAddress, options?: DialOptions) => Promise<TransportConnection> = tcpDial): Promise<{ ctx: RecordingPluginContext; url: string }> {
    const ctx = new RecordingPluginContext({ pluginName: 'split-query', config: splitQueryConfig({ relay: { enabled: true, deadlineMs: 1500 } }), dataDir: path.join(tmp, name), parseAddress: ipPort, dial });
    splitQueryPlugin.register(ctx);
    const { server, address } = await listen(rpcHost(ctx.rpcMethods));
    closers.push(() => server.close());
    return { ctx, url: `http://${address}` };
  }

  function directory(nodes: ServerNode[], signers = 2): DirectoryDocument {
    let doc = createDirectory(
      'regtest',
      nodes.map((n) => ({ ...n.keys().public, address: n.address })),
    );
    for (const secret of dirSecrets.slice(0, signers)) doc = signDirectory(doc, secret);
    return doc;
  }

  beforeEach(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'split-query-scenario-'));
    servers = [];
    for (let i = 0; i < 6; i++) servers.push(await startServer(i));
    relays = [await startRelay('relay-0'), await startRelay('relay-1')];
  });

  afterEach(() => {
    for (const close of closers.splice(0)) close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('registers the server method only with a backend, and the relay method as restricted-safe', () => {
    expect([...servers[0].ctx.rpcMethods.keys()]).to.deep.equal([ANSWER_METHOD]);
    expect([...relays[0].ctx.rpcMethods.keys()]).to.deep.equal([RELAY_METHOD]);
    expect(relays[0].ctx.rpcMethods.get(RELAY_METHOD)?.options).to.deep.equal({ restricted: true });
  });

  it('answers every lookup as monerod does, each from a different server that saw only that lookup; the relay logs no lookup', async () => {
    const verified = verifyDirectory(directory(servers), trust, 'regtest', Math.floor(Date.now() / 1000));
    const results = await splitQuery(LOOKUPS, { servers: verified.usable, relays: [new HttpRelayChannel(relays[0].url)] });
    expect(results.map((r) => r.ok)).to.deep.equal([true, true, true, true]);
    for (const [i, r] of results.entries()) {
      if (!r.ok) throw new Error(r.error);
      expect(r.result, `lookup ${i}`).to.deep.equal(direct(LOOKUPS[i]));
      expect(r.attempts).to.have.length(1);
      expect(r.relay).to.equal(relays[0].url);
    }
    expect(new Set(results.map((r) => (r.ok ? r.server : ''))).size, 'distinct servers').to.equal(4);
    for (const node of servers) {
      const answered = results.find((r) => r.ok && r.server === node.keys().public.id);
      const seen = JSON.stringify(node.backend.calls);
      expect(node.backend.calls).to.have.length(answered ? 1 : 0);
      for (const [i, secret] of SECRETS.entries()) expect(seen.includes(secret), `server ${node.address} and lookup ${i}`).to.equal(answered?.lookup === LOOKUPS[i]);
    }
    const relayLog = relays[0].ctx.logger.text();
    expect(relayLog).to.include('relayed a bundle of sealed lookups');
    for (const secret of SECRETS) expect(relayLog).to.not.include(secret);
  });

  it('answers the pool and veilnode\'s own relay queue, the latter without asking monerod', async () => {
    const verified = verifyDirectory(directory(servers), trust, 'regtest', Math.floor(Date.now() / 1000));
    const [pool, queue] = await splitQuery([{ kind: 'pool' }, { kind: 'queue' }], { servers: verified.usable, relays: [new HttpRelayChannel(relays[0].url)] });
    expect(pool.ok && pool.result).to.deep.equal({ status: 'OK', tx_hashes: [TX_B] });
    const queueServer = servers.findIndex((n) => queue.ok && n.keys().public.id === queue.server);
    expect(queue.ok && queue.result).to.deep.equal({ zones: [{ zone: 'tor', queued: queueServer }] });
    expect(servers[queueServer].backend.calls).to.deep.equal([]);
  });

  it('detects a tampered answer and retries that lookup through another server and the other relay', async () => {
    const verified = verifyDirectory(directory(servers), trust, 'regtest', Math.floor(Date.now() / 1000));
    const honest = new HttpRelayChannel(relays[0].url);
    const tampering: RelayChannel = {
      name: 'tampering',
      async relay(requests, timeoutMs) {
        const answers = [...(await new HttpRelayChannel(relays[1].url).relay(requests, timeoutMs))];
        const first = answers[0];
        if ('sealed' in first) {
          const bytes = Buffer.from(first.sealed, 'base64');
          bytes[200] ^= 1;
          answers[0] = { sealed: bytes.toString('base64') };
        }
        return answers;
      },
    };
    // random() = 0 puts the second relay first (the shuffle swaps [a, b] with j = 0).
    const results = await splitQuery(LOOKUPS.slice(0, 2), { servers: verified.usable, relays: [honest, tampering], random: () => 0 });
    const [first, second] = results;
    expect(first.ok && second.ok).to.equal(true);
    expect(first.attempts).to.have.length(2);
    expect(first.attempts[0].failure).to.match(/^bad seal: .*failed authentication/);
    expect(first.attempts.map((a) => a.relay)).to.deep.equal(['tampering', relays[0].url]);
    expect(first.attempts[1].server).to.not.equal(first.attempts[0].server);
    expect(first.ok && first.result).to.deep.equal(direct(LOOKUPS[0]));
    expect(second.attempts).to.have.length(1);
  });

  it('retries a lookup whose request the relay dropped (no answer before its deadline)', async () => {
    const verified = verifyDirectory(directory(servers), trust, 'regtest', Math.floor(Date.now() / 1000));
    let dropped: string | undefined;
    const dropping = await startRelay('relay-dropping', (address, options) => {
      const text = `${address.host}:${address.port}`;
      if (dropped === undefined || dropped === text) {
        dropped = text;
        // Never connects: the relay's deadline must end it.
        return new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      return tcpDial(address, options);
    });
    const started = Date.now();
    const results = await splitQuery(LOOKUPS, { servers: verified.usable, relays: [new HttpRelayChannel(relays[0].url), new HttpRelayChannel(dropping.url)], random: () => 0, timeoutMs: 800 });
    expect(Date.now() - started).to.be.below(5000);
    expect(results.every((r) => r.ok)).to.equal(true);
    const retried = results.filter((r) => r.attempts.length === 2);
    expect(retried).to.have.length(1);
    expect(retried[0].attempts[0]).to.include({ address: dropped, relay: dropping.url, failure: 'no answer: no answer before the deadline' });
    expect(retried[0].attempts[1].relay).to.equal(relays[0].url);
    expect(retried[0].ok && retried[0].result).to.deep.equal(direct(retried[0].lookup));
  });

  it('tells the client only the code of a failed dial, never the message that names its proxy', async () => {
    const verified = verifyDirectory(directory(servers), trust, 'regtest', Math.floor(Date.now() / 1000));
    const failing = await startRelay('relay-proxy-down', () =>
      Promise.reject(new DialError('PROXY_UNREACHABLE', 'SOCKS proxy socks5://10.9.8.7:9050 is unreachable (ECONNREFUSED)')),
    );
    const [result] = await splitQuery(LOOKUPS.slice(0, 1), { servers: verified.usable, relays: [new HttpRelayChannel(failing.url)], maxAttempts: 1 });
    expect(result.ok).to.equal(false);
    expect(result.attempts[0].failure).to.equal('no answer: the relay could not reach the server (PROXY_UNREACHABLE)');
    expect(JSON.stringify(result)).to.not.include('10.9.8.7');
  });

  it('never uses an expired or under-signed entry: those servers get no request', async () => {
    const expired = await startServer(10, { sealingKeyDays: 1 });
    const underSigned = await startServer(11);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const good = directory(servers.slice(0, 4));
    const stale = ServerKeys.generate(nowSeconds - 2 * 86_400, 86_400);
    let extra = createDirectory('regtest', [
      { ...stale.public, address: expired.address },
      { ...underSigned.keys().public, address: underSigned.address },
    ]);
    extra = signDirectory(signDirectory(extra, dirSecrets[0]), dirSecrets[1]);
    const entries = [...good.entries, extra.entries[0], { ...extra.entries[1], signatures: extra.entries[1].signatures.slice(0, 1) }];
    const verified = verifyDirectory({ ...good, entries }, trust, 'regtest', nowSeconds);
    expect(verified.rejected.map((r) => [r.address, r.reason])).to.deep.equal([
      [expired.address, 'expired'],
      [underSigned.address, 'under-signed'],
    ]);
    const results = await splitQuery(LOOKUPS, { servers: verified.usable, relays: [new HttpRelayChannel(relays[0].url)] });
    expect(results.every((r) => r.ok)).to.equal(true);
    expect(expired.backend.calls).to.deep.equal([]);
    expect(underSigned.backend.calls).to.deep.equal([]);
    const tooMany = await splitQuery([...LOOKUPS, { kind: 'pool' }], { servers: verified.usable, relays: [new HttpRelayChannel(relays[0].url)] }).catch((e: Error) => e);
    expect(tooMany).to.be.instanceOf(Error).with.property('code', 'SPLIT_QUERY_NOT_ENOUGH_SERVERS');
  });

  describe('server guards', () => {
    const relayKeys = ServerKeys.generate(Math.floor(Date.now() / 1000), 86_400);

    function sealedCall(node: ServerNode, call: unknown, time = Date.now()): { params: Record<string, unknown>; open: (sealed: string) => Record<string, unknown> } {
      const envelope = { v: 1, nonce: toHex(randomBytes(16)), time, call };
      const { sealed, secrets } = sealRequest(utf8ToBytes(JSON.stringify(envelope)), node.keys().sealingPublic);
      return {
        params: { sealed: Buffer.from(sealed).toString('base64'), relay: stampForward(relayKeys, sealed, Date.now()) },
        open: (answer) => JSON.parse(Buffer.from(openAnswer(Buffer.from(answer, 'base64'), secrets)).toString()) as Record<string, unknown>,
      };
    }

    async function rpcError(node: ServerNode, params: unknown): Promise<number> {
      const error = await Promise.resolve(node.ctx.rpcMethods.get(ANSWER_METHOD)?.handler(params, { zone: 'clearnet', restricted: false })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RpcMethodError);
      return (error as RpcMethodError).rpcCode;
    }

    it('answers a request once and refuses its replay, and refuses a request outside the time window', async () => {
      const node = servers[0];
      const { params, open } = sealedCall(node, { method: 'is_key_image_spent', params: { key_images: [KI_SPENT] } });
      const handler = node.ctx.rpcMethods.get(ANSWER_METHOD)?.handler;
      const answer = (await handler?.(params, { zone: 'clearnet', restricted: false })) as { sealed: string };
      expect(open(answer.sealed)).to.include.keys('result');
      expect(await rpcError(node, params)).to.equal(-32004);
      expect(await rpcError(node, sealedCall(node, { method: 'get_transaction_pool_hashes' }, Date.now() - 10 * 60_000).params)).to.equal(-32004);
      expect(node.backend.calls).to.have.length(1);
    });

    it('rate-limits per relay: a relay past its burst is refused, another relay is not, until all relays together reach the total', async () => {
      const node = await startServer(20, { rateLimit: { burst: 2, perMinute: 1, totalBurst: 3, totalPerMinute: 1 } });
      const handler = node.ctx.rpcMethods.get(ANSWER_METHOD)?.handler;
      for (let i = 0; i < 2; i++) await handler?.(sealedCall(node, { method: 'get_transaction_pool_hashes' }).params, { zone: 'clearnet', restricted: false });
      expect(await rpcError(node, sealedCall(node, { method: 'get_transaction_pool_hashes' }).params)).to.equal(-32002);
      const viaRelay = (relay: ServerKeys): Record<string, unknown> => {
        const envelope = { v: 1, nonce: toHex(randomBytes(16)), time: Date.now(), call: { method: 'get_transaction_pool_hashes' } };
        const { sealed } = sealRequest(utf8ToBytes(JSON.stringify(envelope)), node.keys().sealingPublic);
        return { sealed: Buffer.from(sealed).toString('base64'), relay: stampForward(relay, sealed, Date.now()) };
      };
      const other = ServerKeys.generate(Math.floor(Date.now() / 1000), 86_400);
      expect(await handler?.(viaRelay(other), { zone: 'clearnet', restricted: false })).to.have.property('sealed');
      const third = ServerKeys.generate(Math.floor(Date.now() / 1000), 86_400);
      expect(await rpcError(node, viaRelay(third)), 'a fresh relay key past the total').to.equal(-32002);
    });

    it('refuses a forged relay stamp, and answers a method it does not serve with a sealed refusal without asking monerod', async () => {
      const node = servers[1];
      const { params } = sealedCall(node, { method: 'get_transaction_pool_hashes' });
      const stamp = params.relay as { signature: string };
      expect(await rpcError(node, { ...params, relay: { ...stamp, signature: stamp.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) } })).to.equal(-32003);
      const refused = sealedCall(node, { method: 'get_block', params: { height: 1 } });
      const answer = (await node.ctx.rpcMethods.get(ANSWER_METHOD)?.handler(refused.params, { zone: 'clearnet', restricted: false })) as { sealed: string };
      expect(refused.open(answer.sealed)).to.have.nested.property('error.code', 'SPLIT_QUERY_LOOKUP_INVALID');
      expect(node.backend.calls).to.deep.equal([]);
    });
  });
});
