// The usage endpoint's refresh state (JSON under meta's usage_api_* keys) on a temporary database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';

test('usage_api: an attempt and its success read back; a damaged value reads as none', (t) => {
  const s = tmpStore(t);
  const api = s.usageApiOf('dir:/accounts/a');
  assert.equal(api.attempt(), undefined);
  assert.equal(api.lastOk(), undefined);
  const a = { ts: 1000, outcome: 'ok' as const, detail: null, status: 200, retryUntil: null };
  api.recordAttempt(a, { ts: 1000, windows: 2, scoped: { seven_day_opus: { usedPct: 12, resetsAt: 9000 } } });
  assert.deepEqual(api.attempt(), a);
  assert.deepEqual(api.lastOk(), { ts: 1000, windows: 2, scoped: { seven_day_opus: { usedPct: 12, resetsAt: 9000 } } });
  api.recordAttempt({ ts: 2000, outcome: 'rate_limited', detail: '429', status: 429, retryUntil: 5000 });
  assert.equal(api.attempt()?.retryUntil, 5000);
  assert.equal(api.lastOk()?.ts, 1000, 'a failure keeps the last success');
  assert.equal(s.usageApiOf('dir:/accounts/b').lastOk(), undefined, "another account's answer is its own");
  s.meta.putJson('usage_api_accounts', { 'dir:/accounts/a': { attempt: { ts: 3000, outcome: 'something new' } } });
  assert.equal(api.attempt(), undefined, 'an outcome this version does not know');
  s.meta.putJson('usage_api_accounts', {
    'dir:/accounts/a': { ok: { ts: 4000, windows: 'two', scoped: { seven_day_sonnet: { usedPct: 'x' } } } },
  });
  assert.deepEqual(api.lastOk(), { ts: 4000, windows: 0, scoped: {} }, 'fields of the wrong type left out');
});

test('usage_api: one refresh claim at a time, released only by its owner, taken over once expired', (t) => {
  const s = tmpStore(t);
  const api = s.usageApiOf('dir:/accounts/a');
  assert.equal(
    api.claimRefresh(1000, 2000, 'a', () => true),
    true,
  );
  assert.equal(
    api.claimRefresh(1500, 2500, 'b', () => true),
    false,
  );
  api.releaseRefresh('b');
  assert.equal(api.lock()?.owner, 'a');
  assert.equal(
    api.claimRefresh(2001, 3000, 'b', () => false),
    false,
    'expired, but nothing due',
  );
  assert.equal(
    api.claimRefresh(2001, 3000, 'b', () => true),
    true,
  );
  api.releaseRefresh('b');
  assert.equal(api.lock(), undefined);
});
