import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/logging/create-logger';

describe('root logger (pino)', () => {
  function capture(level: 'info' | 'warn'): { lines: () => Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const logger = createLogger({ level, pretty: false, destination: out });
    return { logger, lines: () => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
  }

  it('writes structured JSON lines with the child bindings, at the configured level', () => {
    const { logger, lines } = capture('warn');
    logger.child({ zone: 'tor' }).info({ a: 1 }, 'hidden');
    logger.child({ zone: 'tor' }).warn({ a: 2 }, 'shown');
    expect(lines()).to.have.length(1);
    expect(lines()[0]).to.include({ level: 40, zone: 'tor', a: 2, msg: 'shown', service: 'veilnode' });
  });

  it('redacts keys that can carry secrets, wherever a caller slipped them in', () => {
    const { logger, lines } = capture('info');
    logger.info({ proxy: 'socks5://alice:pw@127.0.0.1:9050', zone: { login: 'alice:pw', password: 'pw' } }, 'oops');
    const [line] = lines();
    expect(JSON.stringify(line)).not.to.contain('pw');
    expect(line).to.deep.include({ proxy: '[redacted]', zone: { login: '[redacted]', password: '[redacted]' } });
  });
});
