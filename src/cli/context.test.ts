import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError, checkServerUrl, type Io, jsonText } from './context.ts';

function recordingIo(): Io & { errors: string[] } {
  const errors: string[] = [];
  return { out: () => undefined, err: (t) => errors.push(t), env: {}, errors };
}

describe('checkServerUrl: plain http to another host is said out loud (issue 7 item 4)', () => {
  const rows: Array<[string, 'ok' | 'warning' | 'usage']> = [
    ['https://cp.example.com', 'ok'],
    ['http://127.0.0.1:8080', 'ok'],
    ['http://localhost:8080', 'ok'],
    ['http://[::1]:8080', 'ok'],
    ['http://cp.example.com:8080', 'warning'],
    ['http://192.0.2.10', 'warning'],
    ['ftp://cp.example.com', 'usage'],
    ['cp.example.com:8080', 'usage'],
    ['not a url', 'usage'],
  ];
  for (const [url, expected] of rows) {
    it(`${url} → ${expected}`, () => {
      const io = recordingIo();
      try {
        checkServerUrl(io, url);
      } catch (e) {
        assert.ok(e instanceof CliError && e.exitCode === 2, String(e));
        return assert.equal(expected, 'usage');
      }
      assert.equal(io.errors.length > 0 ? 'warning' : 'ok', expected);
      if (expected === 'warning') assert.match(io.errors[0] as string, /plain http to another host.*use https:\/\//);
    });
  }
});

describe('jsonText: JSON output stays JSON, with raw C1 and bidi characters escaped (issue 7 item 10)', () => {
  it('escapes what JSON.stringify leaves raw, and parses back to the same value', () => {
    const value = { lastError: '\u001b[2J x\u009b31m \u202e \u2028' };
    const text = jsonText(value);
    assert.ok(![...'\u001b\u009b\u202e\u2028'].some((c) => text.includes(c)));
    assert.deepEqual(JSON.parse(text), value);
  });
});

describe('client(): a broken credentials file is an auth error that says what to do', () => {
  it('exit code 3 and "run plantgate login again"', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { client } = await import('./context.ts');
    const dir = mkdtempSync(join(tmpdir(), 'plantgate-credentials-'));
    try {
      writeFileSync(join(dir, 'credentials.json'), '{"server": "http://127.0.0.1:1", "tok');
      const io = { ...recordingIo(), env: { PLANTGATE_CONFIG_DIR: dir } };
      assert.throws(() => client(io), (e: unknown) => e instanceof CliError && e.exitCode === 3 && /run plantgate login again/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
