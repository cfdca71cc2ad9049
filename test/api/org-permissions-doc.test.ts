import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ORG_ACTIONS, ORG_PERMISSIONS } from '../../src/core/permissions.ts';

/** docs/organizations.md shows the permission table; it must say what the code enforces. */
test('docs/organizations.md renders the org permission table exactly as src/core/permissions.ts holds it', () => {
  const doc = readFileSync(new URL('../../docs/organizations.md', import.meta.url), 'utf8');
  const rendered = doc.split('<!-- permission-table:start -->')[1]?.split('<!-- permission-table:end -->')[0]?.trim();
  const roles = ['admin', 'moderator', 'member', 'guest'] as const;
  const expected = [
    '| action | Admin | Moderator | Member | Guest |',
    '|---|---|---|---|---|',
    ...ORG_ACTIONS.map((a) => `| \`${a}\` | ${roles.map((r) => (ORG_PERMISSIONS[a].includes(r) ? 'yes' : '—')).join(' | ')} |`),
  ].join('\n');
  assert.equal(rendered, expected);
});
