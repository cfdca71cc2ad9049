import { Command, CommanderError } from 'commander';
import { ApiClientError } from './api-client.ts';
import { registerAdminCommands } from './commands/admin.ts';
import { registerAuthCommands } from './commands/auth.ts';
import { registerDaemonCommands } from './commands/daemons.ts';
import { registerServerCommand } from './commands/server.ts';
import { registerUserCommands } from './commands/users.ts';
import { registerVpnCommands } from './commands/vpn.ts';
import { CliError, type Io } from './context.ts';
import { daemonVersion } from '../daemon/run.ts';

/** One binary: the daemons and the user's and admin's client of the API. Returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const program = new Command('plantgate')
    .description('remote access to the devices of renewable-energy plants')
    .version(daemonVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerServerCommand(program, io);
  registerDaemonCommands(program, io);
  registerAuthCommands(program, io);
  registerVpnCommands(program, io);
  registerAdminCommands(program, io);
  registerUserCommands(program, io);
  for (const command of allCommands(program)) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof ApiClientError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

function defaultIo(): Io {
  return { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`), env: process.env };
}
