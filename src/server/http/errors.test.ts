import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { fromZodError } from './errors.ts';

const Body = z.strictObject({ name: z.string(), listen: z.strictObject({ host: z.string() }).optional() });

describe('fromZodError (S4: an error names the field and the problem)', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['a wrong type names the field', { name: 3 }, 'name', /^name: /],
    ['an unknown top-level key is named itself, not "(body)"', { name: 'a', notes: 'x' }, 'notes', /^notes: is not a known field$/],
    ['an unknown nested key is named with its path', { name: 'a', listen: { host: 'h', hots: 'x' } }, 'listen.hots', /^listen\.hots: is not a known field$/],
  ];
  for (const [name, body, field, message] of cases) {
    it(name, () => {
      const parsed = Body.safeParse(body);
      assert.equal(parsed.success, false);
      const error = fromZodError((parsed as { error: z.ZodError }).error);
      assert.equal(error.status, 400);
      assert.equal(error.field, field);
      assert.match(error.message, message);
    });
  }
});
