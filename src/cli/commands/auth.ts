import type { Command } from 'commander';
import { z } from 'zod';
import { LoginResponse, Me, NoContent, TokenCreated, TokenInfo, TotpConfirmed, TotpStarted } from '../../core/wire/api.ts';
import { ApiClientError } from '../api-client.ts';
import { forgetCredentials, readCredentials, writeCredentials } from '../config.ts';
import { CliError, type Io, client, printJson, serverClient } from '../context.ts';
import { promptSecret } from '../prompt.ts';
import { readStdin } from '../stdin.ts';
import { formatTable } from '../table.ts';

type Token = TokenInfo;

export function registerAuthCommands(program: Command, io: Io): void {
  program
    .command('login')
    .description('log in to a control plane and store a token (file mode 0600); asks for the password without echo')
    .option('--server <url>', 'control plane URL, e.g. https://cp.example.com (env PLANTGATE_SERVER)')
    .requiredOption('--email <email>', 'your email')
    .option('--password <password>', 'your password (visible to other local users: prefer the prompt or --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--totp <code>', 'the current code of your second factor, if you turned one on')
    .option('--json', 'print JSON')
    .action(async (opts: { server?: string; email: string; password?: string; passwordStdin?: boolean; totp?: string; json?: boolean }) => {
      const server = opts.server ?? io.env.PLANTGATE_SERVER;
      if (!server) throw new CliError('--server URL is required (or set PLANTGATE_SERVER)', 'usage');
      const api = serverClient(io, server, undefined);
      const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : (opts.password ?? (await promptSecret(`password for ${opts.email}: `)));
      if (!password) throw new CliError('the password is empty', 'usage');
      const login = (totp: string | undefined) => api.post('/auth/login', { email: opts.email, password, ...(totp ? { totp } : {}) }, LoginResponse);
      const result = await login(opts.totp).catch(async (e: unknown) => {
        // A second factor is on and no code was given: ask for it on the terminal, as for the password.
        const totpRequired = e instanceof ApiClientError && (e.body as { code?: string } | null)?.code === 'totp-required';
        if (!totpRequired || opts.totp || opts.passwordStdin || !process.stdin.isTTY) throw e;
        return login((await promptSecret('code from your authenticator: ')).trim());
      });
      const file = writeCredentials({ server, token: result.token }, io.env);
      if (opts.json) return printJson(io, { user: result.user, expiresAt: result.expiresAt, credentials: file });
      io.out(`logged in as ${result.user.email} (token stored in ${file}, valid until ${result.expiresAt})`);
    });

  program
    .command('logout')
    .description('revoke the stored login token and forget it')
    .action(async () => {
      const credentials = readCredentials(io.env);
      if (credentials.server && credentials.token) await client(io).post('/auth/logout', {}, NoContent).catch(() => undefined);
      forgetCredentials(io.env);
      io.out('logged out');
    });

  program
    .command('whoami')
    .description('show the logged-in user')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const me = await client(io).get('/me', Me);
      if (opts.json) printJson(io, me);
      else io.out(`${me.name} <${me.email}>${me.platformOperator ? ' (platform operator)' : ''}`);
    });

  const totp = program.command('totp').description('an optional TOTP second factor for your login');
  totp
    .command('enable')
    .description('start: prints the secret and an otpauth:// URI for your authenticator (shown once)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const started = await client(io).post('/me/totp', {}, TotpStarted);
      if (opts.json) return printJson(io, started);
      io.out(`secret: ${started.secret}\nuri:    ${started.uri}\nAdd it to your authenticator, then run: plantgate totp confirm CODE`);
    });
  totp
    .command('confirm <code>')
    .description('turn the second factor on with a first valid code')
    .action(async (code: string) => {
      const confirmed = await client(io).post('/me/totp/confirm', { code }, TotpConfirmed);
      io.out('second factor on: log in with --totp CODE from now on');
      io.out(`recovery codes (each works once instead of a code; shown once, keep them safe):\n${confirmed.recoveryCodes.join('\n')}`);
    });
  totp
    .command('disable <code>')
    .description('turn the second factor off')
    .action(async (code: string) => {
      await client(io).post('/me/totp/disable', { code }, NoContent);
      io.out('second factor off');
    });

  const token = program.command('token').description('personal API tokens for the CLI and automation');
  token
    .command('create')
    .description('create a personal API token; its secret is shown once')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-in-days <days>', 'expiry in days (default: never)', (v) => parsePositiveInt('--expires-in-days', v))
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; expiresInDays?: number; json?: boolean }) => {
      const created = await client(io).post('/tokens', { name: opts.name, ...(opts.expiresInDays ? { expiresInDays: opts.expiresInDays } : {}) }, TokenCreated);
      if (opts.json) printJson(io, created);
      else io.out(`${created.token}\n(token ${created.id} "${created.name}"; shown once, keep it safe)`);
    });
  token
    .command('list')
    .description('list your tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const tokens = await client(io).get('/tokens', z.array(TokenInfo));
      if (opts.json) return printJson(io, tokens);
      const state = (t: Token) => (t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= new Date().toISOString() ? 'expired' : 'active');
      io.out(
        formatTable(
          ['ID', 'NAME', 'KIND', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'],
          tokens.map((t) => [t.id, t.name, t.kind, state(t), t.createdAt, t.expiresAt ?? 'never', t.lastUsedAt ?? '-']),
        ),
      );
    });
  token
    .command('revoke <id>')
    .description('revoke one of your tokens')
    .action(async (id: string) => {
      await client(io).delete(`/tokens/${encodeURIComponent(id)}`, NoContent);
      io.out(`token ${id} revoked`);
    });
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag}: "${value}" is not a positive whole number`, 'usage');
  return n;
}
