import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECOVERY_CODE_COUNT, generateRecoveryCodes, looksLikeRecoveryCode } from './recovery-codes.ts';

describe('TOTP recovery codes', () => {
  it('ten distinct codes of 16 base32 characters (80 bits) in four groups', () => {
    const codes = generateRecoveryCodes();
    assert.equal(codes.length, RECOVERY_CODE_COUNT);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of codes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
  });
  const rows: Array<[string, string, boolean]> = [
    ['as shown', 'ab12-cd34-ef56-gh78', true],
    ['upper case', 'AB12-CD34-EF56-GH78', true],
    ['without dashes', 'ab12cd34ef56gh78', true],
    ['with spaces', 'ab12 cd34 ef56 gh78', true],
    ['a TOTP code is not one', '123456', false],
    ['too short', 'ab12-cd34-ef56', false],
    ['other characters', 'ab12-cd34-ef56-gh7!', false],
  ];
  for (const [name, input, expected] of rows) it(`looksLikeRecoveryCode: ${name}`, () => assert.equal(looksLikeRecoveryCode(input), expected));
});
