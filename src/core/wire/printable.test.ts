import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printableName, printableProblem } from './printable.ts';

describe('printable names (issue 7 item 10)', () => {
  const rows: Array<[string, string, ReturnType<typeof printableProblem>]> = [
    ['plain name', 'Park A', null],
    ['accents and CJK', 'Parc éolien 風力', null],
    ['emoji', 'Solar ☀️ 1', null],
    ['escape sequence clears the screen', 'Park\u001b[2J', 'control'],
    ['newline', 'Park\nA', 'control'],
    ['carriage return', 'Park\rA', 'control'],
    ['tab', 'Park\tA', 'control'],
    ['NUL', 'Park\u0000', 'control'],
    ['DEL', 'Park\u007f', 'control'],
    ['C1 CSI', 'Park\u009b2J', 'control'],
    ['right-to-left override', 'Park \u202Egpj.exe', 'control'],
    ['left-to-right embedding', '\u202AA', 'control'],
    ['first strong isolate', 'A\u2068B', 'control'],
    ['pop directional isolate', 'A\u2069', 'control'],
    ['right-to-left mark', 'A\u200F', 'control'],
    ['line separator', 'A\u2028B', 'control'],
    ['lone surrogate', 'A\uD800B', 'control'],
    ['a surrogate pair is a character', 'A\uD83D\uDE00', null],
    ['zero-width space only', '\u200B\u200B', 'invisible'],
    ['zero-width joiner and BOM only', '\u200D\uFEFF', 'invisible'],
    ['no-break spaces only', '\u00A0\u3000', 'invisible'],
    ['zero-width inside a name is kept (emoji sequences use ZWJ)', 'Team\u200DA', null],
  ];
  for (const [name, text, expected] of rows) it(name, () => assert.equal(printableProblem(text), expected));

  it('the zod rule names the problem and trims', () => {
    const schema = printableName(20);
    assert.equal(schema.parse('  Park A '), 'Park A');
    assert.match(schema.safeParse('a\u001b[31m').error?.issues[0]?.message ?? '', /printable/);
    assert.match(schema.safeParse('\u200B').error?.issues[0]?.message ?? '', /visible/);
    assert.match(schema.safeParse('x'.repeat(21)).error?.issues[0]?.message ?? '', /at most 20/);
    assert.match(schema.safeParse('').error?.issues[0]?.message ?? '', /empty/);
  });
});
