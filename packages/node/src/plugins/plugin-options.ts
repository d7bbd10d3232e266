import { PluginError, type Plugin } from '@veilnode/plugin-api';
import { FLAGS, type PluginFlag } from '../config/command-line';
import { IGNORED_OPTIONS, REFUSED_OPTIONS } from '../config/monerod-options';
import { PluginErrorCode } from './plugin-errors';

const OPTION_NAME = /^--[a-z][a-z0-9-]*$/;
const SETTING_KEY = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
const OPTION_TYPES: readonly string[] = ['string', 'number', 'boolean'];

/** What is wrong with a plugin's `options` field, one problem per field (the loader's "not a plugin" list). */
export function optionProblems(options: unknown): string[] {
  if (!Array.isArray(options)) return ['options must be an array of { name, type, doc, key }'];
  return options.flatMap((o: unknown, i) => {
    const option = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof option.name !== 'string' || !OPTION_NAME.test(option.name)) problems.push(`options[${i}].name must be -- then lower-case letters, digits and -`);
    if (typeof option.type !== 'string' || !OPTION_TYPES.includes(option.type)) problems.push(`options[${i}].type must be one of ${OPTION_TYPES.join(', ')}`);
    if (typeof option.doc !== 'string' || option.doc.length === 0) problems.push(`options[${i}].doc must be a non-empty string`);
    if (typeof option.key !== 'string' || !SETTING_KEY.test(option.key)) problems.push(`options[${i}].key must be a key of the plugin's settings (dotted when nested)`);
    if (option.value !== undefined && (typeof option.value !== 'string' || option.value.length === 0)) problems.push(`options[${i}].value must be a non-empty string`);
    return problems;
  });
}

/**
 * The loaded plugins' options, in plugin order. An option named like one of core's (monerod's
 * accepted-and-ignored and refused options included) or another plugin's stops the node and
 * names both owners: the command line must mean one thing.
 */
export function pluginFlags(plugins: readonly Plugin[]): PluginFlag[] {
  const owners = new Map<string, string>([...FLAGS.map((f) => f.name), '-h', ...Object.keys(IGNORED_OPTIONS), ...Object.keys(REFUSED_OPTIONS)].map((name) => [name, 'core']));
  const flags: PluginFlag[] = [];
  for (const plugin of plugins) {
    for (const option of plugin.options ?? []) {
      const owner = owners.get(option.name);
      if (owner !== undefined) {
        const taken = owner === 'core' ? "is one of core's options" : `is already plugin ${owner}'s`;
        throw new PluginError(PluginErrorCode.OptionConflict, `plugin ${plugin.name} declares option ${option.name}, which ${taken}`, { plugin: plugin.name, option: option.name, owner });
      }
      owners.set(option.name, plugin.name);
      flags.push({ plugin: plugin.name, option });
    }
  }
  return flags;
}
