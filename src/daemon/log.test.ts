import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPinoLogger, jsonLineLogger } from './log.ts';

describe('daemon log (pino JSON lines)', () => {
  it('writes one JSON line per call: level label, ISO time, base fields, message', () => {
    const lines: string[] = [];
    const log = jsonLineLogger((line) => lines.push(line), { daemon: 'gateway' }, () => Date.UTC(2026, 0, 2, 3, 4, 5));
    log.warn('control plane unreachable', { attempt: 3 });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0].includes('\n'));
    assert.equal(lines[0], '{"level":"warn","time":"2026-01-02T03:04:05.000Z","daemon":"gateway","msg":"control plane unreachable","attempt":3}');
  });

  it('secrets never reach the line: fields named like secrets are redacted', () => {
    const lines: string[] = [];
    const log = jsonLineLogger((line) => lines.push(line));
    log.info('enrolled', { enrolToken: 'pge_abc', privateKey: 'k', credential: 'pgd_x', peer: 'ok', msg: 'not the message' });
    const line = JSON.parse(lines[0]);
    assert.equal(line.enrolToken, '[redacted]');
    assert.equal(line.privateKey, '[redacted]');
    assert.equal(line.credential, '[redacted]');
    assert.equal(line.peer, 'ok');
    assert.equal(line.msg, 'enrolled', 'a field named msg does not replace the message');
    assert.doesNotMatch(lines[0], /pge_abc|pgd_x/);
  });

  it('the server\'s nested objects are redacted by path (request headers, passwords)', () => {
    const lines: string[] = [];
    const log = createPinoLogger((line) => lines.push(line));
    log.info({ req: { headers: { authorization: 'Bearer pgt_secret' } }, body: { password: 'hunter2' } }, 'x');
    assert.doesNotMatch(lines[0], /pgt_secret|hunter2/);
  });
});
