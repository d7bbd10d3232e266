import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@veilnode/plugin-api';
import { FLAGS, parseCommandLine, pluginFlagSpec, type CommandLine, type PluginFlag } from './command-line';
import { IGNORED_OPTIONS } from './monerod-options';

/** A config file larger than this is refused (it is read whole). */
export const MAX_MONEROD_CONFIG_BYTES = 1024 * 1024;

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);
/** Options a config file may not hold: they choose files or commands, not settings. */
const COMMAND_LINE_ONLY = new Set(['--config-file', '--config', '--help']);

/**
 * monerod's config file (boost::program_options' format, as `--config-file` reads it): one
 * `option=value` per line, the option spelled without its dashes, `#` starting a comment
 * anywhere on a line, blank lines ignored. A switch takes a truth value (`no-igd=1`,
 * `prune-blockchain=true`); false leaves it off. Returns the arguments that line up with it on a
 * command line, in file order.
 */
export function monerodConfigArgs(text: string, file: string, pluginFlags: readonly PluginFlag[] = []): string[] {
  const switches = new Set([
    ...[...FLAGS, ...pluginFlags.map(pluginFlagSpec)].filter((f) => f.value === undefined).map((f) => f.name),
    ...Object.entries(IGNORED_OPTIONS).filter(([, o]) => !o.takesValue).map(([n]) => n),
  ]);
  const args: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const where = `${file}:${index + 1}`;
    const line = raw.replace(/#.*$/, '').trim();
    if (line.length === 0) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${where}: expected option=value, got ${JSON.stringify(line)}`, { file, line: index + 1 });
    const flag = `--${line.slice(0, eq).trim()}`;
    const value = line.slice(eq + 1).trim();
    if (COMMAND_LINE_ONLY.has(flag)) throw new ConfigError(`${where}: ${flag.slice(2)} belongs on the command line, not in a config file`, { file, line: index + 1 });
    if (!switches.has(flag)) {
      args.push(`${flag}=${value}`);
      return;
    }
    const word = value.toLowerCase();
    if (TRUE_WORDS.has(word)) args.push(flag);
    else if (!FALSE_WORDS.has(word)) throw new ConfigError(`${where}: ${flag.slice(2)} is a switch: its value must be 1, true, 0 or false`, { file, line: index + 1 });
  });
  return args;
}

/**
 * The command line with `--config-file FILE` folded in: the file's options come first and an
 * option given on the command line replaces the file's (monerod's precedence). Settings from
 * the file name it, so validation errors point at the file.
 */
export function withMonerodConfigFile(commandLine: CommandLine, cwd: string): CommandLine {
  if (commandLine.monerodConfigFile === undefined) return commandLine;
  const file = path.resolve(cwd, commandLine.monerodConfigFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`cannot read --config-file ${file}: ${reason}`, { file, reason }, { cause: error });
  }
  if (Buffer.byteLength(text) > MAX_MONEROD_CONFIG_BYTES) throw new ConfigError(`--config-file ${file} is larger than ${MAX_MONEROD_CONFIG_BYTES} bytes`, { file });
  let fromFile: CommandLine;
  try {
    fromFile = parseCommandLine(monerodConfigArgs(text, file, commandLine.pluginFlags), commandLine.pluginFlags);
  } catch (error) {
    if (!(error instanceof ConfigError) || error.message.startsWith(file)) throw error;
    throw new ConfigError(`--config-file ${file}: ${error.message}`, { ...error.context, file }, { cause: error });
  }
  const given = commandLine.given ?? new Set<string>();
  const kept = fromFile.settings.filter((s) => !given.has(s.flag)).map((s) => ({ ...s, flag: `${s.flag.slice(2)} in ${file}` }));
  const keptPeers = (fromFile.peerFlags ?? []).filter((p) => !given.has(p.flag)).map((p) => ({ ...p, flag: `${p.flag.slice(2)} in ${file}` }));
  return {
    ...commandLine,
    settings: [...kept, ...commandLine.settings],
    peerFlags: [...keptPeers, ...(commandLine.peerFlags ?? [])],
    notices: [...new Set([...(fromFile.notices ?? []), ...(commandLine.notices ?? [])])],
  };
}
