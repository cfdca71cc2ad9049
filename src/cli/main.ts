import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { escapeUnsafe } from '../core/render/unsafe-characters.ts';
import { ApiClientError } from './api-client.ts';
import { CliError, type Io, jsonText } from './context.ts';
import { EXIT, EXIT_CODES_HELP, type ErrorCode, exitCodeOf } from './exit-codes.ts';

type Register = (program: Command, io: Io) => void;

/**
 * Command modules by the top-level names they register. Only the module of the command
 * being run is imported (the server and daemons pull in most of the code base; `--version`
 * needs none of it); `--help`, completion and unknown names load them all.
 */
export const MODULES: Array<{ names: string[]; load: () => Promise<Register> }> = [
  { names: ['server'], load: async () => (await import('./commands/server.ts')).registerServerCommand },
  { names: ['gateway', 'agent'], load: async () => (await import('./commands/daemons.ts')).registerDaemonCommands },
  { names: ['login', 'logout', 'whoami', 'totp', 'token'], load: async () => (await import('./commands/auth.ts')).registerAuthCommands },
  { names: ['vpn'], load: async () => (await import('./commands/vpn.ts')).registerVpnCommands },
  {
    names: ['admin'],
    load: async () => {
      const [admin, users] = await Promise.all([import('./commands/admin.ts'), import('./commands/users.ts')]);
      return (program, io) => {
        admin.registerAdminCommands(program, io);
        users.registerUserAdminCommands(program, io);
      };
    },
  },
  { names: ['region'], load: async () => (await import('./commands/region.ts')).registerRegionCommands },
  { names: ['audit'], load: async () => (await import('./commands/audit.ts')).registerAuditCommands },
  { names: ['org'], load: async () => (await import('./commands/org.ts')).registerOrgCommands },
  { names: ['site-vpn'], load: async () => (await import('./commands/site-vpn.ts')).registerSiteVpnCommands },
  { names: ['proxy'], load: async () => (await import('./commands/proxy.ts')).registerProxyCommands },
  { names: ['org-vpn'], load: async () => (await import('./commands/org-vpn.ts')).registerOrgVpnCommands },
  { names: ['plant'], load: async () => (await import('./commands/plant.ts')).registerPlantCommands },
  { names: ['invitation'], load: async () => (await import('./commands/invitation.ts')).registerInvitationCommands },
  { names: ['password'], load: async () => (await import('./commands/users.ts')).registerPasswordCommand },
  { names: ['completion'], load: async () => (await import('./commands/completion.ts')).registerCompletionCommand },
];

/** Options of the program itself that take a value (skipped when looking for the command name). */
const GLOBAL_VALUE_OPTIONS = ['--timeout'];

/** One binary: the daemons and the user's and admin's client of the API. Returns the exit code. */
export async function main(argv: string[], rawIo: Io = defaultIo()): Promise<number> {
  const io = terminalSafe(rawIo);
  const json = argv.slice(2).some((a) => a === '--json' || a === '--explain-json');
  const program = new Command('plantgate')
    .description('remote access to the devices of renewable-energy plants')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--timeout <seconds>', 'how long to wait for the control plane (env PLANTGATE_TIMEOUT; default 30)', positiveSeconds)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
      // Under --json the error is printed once, as JSON, below.
      outputError: (s, write) => {
        if (!json) write(s);
      },
    })
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);
  program.hook('preAction', () => {
    const seconds = (program.opts() as { timeout?: number }).timeout ?? envSeconds(io.env.PLANTGATE_TIMEOUT);
    if (seconds !== undefined) io.timeoutMs = seconds * 1000;
  });
  try {
    for (const register of await Promise.all(modulesFor(argv).map((m) => m.load()))) register(program, io);
    for (const command of allCommands(program)) command.exitOverride();
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    const failure = describe(e);
    if (!failure) throw e;
    if (failure.exitCode === EXIT.ok) return EXIT.ok;
    if (json) io.out(jsonText({ error: { code: failure.code, message: failure.message, exitCode: failure.exitCode, ...failure.extra } }));
    else if (!failure.printed) io.err(`error: ${failure.message}`);
    return failure.exitCode;
  }
}

type Failure = { code: ErrorCode; message: string; exitCode: number; printed: boolean; extra: Record<string, unknown> };

function describe(e: unknown): Failure | null {
  if (e instanceof CommanderError) {
    // Commander already printed its message (help, version, or a usage error).
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return { code: 'error', message: '', exitCode: EXIT.ok, printed: true, extra: {} };
    return { code: 'usage', message: e.message.replace(/^error: /, ''), exitCode: EXIT.usage, printed: true, extra: {} };
  }
  if (e instanceof CliError) return { code: e.code, message: e.message, exitCode: e.exitCode, printed: false, extra: {} };
  if (e instanceof ApiClientError) {
    const body = (e.body ?? {}) as { code?: unknown; field?: unknown; problems?: unknown };
    const extra: Record<string, unknown> = { ...(e.status ? { status: e.status } : {}) };
    if (typeof body.code === 'string') extra.serverCode = body.code;
    if (typeof body.field === 'string') extra.field = body.field;
    if (Array.isArray(body.problems)) extra.problems = body.problems;
    return { code: e.code, message: e.message, exitCode: exitCodeOf(e.code), printed: false, extra };
  }
  return null;
}

/** The modules to import for this command line: none for --version, one for a known command, else all. */
function modulesFor(argv: string[]): typeof MODULES {
  const args = argv.slice(2);
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (GLOBAL_VALUE_OPTIONS.includes(arg)) i++;
    else if (!arg.startsWith('-')) {
      name = arg;
      break;
    }
  }
  if (name === undefined) return args.some((a) => a === '-V' || a === '--version') && !args.some((a) => a === '-h' || a === '--help') ? [] : MODULES;
  if (name === 'completion') return MODULES;
  const module = MODULES.find((m) => m.names.includes(name));
  return module ? [module] : MODULES;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

function envSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`PLANTGATE_TIMEOUT: "${value}" is not a positive number of seconds`, 'usage');
  return n;
}

/** Every line a command prints reaches the terminal with control characters escaped (issue 7 item 10). */
function terminalSafe(io: Io): Io {
  const safe: Io = { ...io, out: (t) => io.out(escapeUnsafe(t, '\n\t')), err: (t) => io.err(escapeUnsafe(t, '\n\t')) };
  return safe;
}

function defaultIo(): Io {
  return { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`), env: process.env };
}
