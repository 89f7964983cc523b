import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pace, paceLine, PACE_HEADROOM } from '../../lib/policy/pacing.ts';

const H = 3_600_000;
const WINDOW = 5 * H;
const NOW = Date.UTC(2026, 11, 6, 12, 0);

test('the pace line starts at the headroom and reaches 100% at the reset', () => {
  assert.equal(paceLine(0), PACE_HEADROOM);
  assert.equal(paceLine(1), 1);
  assert.ok(paceLine(0.5) > 0.5 && paceLine(0.5) < 1, 'the headroom shrinks as the window ends');
  assert.equal(paceLine(-1), PACE_HEADROOM, 'clamped');
});

test('on pace, ahead of it, used up: the three answers', () => {
  // Half the window gone: the line stands at 65%.
  assert.deepEqual(pace(0.6, NOW + 2.5 * H, WINDOW, NOW), { kind: 'on_pace', line: 0.65 });
  const ahead = pace(0.97, NOW + 3.9 * H, WINDOW, NOW);
  assert.equal(ahead.kind, 'ahead');
  assert.deepEqual(pace(1, NOW + H, WINDOW, NOW), { kind: 'used_up', waitMs: H });
  assert.deepEqual(pace(1.3, NOW + H, WINDOW, NOW), { kind: 'used_up', waitMs: H });
  assert.deepEqual(
    pace(0.99, NOW - 1, WINDOW, NOW),
    { kind: 'on_pace', line: null },
    'a window already reset says nothing',
  );
  assert.deepEqual(pace(0.5, null, WINDOW, NOW), { kind: 'on_pace', line: null }, 'no reset, no line');
});

test('the wait is the time until the line catches up with the used share, and the clock moves it (idle time counts)', () => {
  const reset = NOW + 3.9 * H;
  const first = pace(0.97, reset, WINDOW, NOW);
  assert.equal(first.kind, 'ahead');
  if (first.kind !== 'ahead') return;
  // The line reaches 97% at elapsed (0.97 - H) / (1 - H) of the window.
  const reachesAt = reset - (1 - (0.97 - PACE_HEADROOM) / (1 - PACE_HEADROOM)) * WINDOW;
  assert.equal(first.waitMs, Math.round(reachesAt - NOW));
  // Twenty idle minutes later, with the share unchanged, the wait is twenty minutes shorter.
  const later = pace(0.97, reset, WINDOW, NOW + 20 * 60_000);
  assert.equal(later.kind === 'ahead' && later.waitMs, first.waitMs - 20 * 60_000);
  // Once the clock has carried the line past the share, the window is on pace again.
  const caughtUp = pace(0.97, reset, WINDOW, NOW + first.waitMs + 1000);
  assert.equal(caughtUp.kind, 'on_pace');
});
