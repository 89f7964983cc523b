import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseModelId, costOf, priceFor } from '../../lib/transcripts/prices.ts';

test('known models are priced from the table', () => {
  // Claude Code 2.1.330's default model, measured against its own total_cost_usd.
  assert.deepEqual(priceFor('claude-opus-5-5').price, {
    input: 4,
    output: 20,
    cache_write_5m: 5,
    cache_write_1h: 8,
    cache_read: 0.2,
  });
  assert.equal(priceFor('claude-opus-5-5').estimated, false);
  assert.deepEqual(priceFor('claude-opus-4-5-20251101'), {
    price: { input: 5, output: 25, cache_write_5m: 6.25, cache_read: 0.5 },
    estimated: false,
  });
  assert.equal(priceFor('claude-opus-4-1-20250805').price.input, 15);
  assert.equal(priceFor('claude-opus-4-20250514').price.input, 15);
  assert.equal(priceFor('claude-sonnet-4-5-20250929').price.output, 15);
  assert.equal(priceFor('claude-haiku-4-5-20251001').price.cache_read, 0.1);
  assert.equal(priceFor('claude-opus-4-6').price.input, 5);
});

test('unknown models are priced by family and flagged; <synthetic> is free', () => {
  const p = priceFor('claude-sonnet-5-20270101');
  assert.equal(p.estimated, true);
  // Priced like the newest Sonnet in the table (5.5: $2 / $10).
  assert.equal(p.price.input, 2);
  assert.equal(p.price.output, 10);
  assert.equal(priceFor('claude-opus-9').estimated, true);
  assert.equal(priceFor('mystery-model').estimated, true);
  assert.equal(
    costOf({ input: 1e6, output: 1e6, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, priceFor('<synthetic>').price),
    0,
  );
});

test('config overrides win over the table', () => {
  const own = { input: 1, output: 2, cache_write_5m: 3, cache_read: 4 };
  assert.deepEqual(priceFor('claude-opus-4-5-20251101', { 'claude-opus-4-5': own }), { price: own, estimated: false });
  assert.equal(baseModelId('claude-opus-4-5-20251101'), 'claude-opus-4-5');
});

test('1-hour cache writes cost twice the input price', () => {
  const c = costOf(
    { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 1e6, cacheRead: 0 },
    priceFor('claude-opus-4-5').price,
  );
  assert.equal(c, 10);
});
