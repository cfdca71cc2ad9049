import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

/** `plantgate server --config FILE` (issue 7 #18): the real binary, flags > environment > file > defaults. */

const BIN = join(import.meta.dirname, '../../bin/plantgate.js');

/** Starts the server, waits for its "control plane on URL" line, returns URL and the stdout so far; stops it. */
async function serverUrl(args: string[], env: Record<string, string> = {}): Promise<{ url: string; output: string }> {
  const child = spawn(process.execPath, [BIN, 'server', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /control plane on (https?:\/\/[\d.:]+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve({ url: match[1] as string, output });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
}

describe('plantgate server --config FILE', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-server-config-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('takes listen, data dir and log level from the file; the environment and a flag override it', async () => {
    const file = join(work, 'server.yaml');
    writeFileSync(file, `listen: 127.0.0.2:0\ndataDir: ${join(work, 'data')}\nlog:\n  level: warn\n`);
    const fromFile = await serverUrl(['--config', file]);
    assert.match(fromFile.url, /^http:\/\/127\.0\.0\.2:\d+$/);
    assert.doesNotMatch(fromFile.output, /"level":"info"/, 'log.level warn from the file');
    const fromEnv = await serverUrl(['--config', file], { PLANTGATE_LISTEN: '127.0.0.3:0' });
    assert.match(fromEnv.url, /^http:\/\/127\.0\.0\.3:\d+$/);
    const fromFlag = await serverUrl(['--config', file, '--listen', '127.0.0.4:0', '--log-level', 'info'], { PLANTGATE_LISTEN: '127.0.0.3:0' });
    assert.match(fromFlag.url, /^http:\/\/127\.0\.0\.4:\d+$/);
    assert.match(fromFlag.output, /"level":"info".*"msg":"plantgate control plane listening"/);
  });

  it('an unknown key in the file stops the start (exit 2) with the key named', async () => {
    const file = join(work, 'bad.yaml');
    writeFileSync(file, 'listen: 127.0.0.1:0\ntls:\n  certificate: /etc/cert.pem\n');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'server', '--config', file], { timeout: 30_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    assert.equal(code, 2);
    assert.match(stderr, /bad\.yaml: tls\.certificate: unknown key/);
  });
});
