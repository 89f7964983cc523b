import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BLOCK_MS, floorToHour, scanBlocks } from '../../lib/util/blocks.ts';
import { HOUR_MS } from '../../lib/util/time.ts';
import { p90Limit, percentile, tokenLimitFor } from '../../lib/usage/limits.ts';

const T = Date.UTC(2026, 0, 1, 10, 37);

test('a block starts at the first entry floored to the hour and lasts 5 hours', () => {
  const b = scanBlocks([T, T + HOUR_MS]);
  assert.deepEqual(b, [{ start: Date.UTC(2026, 0, 1, 10), end: Date.UTC(2026, 0, 1, 15), lastTs: T + HOUR_MS }]);
});

test('an entry at the block end starts a new block; so does a 5-hour gap', () => {
  const start = Date.UTC(2026, 0, 1, 10);
  assert.equal(scanBlocks([start, start + BLOCK_MS - 1]).length, 1);
  assert.equal(scanBlocks([start, start + BLOCK_MS]).length, 2);
  const b = scanBlocks([T, T + 3 * HOUR_MS, T + 8 * HOUR_MS]);
  assert.equal(b.length, 2);
  assert.equal(b[1]!.start, floorToHour(T + 8 * HOUR_MS));
});

test('every entry lies in exactly one block, and blocks never overlap (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 30 * 24 * 60 }), { maxLength: 200 }), (mins) => {
      const ts = mins.map((m) => T + m * 60_000).sort((a, b) => a - b);
      const blocks = scanBlocks(ts);
      for (let i = 1; i < blocks.length; i++) assert.ok(blocks[i]!.start >= blocks[i - 1]!.end);
      for (const t of ts) assert.equal(blocks.filter((b) => t >= b.start && t < b.end).length, 1);
    }),
  );
});

test('P90 follows claude-monitor: blocks near a known limit first, never below 19,000', () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9.1);
  assert.equal(p90Limit([]), null);
  assert.equal(p90Limit([1000, 2000, 3000]), 19_000);
  // Blocks at or above 95% of any known limit (18,050 for 19k) count; the 10k block does not.
  assert.equal(p90Limit([10_000, 84_000, 88_000, 30_000]), 84_000 + 0.8 * 4000);
  // None near a limit: all blocks count, and the floor applies.
  assert.equal(p90Limit([2_000, 4_000, 6_000, 8_000, 10_000]), 19_000);
  assert.equal(p90Limit([20_000, 30_000, 40_000, 50_000, 60_000]), 56_000);
  assert.deepEqual(
    tokenLimitFor('max5', () => []),
    { tokens: 88_000, source: 'plan:max5' },
  );
  assert.deepEqual(
    tokenLimitFor(123_456, () => []),
    { tokens: 123_456, source: 'config' },
  );
  assert.deepEqual(
    tokenLimitFor('custom', () => []),
    { tokens: 44_000, source: 'custom-default' },
  );
});
