import convict from 'convict';
import { ConfigError, CONFIG_FORMATS } from '@veilnode/plugin-api';
import { bindRule, endpointRule, ipRule, loginRule, proxyRule, type Rule } from './host-port';

/**
 * Custom convict formats. convict.addFormat is process-global and silently overwrites, so every
 * veilnode format is namespaced `veilnode-*`, registered once, and a second registration of a
 * name is refused instead of replacing the first. This set is the record of what is registered.
 */
const registered = new Set<string>();

export interface ConfigFormat {
  validate(value: unknown): void;
  coerce?(text: string): unknown;
}

/** Register a namespaced convict format; refuses duplicates and names outside `veilnode-`. */
export function registerConfigFormat(name: string, format: ConfigFormat): void {
  if (!name.startsWith('veilnode-')) {
    throw new ConfigError(`config format ${JSON.stringify(name)} must be namespaced veilnode-*`, { format: name });
  }
  if (registered.has(name)) {
    throw new ConfigError(`config format ${name} is already registered`, { format: name });
  }
  convict.addFormat({ name, validate: format.validate, coerce: format.coerce });
  registered.add(name);
}

function fromRule(rule: Rule, nullable: boolean): ConfigFormat {
  return {
    validate(value: unknown): void {
      if (value === null && nullable) return;
      if (typeof value !== 'string') throw new Error(nullable ? 'must be a string or null' : 'must be a string');
      const problem = rule(value);
      if (problem !== undefined) throw new Error(problem);
    },
  };
}

/** How the environment writes a boolean; anything else stays text and fails validation. */
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, '1': true, false: false, '0': false };

let coreFormatsRegistered = false;

/** Registers the core formats (idempotent: the module owns them, later calls are no-ops). */
export function registerCoreFormats(): void {
  if (coreFormatsRegistered) return;
  coreFormatsRegistered = true;
  registerConfigFormat(CONFIG_FORMATS.ip, fromRule(ipRule, false));
  registerConfigFormat(CONFIG_FORMATS.hostPort, fromRule(endpointRule, false));
  registerConfigFormat(CONFIG_FORMATS.bindAddress, fromRule(bindRule, false));
  registerConfigFormat(CONFIG_FORMATS.proxy, fromRule(proxyRule, true));
  registerConfigFormat(CONFIG_FORMATS.login, fromRule(loginRule, true));
  registerConfigFormat(CONFIG_FORMATS.port, {
    validate(value: unknown): void {
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) throw new Error('must be an integer in 0..65535');
    },
    coerce: (text: string) => (/^\d{1,5}$/.test(text) ? Number(text) : text),
  });
  registerConfigFormat(CONFIG_FORMATS.boolean, {
    validate(value: unknown): void {
      if (typeof value !== 'boolean') throw new Error('must be true or false');
    },
    coerce: (text: string) => BOOLEAN_WORDS[text.toLowerCase()] ?? text,
  });
  registerConfigFormat(CONFIG_FORMATS.stringList, {
    validate(value: unknown): void {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error('must be an array of strings');
    },
    coerce: (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
  });
}
