import { expect } from 'chai';
import { NodeMetrics } from '../../src/metrics/node-metrics';
import { outcomeOf } from '../../src/peer/peer-events';
import { RecordingLogger } from '@veilnode/plugin-api/testing';
import { RpcMethodRegistry } from '../../src/rpc/rpc-method-registry';
import { RpcServer } from '../../src/rpc/rpc-server';
import { DialError } from '@veilnode/plugin-api';

describe('NodeMetrics', () => {
  const metrics = (): NodeMetrics =>
    new NodeMetrics({
      zoneStatuses: () => [
        { name: 'tor', transport: 'tor', enabled: true, inbound: [], connections: { in: 2, out: 5 }, queued: 1, noise: true, healthy: false, problem: 'x' },
        { name: 'kovri', transport: 'kovri', enabled: false, inbound: [], connections: { in: 0, out: 0 }, queued: 0, noise: false, healthy: true },
      ],
      localTxs: () => ({ queued: 3, in_flight: 1 }),
    });

  it('reads peers, health and local txs when scraped; counts dials, handshakes and noise bytes', async () => {
    const m = metrics();
    m.dialled('tor', 'ok');
    m.dialled('tor', outcomeOf(new DialError('DIAL_TIMEOUT', 'slow peer 1.2.3.4:5')));
    m.handshaken('tor', 'outbound', 'ok');
    m.noiseSent('tor', 1024);
    m.noiseSent('tor', 1024);
    const text = await m.text();
    for (const line of [
      'veilnode_peers{zone="tor",direction="in"} 2',
      'veilnode_peers{zone="tor",direction="out"} 5',
      'veilnode_zone_healthy{zone="tor"} 0',
      'veilnode_local_txs{state="queued"} 3',
      'veilnode_local_txs{state="in_flight"} 1',
      'veilnode_dials_total{zone="tor",outcome="ok"} 1',
      'veilnode_dials_total{zone="tor",outcome="DIAL_TIMEOUT"} 1',
      'veilnode_handshakes_total{zone="tor",direction="outbound",outcome="ok"} 1',
      'veilnode_noise_bytes_sent_total{zone="tor"} 2048',
    ]) expect(text).to.contain(`${line}\n`);
    expect(text).to.not.contain('kovri').and.not.contain('1.2.3.4');
  });

  it('an outcome label is an error code or class name, never free text', () => {
    expect(outcomeOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).to.equal('ECONNREFUSED');
    expect(outcomeOf(Object.assign(new Error('x'), { code: 'peer said: <script>' }))).to.equal('Error');
    expect(outcomeOf('text')).to.equal('unknown');
  });

  it("RPC requests are labelled with registered methods only: a caller's made-up method is (unknown)", async () => {
    const m = metrics();
    const methods = new RpcMethodRegistry();
    methods.add('get_info', () => ({}));
    const server = new RpcServer({ bindIp: '127.0.0.1', bindPort: 0, maxBodyBytes: 4096, restricted: false, login: null, zone: 'clearnet' }, methods, new RecordingLogger());
    server.observe(m.rpcRequest);
    await server.start();
    try {
      const post = (method: string) => fetch(`http://${server.address}/json_rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method }) });
      await post('get_info');
      await post('tx_0123abcd_or_an_address');
      await fetch(`http://${server.address}/no_such_endpoint`, { method: 'POST' });
      const text = await m.text();
      expect(text).to.contain('veilnode_rpc_requests_total{method="get_info",status="ok"} 1\n');
      expect(text).to.contain('veilnode_rpc_requests_total{method="(unknown)",status="-32601"} 1\n');
      expect(text).to.contain('veilnode_rpc_requests_total{method="(unknown)",status="404"} 1\n');
      expect(text).to.not.contain('tx_0123abcd').and.not.contain('no_such_endpoint');
    } finally {
      await server.stop();
    }
  });
});
