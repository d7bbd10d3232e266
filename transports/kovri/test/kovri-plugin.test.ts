import { expect } from 'chai';
import { ConfigError, TransportUnavailableError } from '@veilnode/plugin-api';
import { RecordingLogger, RecordingPluginContext, createTestTransportContext } from '@veilnode/compliance';
import defaultExport, { plugin } from '../src/index';
import { parseKovriRouter } from '../src/kovri-router';

describe('kovri plugin (stub)', function () {
  it('is the default and the `plugin` export', function () {
    expect(defaultExport).to.equal(plugin);
    expect(plugin).to.include({ name: 'kovri', coreApi: '^2.0.0' });
  });

  it('registers the kovri zone under anonymity rules and its transport', async function () {
    const context = new RecordingPluginContext({ pluginName: 'kovri', config: { router: '127.0.0.1:7070' } });
    await plugin.register(context);
    expect(context.zones.map((z) => z.name)).to.deep.equal(['kovri']);
    expect(context.zones[0].policy).to.include({ zone: 'kovri', anonymity: true, checkPeerId: false });
    expect(context.transports.map((t) => [t.name, t.zone])).to.deep.equal([['kovri', 'kovri']]);
  });

  it('says at start that it is a stub, and every dial and listen fails saying Kovri is not implemented', async function () {
    const context = new RecordingPluginContext({ pluginName: 'kovri', config: { router: null } });
    await plugin.register(context);
    const logger = new RecordingLogger();
    const transport = context.transports[0].create(createTestTransportContext({ zone: 'kovri', logger }));

    await transport.start?.();
    expect(logger.entries).to.have.length(1);
    expect(logger.entries[0]).to.include({ level: 'warn', msg: 'Kovri is a stub: the kovri zone will neither dial nor listen' });
    expect(logger.entries[0].fields).to.include({ routerConfigured: false });

    for (const attempt of [transport.dial({ zone: 'kovri', host: 'peer.kovri', port: 1 }), transport.listen(() => undefined)]) {
      const err = await attempt.then(
        () => expect.fail('a Kovri stub call resolved'),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(TransportUnavailableError);
      expect((err as TransportUnavailableError).message).to.match(/^transport kovri is unavailable: Kovri is not implemented/);
      expect((err as TransportUnavailableError).code).to.equal('TRANSPORT_UNAVAILABLE');
    }
    expect(transport.status?.()).to.deep.include({ healthy: false });
  });

  it('accepts a HOST:PORT router or none, and rejects anything else with a ConfigError naming kovri.router', function () {
    expect(parseKovriRouter('127.0.0.1:7070')).to.deep.equal({ host: '127.0.0.1', port: 7070 });
    expect(parseKovriRouter('router.local:1')).to.deep.equal({ host: 'router.local', port: 1 });
    expect(parseKovriRouter(null)).to.equal(null);
    for (const bad of ['127.0.0.1', '127.0.0.1:70000', ':7070', 'bad host:1', 7070]) {
      let thrown: unknown;
      try {
        parseKovriRouter(bad);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, String(bad)).to.be.instanceOf(ConfigError);
      expect((thrown as ConfigError).context).to.include({ path: 'kovri.router' });
    }
    expect(() => parseKovriRouter('127.0.0.1:70000')).to.throw('port 70000 is outside 0..65535');
  });

  it('refuses to register with an invalid router setting', function () {
    const context = new RecordingPluginContext({ pluginName: 'kovri', config: { router: 'nonsense' } });
    expect(() => plugin.register(context)).to.throw(ConfigError, 'expected HOST:PORT, got "nonsense"');
    expect(context.zones).to.have.length(0);
  });
});
