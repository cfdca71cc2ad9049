import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LinkableFlow, type LinkableSession, sessionOfFlow } from './session-link.ts';

const t = (iso: string) => Date.parse(iso) / 1000;
const sessions: LinkableSession[] = [
  { id: 's-morning', userId: 'u1', gatewayId: 'g1', startedAt: t('2026-11-30T08:00:00Z'), endedAt: t('2026-11-30T09:00:00Z'), lastHandshakeAt: t('2026-11-30T08:57:00Z') },
  { id: 's-open', userId: 'u1', gatewayId: 'g1', startedAt: t('2026-11-30T10:00:00Z'), endedAt: null, lastHandshakeAt: t('2026-11-30T10:30:00Z') },
  { id: 's-other-gw', userId: 'u1', gatewayId: 'g2', startedAt: t('2026-11-30T08:00:00Z'), endedAt: null, lastHandshakeAt: t('2026-11-30T12:00:00Z') },
  { id: 's-other-user', userId: 'u2', gatewayId: 'g1', startedAt: t('2026-11-30T08:00:00Z'), endedAt: null, lastHandshakeAt: t('2026-11-30T12:00:00Z') },
];
const flow = (firstSeen: string, lastSeen: string, extra: Partial<LinkableFlow> = {}): LinkableFlow => ({ userId: 'u1', gatewayId: 'g1', firstSeen, lastSeen, session: null, ...extra });

describe('a flow record\u2019s P7 session (issue 10 items 1, 2)', () => {
  const cases: Array<{ name: string; flow: LinkableFlow; expected: string | null }> = [
    { name: 'inside an ended session', flow: flow('2026-11-30T08:10:00Z', '2026-11-30T08:11:00Z'), expected: 's-morning' },
    { name: 'inside an open session (up to its last handshake + 3 min)', flow: flow('2026-11-30T10:31:00Z', '2026-11-30T10:32:00Z'), expected: 's-open' },
    { name: 'after an open session\u2019s keys expired', flow: flow('2026-11-30T10:40:00Z', '2026-11-30T10:41:00Z'), expected: null },
    { name: 'between two sessions', flow: flow('2026-11-30T09:20:00Z', '2026-11-30T09:30:00Z'), expected: null },
    { name: 'the same user on another gateway is another session', flow: flow('2026-11-30T08:10:00Z', '2026-11-30T08:11:00Z', { gatewayId: 'g2' }), expected: 's-other-gw' },
    { name: 'an unknown user has no session', flow: flow('2026-11-30T08:10:00Z', '2026-11-30T08:11:00Z', { userId: null }), expected: null },
    { name: 'a session the gateway reported stays', flow: flow('2026-11-30T08:10:00Z', '2026-11-30T08:11:00Z', { session: 'gw-said' }), expected: 'gw-said' },
    { name: 'a flow spanning two sessions goes to the one it overlaps most', flow: flow('2026-11-30T08:58:00Z', '2026-11-30T10:20:00Z'), expected: 's-open' },
    { name: 'a few seconds of clock skew before the start still count', flow: flow('2026-11-30T09:59:57Z', '2026-11-30T10:00:30Z'), expected: 's-open' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(sessionOfFlow(c.flow, sessions), c.expected));
});
