import { expect } from 'chai';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { forgetRefused, isLoopbackHost, refusedConnects } from '../src/loopback-guard';

describe('tests reach loopback only (the mocha root hook)', () => {
  // 198.51.100.0/24 is a documentation range: nothing answers there, and the guard stops the connect first
  const OUTSIDE = '198.51.100.7:18080';

  afterEach(() => forgetRefused(OUTSIDE));

  it('knows loopback from everything else', () => {
    for (const host of ['127.0.0.1', '127.5.6.7', '::1', '[::1]', 'localhost', undefined, '::ffff:127.0.0.1']) expect(isLoopbackHost(host), String(host)).to.equal(true);
    for (const host of ['198.51.100.7', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', 'seeds.moneroseeds.se']) expect(isLoopbackHost(host), host).to.equal(false);
  });

  it('refuses a connect beyond loopback like a closed port, and records it for the end of the run', async () => {
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => net.connect(18080, '198.51.100.7').on('error', resolve));
    expect(error.code).to.equal('ECONNREFUSED');
    expect(refusedConnects().some((line) => line.endsWith(` ${OUTSIDE}`))).to.equal(true);
  });

  it('guards the Node processes a test spawns as well', async () => {
    const script = "require('net').connect(18080, '198.51.100.7').on('error', (e) => { console.log(e.code); process.exit(0); })";
    const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['-e', script], (err, stdout) => (err ? reject(err) : resolve(stdout))));
    expect(out.trim()).to.equal('ECONNREFUSED');
    expect(refusedConnects().filter((line) => line.endsWith(` ${OUTSIDE}`))).to.have.length(1);
  });
});
