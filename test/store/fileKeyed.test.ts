// The tables of rows read from transcripts (api_errors, limit_messages): one row per key, owned by
// the file it came from, an equal copy in a file that sorts first taking it over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';
import type { ApiErrorRow } from '../../lib/store/apiErrors.ts';
import type { LimitMessageRow } from '../../lib/store/limitMessages.ts';

const HOUR = 3_600_000;
const A = 'dir:/accounts/a';
const apiError = (key: string, ts: number, file: string, more: Partial<ApiErrorRow> = {}): ApiErrorRow => ({
  key,
  ts,
  session_id: 's1',
  project: 'p',
  kind: 'rate_limit',
  status: 429,
  message: 'slow down',
  file_path: file,
  account: A,
  ...more,
});
const limit = (
  key: string,
  ts: number,
  resetAt: number | null,
  more: Partial<LimitMessageRow> = {},
): LimitMessageRow => ({
  key,
  ts,
  session_id: 's1',
  project: 'p',
  scope: 'five_hour',
  reset_at: resetAt,
  text: 'limit reached',
  file_path: '/t/a.jsonl',
  account: A,
  ...more,
});

test('api_errors: a key is stored once; an equal copy in a file that sorts first takes it over, one that sorts later does not', (t) => {
  const s = tmpStore(t);
  assert.equal(s.apiErrors.maxRowid(), 0);
  assert.equal(s.apiErrors.insert(apiError('k1', 1000, '/t/b.jsonl')), true);
  assert.equal(s.apiErrors.insert(apiError('k1', 1000, '/t/c.jsonl', { message: 'later file' })), false);
  assert.equal(s.apiErrors.since(0)[0]!.file_path, '/t/b.jsonl');
  assert.equal(s.apiErrors.insert(apiError('k1', 1000, '/t/a.jsonl', { message: 'first file' })), false);
  assert.deepEqual(
    s.apiErrors.since(0).map((r) => [r.key, r.file_path, r.message]),
    [['k1', '/t/a.jsonl', 'first file']],
  );
});

test("api_errors: since, storedAfter and maxRowid follow the order rows were stored; deleteFile takes out one file's rows", (t) => {
  const s = tmpStore(t);
  s.apiErrors.insert(apiError('late', 5000, '/t/a.jsonl'));
  s.apiErrors.insert(apiError('early', 1000, '/t/b.jsonl'));
  s.apiErrors.insert(apiError('mid', 3000, '/t/a.jsonl'));
  assert.deepEqual(
    s.apiErrors.since(2000).map((r) => r.key),
    ['mid', 'late'],
    'by time',
  );
  const first = s.apiErrors.storedAfter(0, 0);
  assert.deepEqual(
    first.map((r) => r.key),
    ['late', 'early', 'mid'],
    'by storing order',
  );
  assert.equal(s.apiErrors.maxRowid(), first.at(-1)!.rid);
  assert.deepEqual(
    s.apiErrors.storedAfter(first[0]!.rid, 2000).map((r) => r.key),
    ['mid'],
    'after a row, from a time',
  );
  s.apiErrors.deleteFile('/t/a.jsonl');
  assert.deepEqual(
    s.apiErrors.since(0).map((r) => r.key),
    ['early'],
  );
});

test("limit_messages: inForce is what still holds, newest first; latestWithReset the block's own 5-hour reset", (t) => {
  const s = tmpStore(t);
  const now = 100 * HOUR;
  s.limitMessages.insert(limit('old', now - 6 * HOUR, now - HOUR));
  s.limitMessages.insert(limit('five', now - 2 * HOUR, now + HOUR));
  s.limitMessages.insert(limit('week', now - HOUR, now + 48 * HOUR, { scope: 'weekly' }));
  s.limitMessages.insert(limit('noreset', now - HOUR / 2, null));
  assert.deepEqual(
    s.limitMessages.inForce(A, now, 0).map((r) => r.key),
    ['week', 'five'],
  );
  assert.deepEqual(
    s.limitMessages.inForce(A, now, now - HOUR).map((r) => r.key),
    ['week'],
    'written since',
  );
  // A block [now - 3h, now + 2h): the 5-hour message inside it, resetting before the block ends (+1 h).
  assert.equal(s.limitMessages.latestWithReset(now - 3 * HOUR, now + 2 * HOUR)?.key, 'five');
  assert.equal(
    s.limitMessages.latestWithReset(now - 3 * HOUR, now - 2.5 * HOUR),
    undefined,
    'none written in the range',
  );
  assert.equal(
    s.limitMessages.latestWithReset(now - 7 * HOUR, now - 4 * HOUR),
    undefined,
    'a reset past the block end + 1 h does not name it',
  );
  assert.equal(
    s.limitMessages.latestWithReset(now - 7 * HOUR, now - 1.5 * HOUR)?.key,
    'old',
    'a newer one resetting later is passed over',
  );
  assert.equal(
    s.limitMessages.latestWithReset(now - 7 * HOUR, now - 1.9 * HOUR)?.key,
    'old',
    'a reset up to an hour past the block end counts',
  );
  // Another account's limit line is that account's alone. (The local 5-hour blocks are the machine's
  // estimate, not an account's, so latestWithReset is not asked per account.)
  s.limitMessages.insert(limit('other', now - HOUR / 4, now + HOUR, { account: 'dir:/accounts/b' }));
  assert.deepEqual(
    s.limitMessages.inForce(A, now, 0).map((r) => r.key),
    ['week', 'five'],
    "the account's own only",
  );
  assert.deepEqual(
    s.limitMessages.inForce('dir:/accounts/b', now, 0).map((r) => r.key),
    ['other'],
  );
  assert.deepEqual(s.limitMessages.accountsInForce(now, 0).sort(), [A, 'dir:/accounts/b']);
  assert.deepEqual(s.limitMessages.accountsInForce(now + 2 * HOUR, 0), [A], "b's has reset by then");
});
