import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SyslogMessage, asciiJson, formatSyslog5424, octetFrame } from './syslog-5424.ts';

const base: SyslogMessage = {
  facility: 16,
  severity: 6,
  timestamp: new Date('2026-11-30T10:00:05.123Z'),
  hostname: 'cp-1',
  appName: 'plantgate',
  procId: null,
  msgId: 'flow',
  structuredData: [],
  message: '{"a":1}',
};

describe('RFC 5424 formatting (issue 10 item 5: SIEM streaming)', () => {
  const cases: Array<{ name: string; input: Partial<SyslogMessage>; expected: string }> = [
    { name: 'PRI = facility × 8 + severity, version 1, nil PROCID and SD', input: {}, expected: '<134>1 2026-11-30T10:00:05.123Z cp-1 plantgate - flow - {"a":1}' },
    { name: 'kern.emerg is <0>', input: { facility: 0, severity: 0 }, expected: '<0>1 2026-11-30T10:00:05.123Z cp-1 plantgate - flow - {"a":1}' },
    { name: 'local7.debug is <191>', input: { facility: 23, severity: 7 }, expected: '<191>1 2026-11-30T10:00:05.123Z cp-1 plantgate - flow - {"a":1}' },
    { name: 'nil hostname, app and msgid are "-"', input: { hostname: null, appName: '', msgId: null }, expected: '<134>1 2026-11-30T10:00:05.123Z - - - - - {"a":1}' },
    {
      name: 'structured data with escaped " \\ ] in values',
      input: { structuredData: [{ id: 'plantgate@32473', params: [['id', 'flow:p1:7'], ['odd', 'a"b\\c]d']] }] },
      expected: '<134>1 2026-11-30T10:00:05.123Z cp-1 plantgate - flow [plantgate@32473 id="flow:p1:7" odd="a\\"b\\\\c\\]d"] {"a":1}',
    },
    { name: 'an empty message ends after the SD', input: { message: '' }, expected: '<134>1 2026-11-30T10:00:05.123Z cp-1 plantgate - flow -' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(formatSyslog5424({ ...base, ...c.input }), c.expected));
  }

  const refused: Array<{ name: string; input: Partial<SyslogMessage>; error: RegExp }> = [
    { name: 'facility out of range', input: { facility: 24 }, error: /facility: must be 0–23/ },
    { name: 'severity out of range', input: { severity: 8 }, error: /severity: must be 0–7/ },
    { name: 'a space in the hostname', input: { hostname: 'cp 1' }, error: /hostname: must be printable ASCII/ },
    { name: 'a msgid longer than 32', input: { msgId: 'x'.repeat(33) }, error: /msgId: must be at most 32/ },
    { name: 'an SD-ID with =', input: { structuredData: [{ id: 'a=b', params: [] }] }, error: /structuredData id "a=b"/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}, naming the field`, () => assert.throws(() => formatSyslog5424({ ...base, ...c.input }), c.error));
  }

  it('RFC 6587 octet counting prefixes the length in bytes, not characters', () => {
    assert.equal(octetFrame('abc').toString('utf8'), '3 abc');
    assert.equal(octetFrame('é').toString('utf8'), '2 é');
    assert.equal(octetFrame('').toString('utf8'), '0 ');
  });

  it('asciiJson escapes non-ASCII and parses back to the same value', () => {
    const value = { plant: 'Windpark Süd', note: 'a\u2028b', emoji: '\u{1F600}' };
    const text = asciiJson(value);
    assert.match(text, /^[\x20-\x7e]+$/);
    assert.deepEqual(JSON.parse(text), value);
  });
});
