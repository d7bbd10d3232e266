import { expect } from 'chai';
import { ConfigError } from '@veilnode/plugin-api';
import { parseCommandLine, type FlagSetting } from '../../src/config/command-line';

/** The config settings a command line makes, path → value. */
export function flagSettings(argv: string[]): Record<string, unknown> {
  return Object.fromEntries(parseCommandLine(argv).settings.map((s: FlagSetting) => [s.path, s.value]));
}

/** The ConfigError a command line is rejected with (fails the test when it is accepted). */
export function grammarError(argv: string[]): ConfigError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}
