import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import type { Io } from './context.ts';
import { enrolToken, enrolInstructions } from './enrol-token.ts';

const TOKEN = 'pge_abc_DEF-123';

describe('enrolToken: daemons take the enrolment token from a file or the environment (issue 7 item 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plantgate-enrol-token-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const errors: string[] = [];
    const io: Io = { out: () => undefined, err: (t) => errors.push(t), env };
    const command = new Command('gateway').option('--token-file <file>').option('--token <token>').exitOverride();
    command.parse(args, { from: 'user' });
    try {
      return { token: enrolToken(command, command.opts(), io), errors, exitCode: 0 };
    } catch (e) {
      return { token: undefined, errors: [...errors, (e as Error).message], exitCode: (e as { exitCode: number }).exitCode };
    }
  };

  it('--token-file FILE (0600, trailing newline) → the token, no warning', () => {
    assert.deepEqual(run(['--token-file', file('ok', `${TOKEN}\n`, 0o600)]), { token: TOKEN, errors: [], exitCode: 0 });
  });
  it('PLANTGATE_ENROL_TOKEN → the token, no warning', () => {
    assert.deepEqual(run([], { PLANTGATE_ENROL_TOKEN: TOKEN }), { token: TOKEN, errors: [], exitCode: 0 });
  });
  it('--token still works but warns that other local users can read it', () => {
    const r = run(['--token', TOKEN]);
    assert.equal(r.token, TOKEN);
    assert.match(r.errors[0] as string, /other local users can read it.*--token-file/);
  });
  it('a token file readable by others works with a warning', () => {
    const r = run(['--token-file', file('wide', TOKEN, 0o644)]);
    assert.equal(r.token, TOKEN);
    assert.match(r.errors[0] as string, /readable by other users; chmod 600/);
  });
  it('refuses --token with --token-file, a missing file and a file that holds no token (exit 2)', () => {
    assert.equal(run(['--token', TOKEN, '--token-file', file('both', TOKEN, 0o600)]).exitCode, 2);
    const missing = run(['--token-file', join(dir, 'absent')]);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.errors[0] as string, /--token-file: cannot read/);
    const garbage = run(['--token-file', file('garbage', 'pge_x\nPostUp = id\n', 0o600)]);
    assert.equal(garbage.exitCode, 2);
    assert.match(garbage.errors[0] as string, /does not hold one enrolment token/);
  });
  it('no token at all → undefined (an enrolled daemon needs none)', () => assert.equal(run([]).token, undefined));
});

describe('enrolInstructions: what admin … enrol prints keeps the token off command lines', () => {
  it('writes the token into a 0600 file and starts the daemon with --token-file', () => {
    const text = enrolInstructions('agent', TOKEN, 'https://cp.example.com');
    assert.match(text, /umask 077 && printf '%s\\n' 'pge_abc_DEF-123' > \/etc\/plantgate\/agent-enrol\.token/);
    assert.match(text, /plantgate agent --server https:\/\/cp\.example\.com --token-file \/etc\/plantgate\/agent-enrol\.token --lan-interface IF/);
    assert.doesNotMatch(text, /--token pge_/);
  });
});
