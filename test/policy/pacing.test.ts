import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pace } from '../../lib/policy/pacing.ts';
import type { UsageView } from '../../lib/policy/types.ts';

const NOW = Date.UTC(2026, 10, 24, 12, 0);
const MIN = 60_000;

function view(o: Partial<UsageView>): UsageView {
  return {
    source: 'local:config', limitTokens: 10_000, usedTokens: 9_000, share: 0.9, projectedShare: 1.5, costUsd: 0,
    blockStart: NOW - 60 * MIN, resetAt: NOW + 60 * MIN, tokensPerCall: 500, burnPerMinute: 200, lastActivityAt: NOW, ...o,
  };
}

test('pacing: the delay keeps usage on the line that reaches the limit at the reset', () => {
  // 1,000 tokens left over 60 minutes: one 500-token call every 30 minutes; calls now come every 2.5.
  const p = pace(view({}), NOW, 20_000);
  assert.equal(p.kind, 'deny');
  assert.equal(p.kind === 'deny' && p.waitMs, (30 - 2.5) * MIN);
});

test('pacing: time already spent idle counts toward the wait, and a long idle lifts it', () => {
  const p = pace(view({ lastActivityAt: NOW - 20 * MIN }), NOW, 20_000);
  assert.equal(p.kind === 'deny' && p.waitMs, 10 * MIN);
  const q = pace(view({ lastActivityAt: NOW - 31 * MIN }), NOW, 20_000);
  assert.deepEqual(q, { kind: 'delay', ms: 0, sustainablePerMinute: 1000 / 60 });
});

test('pacing: a wait never reaches past the reset; a used-up limit waits for the reset', () => {
  const p = pace(view({ resetAt: NOW + 10 * MIN, usedTokens: 9_990 }), NOW, 20_000);
  assert.equal(p.kind === 'deny' && p.waitMs <= 10 * MIN, true);
  const used = pace(view({ usedTokens: 10_500 }), NOW, 20_000);
  assert.deepEqual(used, { kind: 'deny', waitMs: 60 * MIN, why: 'limit_reached' });
});
