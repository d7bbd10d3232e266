import { ConfigError } from '@veilnode/plugin-api';

export interface ParsedArgs {
  /** Values per flag, in order (a flag given twice has two). */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

/**
 * `--name VALUE` / `--name=VALUE` flags (each must be listed in `known`; `switches` take no
 * value) and positionals, for the plugin's subcommands. Unknown flags are a ConfigError naming them.
 */
export function parseArgs(argv: readonly string[], known: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (switches.includes(name)) {
      flags.set(name, ['true']);
      continue;
    }
    if (!known.includes(name)) throw new ConfigError(`unknown option ${name} (options: ${[...known, ...switches].join(', ')})`, { flag: name });
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`${name} needs a value`, { flag: name });
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positionals };
}

/** The one value of a required flag. */
export function required(args: ParsedArgs, flag: string): string {
  const values = args.flags.get(flag) ?? [];
  if (values.length !== 1) throw new ConfigError(values.length === 0 ? `${flag} is required` : `${flag} is given more than once`, { flag });
  return values[0];
}

/** The value of an optional flag given at most once. */
export function optional(args: ParsedArgs, flag: string): string | undefined {
  const values = args.flags.get(flag) ?? [];
  if (values.length > 1) throw new ConfigError(`${flag} is given more than once`, { flag });
  return values[0];
}
