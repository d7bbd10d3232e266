#!/usr/bin/env node
import 'reflect-metadata';
import { ConfigError, VeilnodeError } from '@veilnode/plugin-api';
import type { CommandLine } from '../config/command-line';
import { createLogger } from '../logging/create-logger';
import { composeNode } from '../node/compose-node';
import { coreVersion } from '../node/core-version';
import { parseWithPluginOptions } from '../node/parse-with-plugin-options';
import { prepareNode } from '../node/prepare-node';
import { runNodeCommand } from './node-commands';
import { NodeRpcClient } from './node-rpc-client';
import { findPluginCommand, pluginCommandContext } from './plugin-command';
import { formatPlugins, formatSummary } from './report';
import { stopOnSignal } from './stop-on-signal';
import { usage } from './usage';

interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Runs a veilnode command; resolves with the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = await parseWithPluginOptions(argv, process.cwd());
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      io.stderr.write(`veilnode: ${describe(error)}\n`);
      return 1;
    }
    io.stderr.write(`veilnode: ${error.message}\n(veilnode --help lists every option)\n`);
    return 2;
  }
  if (commandLine.command === 'help') {
    io.stdout.write(usage(commandLine.pluginFlags));
    return 0;
  }
  try {
    const prepared = await prepareNode({
      commandLine,
      env,
      cwd: process.cwd(),
      createLogger: (config) =>
        createLogger({ level: commandLine.command === 'run' ? config.log.level : 'warn', pretty: io.stdout.isTTY === true }),
    });
    if (commandLine.nodeCommand !== undefined) {
      const { bindIp, bindPort, login } = prepared.config.rpc;
      const client = new NodeRpcClient(connectableIp(bindIp), bindPort, login);
      io.stdout.write(await runNodeCommand(commandLine.nodeCommand.name, commandLine.nodeCommand.args, client));
      return 0;
    }
    if (commandLine.command === 'plugins') {
      io.stdout.write(formatPlugins(prepared.registry.plugins()));
      return 0;
    }
    if (commandLine.pluginCommand !== undefined) {
      const { command, plugin } = findPluginCommand(prepared, commandLine.pluginCommand.name);
      return await command.run(commandLine.pluginCommand.argv, pluginCommandContext(prepared, plugin, io));
    }
    const veilnode = composeNode(prepared);
    const stopped = stopOnSignal({
      signals: process,
      stop: () => veilnode.stop(),
      logger: prepared.logger,
      forceExit: (signal) => {
        io.stderr.write(`veilnode: second ${signal}, exiting now\n`);
        process.exit(130);
      },
    });
    const summary = await veilnode.start();
    io.stdout.write(formatSummary(coreVersion(), summary));
    return await stopped;
  } catch (error) {
    io.stderr.write(`veilnode: ${describe(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
}

/** A wildcard bind is reached on loopback, as monerod's commands do. */
function connectableIp(bindIp: string): string {
  if (bindIp === '0.0.0.0') return '127.0.0.1';
  return bindIp === '::' ? '::1' : bindIp;
}

function describe(error: unknown): string {
  if (error instanceof VeilnodeError) return error.message;
  return error instanceof Error ? `unexpected error: ${error.stack ?? error.message}` : String(error);
}

/** The process entry point (bin launcher and `node packages/node/dist/src/cli/main.js`). */
export function run(): void {
  main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then((code) => process.exit(code));
}

if (require.main === module) run();
