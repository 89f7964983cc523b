// The rate_limits table on a temporary database: a reading seen again moves last_seen; a new one is a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';

const A = 'dir:/accounts/a';

test('record: the same reading seen again is one row; a new figure, reset or source is another; queries by window', (t) => {
  const s = tmpStore(t);
  const reset = 10_000_000;
  const r = (pct: number, seen: number, more: { resets_at?: number; source?: 'statusline' | 'usage_api' } = {}) =>
    s.rateLimits.record({
      window: 'five_hour',
      used_pct: pct,
      resets_at: more.resets_at ?? reset,
      session_id: 's1',
      seen,
      source: more.source,
      account: A,
    });
  assert.equal(r(40, 1000), true);
  assert.equal(r(40, 2000), false, 'seen again');
  assert.equal(r(40, 1500), false, 'an older sighting does not move last_seen back');
  assert.deepEqual(
    [s.rateLimits.latest(A, 'five_hour')?.first_seen, s.rateLimits.latest(A, 'five_hour')?.last_seen],
    [1000, 2000],
  );
  assert.equal(r(40, 2500, { source: 'usage_api' }), true, 'the same figure from the endpoint is its own row');
  assert.equal(r(45, 3000), true);
  assert.equal(r(45, 4000, { resets_at: reset + 1 }), true, 'a new reset time');
  assert.equal(s.rateLimits.latest(A, 'seven_day'), undefined);
  assert.equal(s.rateLimits.latest(A, 'five_hour')?.resets_at, reset + 1);
  assert.deepEqual(
    s.rateLimits.ofWindow(A, 'five_hour', reset, 0).map((x) => x.used_pct),
    [40, 40, 45],
  );
  assert.deepEqual(
    s.rateLimits.ofWindow(A, 'five_hour', reset, 2800).map((x) => x.used_pct),
    [45],
    'seen at or after',
  );
  assert.equal(
    s.rateLimits.record({
      window: 'five_hour',
      used_pct: 99,
      resets_at: reset,
      session_id: 's2',
      seen: 5000,
      account: 'dir:/accounts/b',
    }),
    true,
  );
  assert.equal(s.rateLimits.latest(A, 'five_hour')?.used_pct, 45, "another account's reading is its own");
  assert.deepEqual(s.rateLimits.accounts(0).sort(), [A, 'dir:/accounts/b']);
  const all = s.rateLimits.since('five_hour', 0, 10).filter((x) => x.account === A);
  assert.equal(all.length, 4);
  assert.deepEqual(
    s.rateLimits.since('five_hour', all[1]!.id, 1).map((x) => x.id),
    [all[2]!.id],
    'after a row, at most N',
  );
  assert.equal(s.rateLimits.prune(2600), 2, 'rows last seen before');
  assert.equal(s.rateLimits.since('five_hour', 0, 10).length, 3);
});
