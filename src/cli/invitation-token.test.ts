import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInvitation } from './invitation-token.ts';

const TOKEN = 'pgi_AbCdEfGhIjKlMnOpQrStUvWxYz_0123-456';

describe('invitation accept takes the whole link or the token alone (issue 8: show-once invitation link)', () => {
  const ok: Array<[string, string, string | undefined]> = [
    ['the token alone', TOKEN, undefined],
    ['the token with a newline from a file', `${TOKEN}\n`, undefined],
    ['the link', `https://cp.example.com/invite#${TOKEN}`, 'https://cp.example.com'],
    ['the link with a port and a path prefix', `http://127.0.0.1:8080/app/invite#${TOKEN}`, 'http://127.0.0.1:8080'],
    ['a query-style fragment', `https://cp.example.com/invite#token=${TOKEN}`, 'https://cp.example.com'],
    ['the link pasted with spaces around it', `  https://cp.example.com/invite#${TOKEN}  `, 'https://cp.example.com'],
  ];
  for (const [label, text, server] of ok) {
    it(`${label} → the token${server ? ' and the link\u2019s control plane' : ''}`, () => assert.deepEqual(parseInvitation(text), { ok: true, token: TOKEN, server }));
  }
  const refused: Array<[string, string, RegExp]> = [
    ['nothing', '   ', /is empty/],
    ['a link cut before the "#"', 'https://cp.example.com/invite', /without an invitation token after "#"/],
    ['a token in the query (would reach server logs)', `https://cp.example.com/invite?token=${TOKEN}`, /without an invitation token after "#"/],
    ['an enrolment token', 'pge_AbCdEfGhIjKlMnOpQrStUvWxYz0123', /neither an invitation link/],
    ['a token too short', 'pgi_short', /neither an invitation link/],
    ['a token with a control character', `${TOKEN}\u001b[2J`, /neither an invitation link/],
  ];
  for (const [label, text, message] of refused) {
    it(`${label} is refused, saying what is expected`, () => {
      const parsed = parseInvitation(text);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.message, message);
    });
  }
});
