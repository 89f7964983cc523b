// The blocks table on a temporary database: kept from the entries, rescanned from the block a change
// falls in, and the sums the P90 limit is made of.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';
import type { EntryRow } from '../../lib/store/entries.ts';

const H = 3_600_000;
const entry = (key: string, ts: number, tokens: number): EntryRow => ({
  key,
  ts,
  session_id: 's1',
  project: 'p',
  model: 'claude-sonnet-4-5',
  input: tokens,
  output: 0,
  cache_write_5m: 0,
  cache_write_1h: 0,
  cache_read: 0,
  cost_usd: 0,
  cost_estimated: 0,
  file_path: '/t/a.jsonl',
});

test('blocks: rebuilt from the entries; refreshFrom rescans from the block a new entry falls in; queries by range', (t) => {
  const s = tmpStore(t);
  s.entries.upsert(entry('a', 10 * H + 600_000, 100));
  s.entries.upsert(entry('b', 11 * H, 50));
  s.entries.upsert(entry('c', 20 * H + 5, 7));
  s.blocks.rebuild();
  const spans = (): [number, number, number][] =>
    s.blocks.between(0, 100 * H).map((b) => [b.start / H, b.end / H, b.lastTs]);
  assert.deepEqual(spans(), [
    [10, 15, 11 * H],
    [20, 25, 20 * H + 5],
  ]);
  assert.deepEqual(s.blocks.latestStartedBy(12 * H), { start: 10 * H, end: 15 * H, lastTs: 11 * H });
  assert.equal(s.blocks.latestStartedBy(9 * H), undefined);
  assert.equal(s.blocks.latest()?.start, 20 * H);
  assert.deepEqual(s.blocks.between(15 * H, 20 * H), [], 'neither overlaps [15 h, 20 h)');

  // A late line inside the first block and one that opens a block between the two.
  s.write(() => {
    s.entries.upsert(entry('d', 14 * H, 3));
    s.entries.upsert(entry('e', 16 * H, 1));
    s.blocks.refreshFrom(14 * H);
  });
  assert.deepEqual(
    spans(),
    [
      [10, 15, 14 * H],
      [16, 21, 20 * H + 5],
    ],
    'the entry at 20 h now falls in the block from 16 h',
  );

  // Finished: ended by the time given, or idle since.
  assert.deepEqual(s.blocks.finishedTokens(15 * H, 0), [153]);
  assert.deepEqual(
    s.blocks.finishedTokens(15 * H, 20 * H + 5).sort((x, y) => x - y),
    [8, 153],
  );
});
