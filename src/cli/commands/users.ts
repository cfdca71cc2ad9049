import type { Command } from 'commander';
import { z } from 'zod';
import { NoContent, ProfileInfo } from '../../core/wire/api.ts';
import { EnrolmentInfo } from '../../core/wire/daemon.ts';
import { PasswordReset, UserInfo } from '../../core/wire/users.ts';
import { readCredentials } from '../config.ts';
import { CliError, type Io, client, printJson, serverClient } from '../context.ts';
import { promptSecret } from '../prompt.ts';
import { readStdin } from '../stdin.ts';
import { formatTable } from '../table.ts';

/**
 * Operator basics (issue 7 items 3 and 15) under `admin`: users, enrolment tokens and
 * the host-side password reset. Registered after admin.ts's own commands.
 */
export function registerUserAdminCommands(program: Command, io: Io): void {
  const admin = program.commands.find((c) => c.name() === 'admin') ?? program.command('admin').description('platform operator commands');
  registerAdminUser(admin, io);
  registerEnrolTokens(admin, io);
  registerHostReset(admin, io);
}

/** `plantgate password change`, for everyone. */
export function registerPasswordCommand(program: Command, io: Io): void {
  registerPasswordChange(program, io);
}

function registerAdminUser(admin: Command, io: Io): void {
  const user = admin.command('user').description('users: list, disable, enable, delete, reset password or second factor, operator role');
  user
    .command('list')
    .description('list users')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const users = await client(io).get('/admin/users', z.array(UserInfo));
      if (opts.json) return printJson(io, users);
      io.out(
        formatTable(
          ['EMAIL', 'NAME', 'OPERATOR', 'STATE', 'TOTP', 'PROFILE', 'CREATED'],
          users.map((u) => [
            u.email,
            u.name,
            u.platformOperator ? 'yes' : '-',
            u.disabledAt ? `disabled ${u.disabledAt}` : u.passwordMustChange ? 'one-time password' : 'active',
            u.totpEnabled ? 'on' : '-',
            u.profileTunnelIp ?? '-',
            u.createdAt,
          ]),
        ),
      );
    });
  const simple: Array<[string, string, 'post' | 'delete' | 'put', string, string]> = [
    ['disable', 'disable: no login, every token and the VPN profile revoked at once', 'post', '/disable', 'disabled (tokens and profile revoked)'],
    ['enable', 're-enable a disabled user', 'post', '/enable', 'enabled'],
    ['delete', 'delete the user with memberships, job roles, tokens and profiles (events stay)', 'delete', '', 'deleted'],
    ['reset-totp', 'turn the user\u2019s second factor off (lost authenticator and recovery codes)', 'post', '/totp/reset', 'second factor off'],
    ['revoke-profile', 'revoke the user\u2019s personal VPN profile', 'post', '/profile/revoke', 'profile revoked'],
    ['grant-operator', 'make the user a platform operator', 'put', '/operator', 'is a platform operator now'],
    ['revoke-operator', 'take the platform operator role away (never from the last one)', 'delete', '/operator', 'is no platform operator now'],
  ];
  for (const [name, description, method, suffix, done] of simple) {
    user
      .command(`${name} <user>`)
      .description(`${description} (user: email or id)`)
      .action(async (selector: string) => {
        const path = `/admin/users/${encodeURIComponent(selector)}${suffix}`;
        const api = client(io);
        // Revoking a profile answers with the revoked profile; everything else with 204.
        const answer = suffix === '/profile/revoke' ? ProfileInfo : NoContent;
        await (method === 'delete' ? api.delete(path, NoContent) : method === 'put' ? api.put(path, {}, NoContent) : api.post(path, {}, answer));
        io.out(`${selector} ${done}`);
      });
  }
  user
    .command('reset-password <user>')
    .description('set a one-time password (generated and shown once, or read with --password-stdin); the user must replace it at the next login')
    .option('--password-stdin', 'read the one-time password from standard input instead of generating one')
    .option('--json', 'print JSON')
    .action(async (selector: string, opts: { passwordStdin?: boolean; json?: boolean }) => {
      const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      const reset = await client(io).post(`/admin/users/${encodeURIComponent(selector)}/password`, password ? { password } : {}, PasswordReset);
      if (opts.json) return printJson(io, reset);
      printReset(io, reset);
    });
}

function registerEnrolTokens(admin: Command, io: Io): void {
  const tokens = admin.command('enrol-token').description('enrolment tokens printed for gateways and agents and not used yet');
  tokens
    .command('list')
    .description('list unused enrolment tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await client(io).get('/admin/enrolments', z.array(EnrolmentInfo));
      if (opts.json) return printJson(io, list);
      io.out(
        formatTable(
          ['ID', 'KIND', 'FOR', 'CREATED BY', 'CREATED', 'EXPIRES'],
          list.map((t) => [t.id, t.kind, t.region ?? t.plant ?? '-', t.createdBy ?? '-', t.createdAt, t.expired ? `expired ${t.expiresAt}` : t.expiresAt]),
        ),
      );
    });
  tokens
    .command('revoke <id>')
    .description('revoke an unused enrolment token: it can no longer enrol a daemon')
    .action(async (id: string) => {
      await client(io).delete(`/admin/enrolments/${encodeURIComponent(id)}`, NoContent);
      io.out(`enrolment token ${id} revoked`);
    });
}

/** Works on the database directly (no server needed): for the lost last admin password. */
function registerHostReset(admin: Command, io: Io): void {
  admin
    .command('reset-password')
    .description('on the server host (as root or the server\u2019s user): set a one-time password directly in the database and print it')
    .requiredOption('--email <email>', 'the account')
    .option('--database <url>', 'sqlite:PATH or postgres://… (default: sqlite:<data-dir>/plantgate.db; env PLANTGATE_DATABASE)')
    .option('--data-dir <dir>', 'the server\u2019s data directory', './data')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; database?: string; dataDir: string; json?: boolean }) => {
      const { resetPasswordOnHost } = await import('../../server/features/users/host-reset.ts');
      const reset = await resetPasswordOnHost({ email: opts.email, database: opts.database ?? io.env.PLANTGATE_DATABASE, dataDir: opts.dataDir }).catch((e: Error) => {
        throw new CliError(e.message, /no user /.test(e.message) ? 'not-found' : 'error');
      });
      if (opts.json) return printJson(io, reset);
      printReset(io, reset);
    });
}

function registerPasswordChange(program: Command, io: Io): void {
  const password = program.commands.find((c) => c.name() === 'password') ?? program.command('password').description('your password');
  password
    .command('change')
    .description('choose a new password (also to replace a one-time password); asks without echo, or reads the current and the new password from standard input, one per line')
    .requiredOption('--email <email>', 'your email')
    .option('--server <url>', 'control plane URL (default: the stored login or PLANTGATE_SERVER)')
    .option('--totp <code>', 'the current code of your second factor (or a recovery code), if you turned one on')
    .action(async (opts: { email: string; server?: string; totp?: string }) => {
      const server = opts.server ?? readCredentials(io.env).server;
      if (!server) throw new CliError('--server is required (or log in first, or set PLANTGATE_SERVER)', 'usage');
      const [current, next] = process.stdin.isTTY ? await askPasswords() : await readPasswords();
      await serverClient(io, server, undefined).post('/auth/password', { email: opts.email, password: current, newPassword: next, ...(opts.totp ? { totp: opts.totp } : {}) }, NoContent);
      io.out('password changed; your login sessions ended: log in again with the new password');
    });
}

/** On a terminal: asked without echo, the new one twice. */
async function askPasswords(): Promise<[string, string]> {
  const current = await promptSecret('current (or one-time) password: ');
  const next = await promptSecret('new password: ');
  if ((await promptSecret('new password again: ')) !== next) throw new CliError('the two new passwords differ', 'usage');
  return [current, next];
}

async function readPasswords(): Promise<[string, string]> {
  const lines = (await readStdin()).split(/\r?\n/);
  const [current, next] = [lines[0] ?? '', lines[1] ?? ''];
  if (!current || !next) throw new CliError('standard input must hold two lines: the current password, then the new one', 'usage');
  return [current, next];
}

function printReset(io: Io, reset: PasswordReset): void {
  if (reset.password) io.out(`one-time password for ${reset.email}: ${reset.password}  (shown once)`);
  else io.out(`one-time password for ${reset.email} set`);
  io.out('every token of the account is revoked; the user must choose a new password: plantgate password change --email EMAIL');
}
