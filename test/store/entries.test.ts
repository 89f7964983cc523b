// The entries table on a temporary database: each response once (as ccusage counts it), and the sums
// every figure is made from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';
import type { EntryRow } from '../../lib/store/entries.ts';

const entry = (key: string, ts: number, more: Partial<EntryRow> = {}): EntryRow => ({
  key,
  ts,
  session_id: 's1',
  project: 'p',
  model: 'claude-sonnet-4-5',
  input: 10,
  output: 5,
  cache_write_5m: 0,
  cache_write_1h: 0,
  cache_read: 0,
  cost_usd: 0.01,
  cost_estimated: 0,
  file_path: '/t/b.jsonl',
  ...more,
});

test('upsert: a new key is stored; a copy with more tokens replaces it, fewer or equal from a later file do not', (t) => {
  const s = tmpStore(t);
  assert.deepEqual(s.entries.upsert(entry('k', 5000)), { from: 5000, inserted: true });
  assert.equal(s.entries.upsert(entry('k', 5000, { output: 1 })), null, 'fewer tokens');
  assert.equal(s.entries.upsert(entry('k', 5000, { file_path: '/t/c.jsonl' })), null, 'equal, a later file');
  assert.deepEqual(
    s.entries.upsert(entry('k', 4000, { file_path: '/t/a.jsonl' })),
    { from: 4000, inserted: false },
    'equal, a file that sorts first',
  );
  assert.deepEqual(
    s.entries.upsert(entry('k', 6000, { output: 50 })),
    { from: 4000, inserted: false },
    'more tokens (a streamed response finished)',
  );
  const tot = s.entries.totals(0, 10_000);
  assert.equal(tot.entries, 1);
  assert.equal(tot.output, 50);
  assert.deepEqual([tot.first_ts, tot.last_ts], [6000, 6000]);
});

test('totals, models, sessions and daily sum what lies in each range; deleteFile takes out one file', (t) => {
  const s = tmpStore(t);
  s.entries.upsert(
    entry('a', 1000, { input: 100, output: 10, cache_write_5m: 5, cache_write_1h: 7, cache_read: 3, cost_usd: 1 }),
  );
  s.entries.upsert(
    entry('b', 2000, {
      session_id: 's2',
      model: 'claude-opus-4-5',
      cost_usd: 2,
      cost_estimated: 1,
      file_path: '/t/c.jsonl',
    }),
  );
  s.entries.upsert(entry('c', 3000, { model: '<synthetic>', input: 0, output: 0, cost_usd: 0 }));
  const all = s.entries.totals(0, 10_000);
  assert.deepEqual(
    {
      entries: all.entries,
      input: all.input,
      output: all.output,
      cache_creation: all.cache_creation,
      cache_read: all.cache_read,
      cost: all.cost_usd,
      est: all.cost_estimated,
    },
    { entries: 3, input: 110, output: 15, cache_creation: 12, cache_read: 3, cost: 3, est: 1 },
  );
  assert.equal(s.entries.totals(1500, 2500).entries, 1, 'from inclusive, to exclusive');
  assert.equal(s.entries.totals(5000, 6000).first_ts, null);
  assert.deepEqual(
    s.entries.models(0, 10_000),
    ['claude-opus-4-5', 'claude-sonnet-4-5'],
    'synthetic responses left out',
  );
  assert.deepEqual(
    s.entries.sessions(0, 10_000).map((x) => [x.session_id, x.entries]),
    [
      ['s1', 2],
      ['s2', 1],
    ],
  );
  assert.equal(s.entries.session('s2')?.cost_usd, 2);
  assert.equal(s.entries.sessionModel('s1'), 'claude-sonnet-4-5', "the newest real response's model");
  assert.deepEqual(s.entries.timestampsFrom(1500), [2000, 3000]);
  assert.deepEqual([...s.entries.sessionTimesNewestFirst('s1', 0)], [3000, 1000]);
  assert.equal(s.entries.newestTs(), 3000);
  assert.deepEqual(s.entries.timeSpan(0, 2500), { first: 1000, last: 2000 });
  assert.deepEqual(
    s.entries
      .daily([
        { date: 'd1', start: 0, end: 1500 },
        { date: 'd2', start: 1500, end: 10_000 },
      ])
      .map((d) => [d.date, d.entries]),
    [
      ['d1', 1],
      ['d2', 2],
    ],
  );
  s.entries.deleteFile('/t/c.jsonl');
  assert.equal(s.entries.totals(0, 10_000).entries, 2);
});

test('reprice rewrites every stored cost', (t) => {
  const s = tmpStore(t);
  s.entries.upsert(entry('a', 1000));
  s.entries.upsert(entry('b', 2000, { output: 7 }));
  assert.equal(
    s.entries.reprice((r) => ({ cost: r.output, estimated: r.output > 5 })),
    2,
  );
  const tot = s.entries.totals(0, 10_000);
  assert.deepEqual([tot.cost_usd, tot.cost_estimated], [12, 1]);
});
