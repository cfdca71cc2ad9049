import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeMatcher } from './route-pattern.ts';

describe('routeMatcher: ids and unknown paths stay out of log lines and metric labels', () => {
  const routeOf = routeMatcher([
    { method: 'get', pattern: '/api/v1/gateways/:id/state' },
    { method: 'post', pattern: '/api/v1/gateways/:id/register' },
    { method: 'get', pattern: '/healthz' },
  ]);
  const rows: Array<[string, string, string]> = [
    ['GET', '/api/v1/gateways/gw_123/state', '/api/v1/gateways/:id/state'],
    ['POST', '/api/v1/gateways/gw_123/register', '/api/v1/gateways/:id/register'],
    ['DELETE', '/api/v1/gateways/gw_123/state', '/api/v1/gateways/:id/state'],
    ['GET', '/healthz/', '/healthz'],
    ['GET', '/api/v1/gateways/a/b/state', 'unmatched'],
    ['GET', '/api/v1/users/alice@example.test', 'unmatched'],
    ['GET', '/healthz.', 'unmatched'],
  ];
  for (const [method, path, expected] of rows) it(`${method} ${path} → ${expected}`, () => assert.equal(routeOf(method, path), expected));
});
