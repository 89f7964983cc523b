// The reading arithmetic both the sources and the lease's check use (lib/usage/readingMath.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  anchoredShare,
  BURN_MIN_SPAN_MS,
  projectedAtReset,
  readingPace,
  risePerToken,
} from '../../lib/usage/readingMath.ts';

const MIN = 60_000;

test('risePerToken: the rise per local token; nothing learned from no rise; unbounded from a rise with no usage', () => {
  assert.equal(risePerToken(40, 50, 100_000), 0.1 / 100_000);
  assert.equal(risePerToken(50, 50, 100_000), 0);
  assert.equal(risePerToken(50, 45, 100_000), 0);
  assert.equal(risePerToken(40, 50, 0), Number.POSITIVE_INFINITY);
});

test('anchoredShare: the reading plus the local usage since it; no usage adds nothing, whatever the ratio', () => {
  assert.equal(anchoredShare(40, 1e-6, 100_000), 0.4 + 0.1);
  assert.equal(anchoredShare(40, Number.POSITIVE_INFINITY, 0), 0.4);
  assert.equal(anchoredShare(40, Number.POSITIVE_INFINITY, 1), Number.POSITIVE_INFINITY);
  assert.equal(anchoredShare(40, 0, 1e9), 0.4);
});

test('readingPace: none under BURN_MIN_SPAN_MS; never negative; projectedAtReset goes on from now, never backwards', () => {
  assert.equal(readingPace(10, 0, 20, BURN_MIN_SPAN_MS - 1), null);
  const p = readingPace(10, 0, 40, 30 * MIN);
  assert.ok(p);
  assert.equal(p.spanMs, 30 * MIN);
  assert.ok(Math.abs(p.perMinute - 0.01) < 1e-12);
  assert.equal(readingPace(40, 0, 10, 30 * MIN)?.perMinute, 0);
  assert.ok(Math.abs(projectedAtReset(0.5, 0.01, 60 * MIN, 0) - 1.1) < 1e-12);
  assert.equal(projectedAtReset(0.5, 0.01, 0, 60 * MIN), 0.5);
});
