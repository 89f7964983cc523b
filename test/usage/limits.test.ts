import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { CUSTOM_FALLBACK_TOKENS, PLAN_TOKEN_LIMITS, p90Limit, tokenLimitFor } from '../../lib/usage/limits.ts';

const HOUR = 3_600_000;
type J = Record<string, any>;

test("plan limits: claude-monitor's per-block figures (input + output tokens)", () => {
  assert.deepEqual(PLAN_TOKEN_LIMITS, { pro: 19_000, max5: 88_000, max20: 220_000 });
  assert.equal(CUSTOM_FALLBACK_TOKENS, 44_000);
  assert.deepEqual(
    tokenLimitFor('pro', () => []),
    { tokens: 19_000, source: 'plan:pro' },
  );
  assert.deepEqual(
    tokenLimitFor('max20', () => []),
    { tokens: 220_000, source: 'plan:max20' },
  );
  // The custom plan only looks at history; the fixed plans never do.
  let asked = 0;
  tokenLimitFor('max5', () => (asked++, [1]));
  assert.equal(asked, 0);
});

test('P90 worked examples: which blocks count, the interpolated percentile, the floor', () => {
  // Two blocks near 19k (≥ 18,050): P90 of [18,500, 19,200] = 18,500 + 0.9 × 700 = 19,130; the 5,000 block is left out.
  assert.equal(p90Limit([18_500, 19_200, 5_000]), 19_130);
  // Near different limits (88k: ≥ 83,600; 220k: ≥ 209,000): [84k, 90k, 215k], rank 1.8: 90,000 + 0.8 × 125,000.
  assert.equal(p90Limit([84_000, 90_000, 215_000, 10_000]), 190_000);
  // The 880k limit counts too: [20k, 850k], rank 0.9: 20,000 + 0.9 × 830,000.
  assert.equal(p90Limit([850_000, 20_000]), 767_000);
  // Empty blocks are no blocks; a lone block is its own P90.
  assert.equal(p90Limit([0, 0, 30_000]), 30_000);
  assert.equal(p90Limit([0, 0]), null);
  // None near a limit (all under 18,050): all count, and the 19,000 floor holds.
  assert.equal(p90Limit([4_000, 9_000, 18_000]), 19_000);
  // Ten blocks: rank 8.1 between the 9th and 10th.
  assert.equal(p90Limit([20_000, 21_000, 22_000, 23_000, 24_000, 25_000, 26_000, 27_000, 28_000, 38_000]), 29_000);
});

test('P90 from real history: finished blocks only, as ccguard status reports it', async (t) => {
  const e = hookEnv(t);
  const now = Date.now();
  // Three finished blocks (20k, 40k, 60k) and the active one; P90 of [20k, 40k, 60k] = 40,000 + 0.8 × 20,000.
  e.usage('s1', [
    { ts: now - 22 * HOUR, input: 15_000, output: 5_000 },
    { ts: now - 15 * HOUR, input: 30_000, output: 10_000 },
    { ts: now - 8 * HOUR, input: 45_000, output: 15_000 },
    { ts: now - 10 * 60_000, input: 5_000, output: 1_000 },
  ]);
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.block.limit.tokens, 56_000);
  assert.equal(st.block.limit.source, 'local:p90');
  assert.equal(st.block.limit.confidence, 'local_estimate');
  assert.equal(st.block.limit.used_share, 6_000 / 56_000);
  const max20 = hookEnv(t, 'plan: max20\n');
  max20.usage('s1', [{ ts: now - 10 * 60_000, input: 5_000, output: 1_000 }]);
  const m = JSON.parse(ccguard(['status', '--json'], max20.env).stdout) as J;
  assert.deepEqual([m.block.limit.tokens, m.block.limit.source], [220_000, 'local:plan:max20']);
});
