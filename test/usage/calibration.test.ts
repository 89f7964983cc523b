import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hookEnv } from '../helpers/hookEnv.ts';
import { eventsWithSource, withDb } from '../helpers/hookAsync.ts';
import { ccguard } from '../helpers/cli.ts';
import { calibrationSample, smooth, MIN_PERCENT, MIN_TOKENS } from '../../lib/usage/calibration.ts';
import { statusInput } from '../helpers/statusInput.ts';

type J = Record<string, any>;

test('a reading gives a sample only with enough tokens and a share worth scaling from', () => {
  assert.equal(calibrationSample(36_000, 72), 50_000);
  assert.equal(calibrationSample(36_000, MIN_PERCENT - 0.1), null, 'under ~5%: the percentage is too coarse');
  assert.equal(calibrationSample(MIN_TOKENS - 1, 50), null, 'too few tokens');
  assert.equal(calibrationSample(36_000, 180), null, 'far past the limit: not a measurement');
  assert.equal(calibrationSample(50_000, 100), 50_000);
});

test('smoothing: a running mean of the first readings, then an average that one odd reading moves at most 2x', () => {
  let c = smooth(null, 49_000, 1);
  assert.deepEqual(c, { limitTokens: 49_000, samples: 1, updatedAt: 1 });
  c = smooth(c, 51_000, 2);
  assert.equal(c.limitTokens, 50_000);
  c = smooth(c, 50_000, 3);
  assert.equal(c.limitTokens, 50_000);
  assert.equal(c.samples, 3);
  // An outlier (usage on claude.ai the server counts and this machine does not): clamped to half, weight 1/4.
  const odd = smooth(c, 5_000, 4);
  assert.equal(odd.limitTokens, 50_000 + 0.25 * (25_000 - 50_000));
  // Settled: new readings weigh 20%.
  let s = { limitTokens: 50_000, samples: 10, updatedAt: 0 };
  s = smooth(s, 60_000, 5);
  assert.equal(s.limitTokens, 52_000);
});

test('calibration from a sequence of status line readings: the limit the server implies, used once its figure is stale', async (t) => {
  // max5 would say 88,000; the server's readings say about 50,000.
  const e = hookEnv(t, 'plan: max5\n');
  const reset = Math.floor(Date.now() / 1000) + 3 * 3600;
  // Responses (input + output, cumulative) and what the status line reported after each.
  const steps: [number, number][] = [
    [1_000, 2.0], //   too few tokens and under 5%: ignored
    [5_000, 10.2], //  49,020
    [12_500, 24.8], // 50,403
    [25_000, 50.5], // 49,505
    [36_000, 71.9], // 50,070
  ];
  let done = 0;
  for (const [total, pct] of steps) {
    const add = total - done;
    done = total;
    e.usage('s1', [{ ts: Date.now() - 5, input: Math.round(add * 0.75), output: add - Math.round(add * 0.75) }]);
    await sleep(5);
    const r = ccguard(
      ['statusline'],
      e.env,
      statusInput('s1', pct, reset, { pct: 12.5, resetsAtSec: reset + 4 * 86400 }),
    );
    assert.equal(r.code, 0, r.stderr);
    // A reset after midnight is printed with its day (fmtAt).
    assert.match(r.stdout, new RegExp(`^5h ${Math.round(pct)}% \\(resets (\\w{3} )?\\d\\d:\\d\\d\\) · 7d 13% · `));
  }
  let st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  // A running mean of the four usable samples: 49,020 → 49,712 → 49,643 → 49,750.
  assert.equal(st.limits.calibrated.samples, 4);
  assert.equal(st.limits.calibrated.limit_tokens, 49_750);
  assert.equal(st.limits.source, 'server:five_hour', 'while the server figure is fresh, it decides');
  // At the last reading: 36,000 tokens against the limit calibrated so far (49,643) = 72.5%; the server said 71.9.
  assert.equal(st.limits.last_error.local_limit_source, 'calibrated');
  assert.equal(st.limits.last_error.server_percentage, 71.9);
  assert.equal(st.limits.last_error.local_percentage, 72.5);
  assert.equal(st.limits.last_error.difference_points, 0.6);
  let text = ccguard(['status'], e.env).stdout;
  assert.match(text, /calibrated limit 49,750 tokens from 4 server readings/);
  assert.match(text, /local vs server {2}72\.5% estimated \(calibrated\) vs 71\.9% reported at .*: \+0\.6 points/);

  // The server figure goes stale: the local estimate measures against the calibrated limit, not max5's.
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: max5\nlimits:\n  server_fresh_seconds: 1\n');
  await sleep(1100);
  // Within ANCHOR_MS of the last reading, with a ratio learned from its readings, the anchored
  // estimate stands; past it (readings moved 31 min back), the local estimate takes over.
  st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.confidence, 'anchored');
  assert.match(st.limits.source, /^server:five_hour/);
  withDb(
    join(e.stateDir, 'state.db'),
    (d) => d.prepare('UPDATE rate_limits SET first_seen = first_seen - 1860000, last_seen = last_seen - 1860000').run(),
    true,
  );
  st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.source, 'local:calibrated');
  assert.equal(st.limits.confidence, 'local_estimate');
  assert.equal(st.block.limit.tokens, 49_750);
  assert.equal(st.block.limit.used_share, 36_000 / 49_750);
  text = ccguard(['status'], e.env).stdout;
  assert.match(text, /limit {4}72\.4% of 49,750 tokens \(local:calibrated; input \+ output\)/);
  assert.match(text, /Source {8}local:calibrated \(local_estimate; warns only\): 72\.4% used/);
  // A hook decides on it too (72%: under every threshold, a silent allow recorded with its source).
  e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal(eventsWithSource(join(e.stateDir, 'state.db')).at(-1)?.source, 'local:calibrated');
  // A token number in the config is the user's word: calibration does not replace it.
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 100000\nlimits:\n  server_fresh_seconds: 1\n');
  st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.source, 'local:config');
});
