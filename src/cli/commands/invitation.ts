import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { orgApi } from '../../core/wire/org.ts';
import { type ApiClient, callEndpoint, serverCode } from '../api-client.ts';
import { readCredentials } from '../config.ts';
import { CliError, type Io, printJson, serverClient } from '../context.ts';
import { parseInvitation } from '../invitation-token.ts';
import { promptLine, promptSecret } from '../prompt.ts';
import { readStdin } from '../stdin.ts';

/**
 * `plantgate invitation accept`: join an organization with the link an Admin or
 * Moderator sent (issue 8). The link is a secret (whoever holds it joins), so, like an
 * enrolment token, it is read from a file, the environment or a no-echo prompt, never
 * from the command line. A new account gets a name and a password (asked twice); an
 * existing one proves itself with its password (and second factor).
 */
export function registerInvitationCommands(program: Command, io: Io): void {
  program
    .command('invitation')
    .description('invitations to join an organization')
    .command('accept')
    .description('accept an invitation: asks for the link (no echo), then a name and a new password, or your account\u2019s password')
    .option('--token-file <file>', 'file holding the invitation link or token (else env PLANTGATE_INVITATION, else asked without echo)')
    .option('--server <url>', 'control plane URL (default: the link\u2019s own, else your login or PLANTGATE_SERVER)')
    .option('--name <name>', 'for a new account: the name to show (default: asked; empty means the email)')
    .option('--password-stdin', 'read the password from standard input (one line) instead of asking')
    .option('--totp <code>', 'for an existing account with a second factor: the current code (or a recovery code)')
    .option('--json', 'print JSON')
    .action(async (opts: AcceptOptions) => {
      const raw = await invitationText(opts, io);
      const parsed = parseInvitation(raw.text);
      if (!parsed.ok) throw new CliError(`${raw.source}: ${parsed.message}`, 'usage');
      const server = opts.server ?? parsed.server ?? readCredentials(io.env).server;
      if (!server) throw new CliError('--server URL is required: the token alone does not say which control plane issued it (or paste the whole link)', 'usage');
      const api = serverClient(io, server, undefined);
      const invitation = await callEndpoint(api, orgApi.lookupInvitation, { body: { token: parsed.token }, labels: { token: raw.source } });
      const say = (text: string) => (opts.json ? io.err(text) : io.out(text));
      say(`invitation to join ${invitation.organization} as ${invitation.role}, for ${invitation.email} (at ${new URL(server).origin}; valid until ${invitation.expiresAt})`);
      const accepted = invitation.accountExists
        ? await acceptExisting(api, parsed.token, invitation.email, opts, say)
        : await acceptNew(api, parsed.token, invitation.email, opts, say);
      if (opts.json) return printJson(io, accepted);
      io.out(`${accepted.user.email} joined ${accepted.organization.name} as ${accepted.role}${accepted.accountCreated ? ' (account created)' : ''}`);
      io.out(`log in with: plantgate login --server ${new URL(server).origin} --email ${accepted.user.email}`);
    });
}

type AcceptOptions = { tokenFile?: string; server?: string; name?: string; passwordStdin?: boolean; totp?: string; json?: boolean };

/** The link (or token), and where it came from for messages. */
async function invitationText(opts: AcceptOptions, io: Io): Promise<{ text: string; source: string }> {
  if (opts.tokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.tokenFile, 'utf8');
    } catch (e) {
      throw new CliError(`--token-file: cannot read ${opts.tokenFile}: ${(e as Error).message}`, 'usage');
    }
    if ((statSync(opts.tokenFile).mode & 0o077) !== 0) io.err(`warning: --token-file: ${opts.tokenFile} is readable by other users; chmod 600 it (or delete it once accepted)`);
    return { text, source: '--token-file' };
  }
  const fromEnv = io.env.PLANTGATE_INVITATION;
  if (fromEnv) return { text: fromEnv, source: 'PLANTGATE_INVITATION' };
  const text = await promptSecret('invitation link (or token), not shown: ', 'no terminal to ask for the invitation link: pass --token-file FILE or set PLANTGATE_INVITATION');
  return { text, source: 'the invitation link' };
}

async function acceptNew(api: ApiClient, token: string, email: string, opts: AcceptOptions, say: (t: string) => void) {
  say(`there is no account for ${email} yet: it is created now`);
  let name = opts.name;
  let password: string;
  if (opts.passwordStdin) password = await passwordFromStdin();
  else {
    if (name === undefined) name = (await promptLine(`your name (Enter: ${email}): `, NO_TERMINAL)).trim();
    password = await promptSecret('choose a password (at least 8 characters): ', NO_TERMINAL);
    if ((await promptSecret('the same password again: ', NO_TERMINAL)) !== password) throw new CliError('the two passwords differ: nothing was changed', 'usage');
  }
  return callEndpoint(api, orgApi.acceptInvitation, {
    body: { token, password, ...(name ? { name } : {}) },
    labels: { name: '--name' },
  });
}

async function acceptExisting(api: ApiClient, token: string, email: string, opts: AcceptOptions, say: (t: string) => void) {
  say(`${email} has an account: its password confirms that it is yours`);
  const password = opts.passwordStdin ? await passwordFromStdin() : await promptSecret(`password for ${email}: `, NO_TERMINAL);
  const accept = (totp: string | undefined) => callEndpoint(api, orgApi.acceptInvitation, { body: { token, password, ...(totp ? { totp } : {}) }, labels: { totp: '--totp' } });
  return accept(opts.totp).catch(async (e: unknown) => {
    // A second factor is on and no code was given: ask for it, as `plantgate login` does.
    if (serverCode(e) !== 'totp-required' || opts.totp || opts.passwordStdin || !process.stdin.isTTY) throw e;
    return accept((await promptSecret('code from your authenticator: ')).trim());
  });
}

const NO_TERMINAL = 'no terminal to ask for the password: pass --password-stdin (and --name NAME for a new account)';

async function passwordFromStdin(): Promise<string> {
  const password = (await readStdin()).replace(/\r?\n$/, '');
  if (!password) throw new CliError('--password-stdin: standard input is empty', 'usage');
  return password;
}
