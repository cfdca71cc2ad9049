import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeUnsafe, hasControlCharacter } from './unsafe-characters.ts';

describe('escapeUnsafe: control characters reach the terminal as text, not as commands (issue 7 item 10)', () => {
  const rows: Array<[string, string, string, string]> = [
    ['plain text stays', 'Park A – Süd 太陽', '', 'Park A – Süd 太陽'],
    ['lastError that clears the screen', '\u001b[2J\u001b[Hboom', '', '\\u001b[2J\\u001b[Hboom'],
    ['carriage return that rewrites the line', 'ok\rFAKE', '', 'ok\\u000dFAKE'],
    ['newline inside a table cell', 'a\nb', '', 'a\\u000ab'],
    ['a message keeps its own newlines', 'a\nb\u001b', '\n', 'a\nb\\u001b'],
    ['C1 CSI', 'x\u009b31my', '', 'x\\u009b31my'],
    ['right-to-left override', 'evil\u202etxt.exe', '', 'evil\\u202etxt.exe'],
    ['zero-width-only name', '\u200b\u200b', '', '\\u200b\\u200b'],
    ['bidi isolate', 'a\u2066b\u2069', '', 'a\\u2066b\\u2069'],
    ['line separator', 'a\u2028b', '', 'a\\u2028b'],
  ];
  for (const [name, input, keep, expected] of rows) it(name, () => assert.equal(escapeUnsafe(input, keep), expected));
});

describe('hasControlCharacter', () => {
  const rows: Array<[string, boolean]> = [
    ['gw.example.test:51820', false],
    ['a\nb', true],
    ['a\rb', true],
    ['a\u001bb', true],
    ['a\u0085b', true],
    ['a\u2029b', true],
    ['Süd', false],
  ];
  for (const [input, expected] of rows) it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(hasControlCharacter(input), expected));
});
