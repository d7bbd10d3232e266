import { expect } from 'chai';
import { ConfigError, PluginError, type Plugin, type PluginOption } from '@veilnode/plugin-api';
import { parseCommandLine, type PluginFlag } from '../../src/config/command-line';
import { monerodConfigArgs } from '../../src/config/monerod-config-file';
import { usage } from '../../src/cli/usage';
import { optionProblems, pluginFlags } from '../../src/plugins/plugin-options';

const ROUTER: PluginOption = { name: '--demo-router', type: 'string', value: 'HOST:PORT', doc: 'router of the demo zone', key: 'router' };
const SLOTS: PluginOption = { name: '--demo-slots', type: 'number', doc: 'slots', key: 'limits.slots' };
const FAST: PluginOption = { name: '--demo-fast', type: 'boolean', doc: 'go fast', key: 'fast' };
const FLAGS: PluginFlag[] = [ROUTER, SLOTS, FAST].map((option) => ({ plugin: 'demo', option }));

function plugin(name: string, options: PluginOption[]): Plugin {
  return { name, version: '1.0.0', coreApi: '^2.0.0', options, register: () => undefined };
}

function parseError(argv: string[]): ConfigError {
  try {
    parseCommandLine(argv, FLAGS);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe("plugins' command-line options", () => {
  it("set the declared key of the plugin's settings, typed, naming the option as the source", () => {
    const line = parseCommandLine(['--demo-router', '127.0.0.1:7070', '--demo-slots=12', '--demo-fast', '--regtest'], FLAGS);
    expect(line.settings).to.deep.equal([
      { path: 'demo.router', value: '127.0.0.1:7070', flag: '--demo-router' },
      { path: 'demo.limits.slots', value: 12, flag: '--demo-slots' },
      { path: 'demo.fast', value: true, flag: '--demo-fast' },
      { path: 'network', value: 'regtest', flag: '--regtest' },
    ]);
  });

  it('follow the core grammar: a value is required, a switch takes none, a number must be one, no repeats', () => {
    expect(parseError(['--demo-router']).message).to.equal('--demo-router needs a value: --demo-router HOST:PORT');
    expect(parseError(['--demo-fast=yes']).message).to.equal('--demo-fast "yes": takes no value');
    expect(parseError(['--demo-slots', 'many']).message).to.equal('--demo-slots "many": must be a number');
    expect(parseError(['--demo-slots=']).message).to.equal('--demo-slots "": must be a number');
    expect(parseError(['--demo-router', 'a:1', '--demo-router', 'b:2']).message).to.equal('--demo-router is given more than once');
  });

  it('are unknown options to a parser not given them', () => {
    expect(() => parseCommandLine(['--demo-router', 'x'])).to.throw(ConfigError, /unknown option --demo-router/);
  });

  it("work in monerod's config file too (a boolean is a switch there)", () => {
    const args = monerodConfigArgs('demo-fast=1\ndemo-slots=3', 'f.conf', FLAGS);
    expect(args).to.deep.equal(['--demo-fast', '--demo-slots=3']);
    expect(parseCommandLine(args, FLAGS).settings.map((s) => s.path)).to.deep.equal(['demo.fast', 'demo.limits.slots']);
  });

  it('are listed by --help with their value name and plugin', () => {
    const help = usage(FLAGS);
    expect(help).to.match(/^ {2}--demo-router HOST:PORT +router of the demo zone \(plugin demo\)$/m);
    expect(help).to.match(/^ {2}--demo-slots VALUE +slots \(plugin demo\)$/m);
    expect(help).to.match(/^ {2}--demo-fast +go fast \(plugin demo\)$/m);
    expect(usage()).to.not.contain('--demo-');
  });

  it('may not take a name core or another plugin uses', () => {
    expect(pluginFlags([plugin('demo', [ROUTER]), plugin('other', [SLOTS])])).to.deep.equal([
      { plugin: 'demo', option: ROUTER },
      { plugin: 'other', option: SLOTS },
    ]);
    const conflict = (plugins: Plugin[]): PluginError => {
      try {
        pluginFlags(plugins);
      } catch (error) {
        expect(error).to.be.instanceOf(PluginError);
        return error as PluginError;
      }
      throw new Error('expected a conflict');
    };
    expect(conflict([plugin('demo', [{ ...ROUTER, name: '--p2p-bind-port' }])]).message).to.equal("plugin demo declares option --p2p-bind-port, which is one of core's options");
    expect(conflict([plugin('demo', [{ ...FAST, name: '--no-igd' }])]).code).to.equal('PLUGIN_OPTION_CONFLICT');
    expect(conflict([plugin('demo', [{ ...FAST, name: '--detach' }])]).message).to.contain("which is one of core's options");
    const twice = conflict([plugin('demo', [ROUTER]), plugin('other', [{ ...SLOTS, name: '--demo-router' }])]);
    expect(twice.message).to.equal("plugin other declares option --demo-router, which is already plugin demo's");
    expect(twice.context).to.include({ plugin: 'other', option: '--demo-router', owner: 'demo' });
  });

  it('are checked for shape when the plugin loads', () => {
    expect(optionProblems([ROUTER, SLOTS, FAST])).to.deep.equal([]);
    expect(optionProblems('--x')).to.deep.equal(['options must be an array of { name, type, doc, key }']);
    expect(optionProblems([{ name: 'x', type: 'date', doc: '', key: 'a..b', value: 3 }])).to.deep.equal([
      'options[0].name must be -- then lower-case letters, digits and -',
      'options[0].type must be one of string, number, boolean',
      'options[0].doc must be a non-empty string',
      "options[0].key must be a key of the plugin's settings (dotted when nested)",
      'options[0].value must be a non-empty string',
    ]);
  });
});
