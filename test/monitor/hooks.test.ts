import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { installMonitorStub, snapshotJson } from '../helpers/monitorStub.ts';
import { eventsWithSource, monitorRow, waitFor, withDb } from '../helpers/hookAsync.ts';
import { runHookProc } from '../helpers/hookProc.ts';

const MIN = 60_000;
type J = Record<string, any>;

/** A hook environment with the stand-in claude-monitor on PATH and the fast path off (every call decides). */
function monitorEnv(t: TestContext, extra = '') {
  const e = hookEnv(t, `plan: max5\nperformance:\n  fast_path_seconds: 0\n${extra}`);
  const stub = installMonitorStub(join(e.home, 'bin'));
  const db = join(e.stateDir, 'state.db');
  const lastSource = (): string | null => eventsWithSource(db).at(-1)?.source ?? null;
  const tool = (session = 's1') => e.run('PreToolUse', e.input('PreToolUse', session, { tool_name: 'Bash' }));
  return { e, stub, db, lastSource, tool };
}

test('16 hooks at once with a stale cache: exactly one claude-monitor run, and none of them waits for it', async (t) => {
  // The stand-in answers only when released, and the refresh would wait for it far longer than the
  // test runs: a hook that waited for it would never return.
  const { e, stub, db, tool, lastSource } = monitorEnv(
    t,
    'integrations:\n  claude_monitor:\n    timeout_seconds: 3600\n',
  );
  const release = join(e.home, 'release-monitor');
  stub.setMode({ mode: 'held', releaseFile: release, pct: 41.2 });
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 1000, output: 500 }]);
  assert.equal(ccguard(['import'], e.env).code, 0); // the first import is not what this measures
  const runs = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      runHookProc('PreToolUse', e.input('PreToolUse', `p${i}`, { tool_name: 'Bash' }), { env: e.env }),
    ),
  );
  for (const r of runs) assert.equal(r.code, 0);
  assert.equal(monitorRow(db, 'snapshot'), undefined, 'every hook returned before claude-monitor answered');
  writeFileSync(release, '');
  // Each decided with what there was: ccguard's own estimate.
  assert.deepEqual([...new Set(eventsWithSource(db).map((x) => x.source))], ['local:plan:max5']);
  await waitFor('the stand-in to start', () => stub.calls().length >= 1, 10_000);
  await waitFor('the refresh to store its answer', () => monitorRow(db, 'snapshot') !== undefined, 20_000);
  assert.equal(stub.calls().length, 1, 'one run for all 16 hooks');
  // The refresh stores its answer, then releases the lock in a transaction of its own.
  await waitFor('the lock to be released', () => monitorRow(db, 'lock') === undefined, 10_000);
  const r = tool();
  assert.equal(r.code, 0);
  assert.equal(lastSource(), 'claude-monitor:max5');
  await sleep(300);
  assert.equal(stub.calls().length, 1, 'the cached answer is used until cache_ttl_seconds');
});

test("claude-monitor's local estimate informs: near limit (exit 10) and limit hit (exit 11) warn, naming it, and a new snapshot changes the very next decision", async (t) => {
  const { e, stub, db, tool, lastSource } = monitorEnv(
    t,
    'integrations:\n  claude_monitor:\n    cache_ttl_seconds: 1\n',
  );
  e.beforeCleanup(() => sleep(200));
  const now = Date.now();
  e.usage('s1', [
    { ts: now - 101 * MIN, input: 4000, output: 1000 },
    { ts: now - 1 * MIN, input: 4000, output: 1000 },
  ]);
  stub.setMode({ mode: 'near', pct: 92 });
  assert.equal(tool().stdout, '', 'no cache yet: the local estimate (10,000 of 88,000 at 100 a minute) allows');
  await waitFor('the near-limit answer', () => monitorRow(db, 'snapshot')?.status === 'near_limit');
  const near = tool();
  const j = near.json as J;
  assert.equal(j.hookSpecificOutput?.permissionDecision, undefined, 'an estimate never denies');
  assert.match(j.systemMessage, /92% of the 5-hour limit used \(estimate: claude-monitor:max5\)/);
  assert.equal(lastSource(), 'claude-monitor:max5');
  stub.setMode({ mode: 'hit', pct: 102 });
  await sleep(1100);
  tool(); // stale by cache_ttl_seconds: starts a refresh, decides on the cached answer
  await waitFor('the limit-hit answer', () => monitorRow(db, 'snapshot')?.status === 'limit_hit');
  // The stored snapshot voided the cached decisions: the very next call decides on it.
  const hit = tool();
  assert.equal(lastSource(), 'claude-monitor:max5');
  assert.equal((hit.json?.hookSpecificOutput as J | undefined)?.permissionDecision, undefined, 'still only a warning');
  assert.match((hit.json as J).systemMessage, /102% of the 5-hour limit used \(estimate: claude-monitor:max5\)/);
  // Another session hears it once too (the once-per-crossing marks are per session).
  const p = e.run('UserPromptSubmit', e.input('UserPromptSubmit', 's2', { prompt: 'go on' }));
  assert.match(
    (p.json as J).hookSpecificOutput.additionalContext,
    /by ccguard's estimate the 5-hour limit is reached \(102%, estimate: claude-monitor:max5\)/,
  );
});

test('a v3 install (no JSON output) is found once, remembered and reported; a failing v4 is retried per cache TTL', async (t) => {
  const { e, stub, db, tool } = monitorEnv(t, 'integrations:\n  claude_monitor:\n    cache_ttl_seconds: 1\n');
  e.usage('s1', [{ ts: Date.now() - 5 * MIN }]);
  stub.setMode({ mode: 'v3' });
  tool();
  await waitFor('the v3 finding', () => monitorRow(db, 'install')?.status === 'v3');
  await sleep(1200);
  tool();
  tool();
  await sleep(800);
  assert.equal(stub.calls().length, 1, 'not asked again on every hook');
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.match(st.limits.claude_monitor.state, /^v3/);
  assert.match(st.limits.claude_monitor.detail, /unrecognized arguments: --once/);
  assert.equal(st.limits.source, 'local:plan:max5');
  assert.match(
    ccguard(['status'], e.env).stdout,
    /claude-monitor v3 \(no JSON output: not used until upgraded to v4\)/,
  );
  assert.match(e.log(), /has no JSON output \(v3\?\): not used/);
  const g = monitorEnv(t, 'integrations:\n  claude_monitor:\n    cache_ttl_seconds: 1\n');
  g.e.beforeCleanup(() => sleep(200));
  g.e.usage('s1', [{ ts: Date.now() - 5 * MIN }]);
  g.stub.setMode({ mode: 'garbage' });
  g.tool();
  await waitFor('the first run', () => monitorRow(g.db, 'attempt')?.status === 'invalid');
  await sleep(1200);
  g.tool();
  await waitFor('a second run after the TTL', () => g.stub.calls().length === 2);
  assert.equal(g.lastSource(), 'local:plan:max5', 'garbage is never used');
  const gst = JSON.parse(ccguard(['status', '--json'], g.e.env).stdout) as J;
  assert.equal(gst.limits.claude_monitor.state, 'invalid');
  assert.match(gst.limits.claude_monitor.detail, /not JSON/);
});

test('fallback order: fresh server figure, then claude-monitor, then the local estimate; stale data never counts', async (t) => {
  const { e, stub, db, tool, lastSource } = monitorEnv(t);
  e.beforeCleanup(() => sleep(200));
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 3000, output: 1000 }]);
  stub.setMode({ mode: 'ok', pct: 41.2 });
  tool();
  assert.equal(lastSource(), 'local:plan:max5');
  await waitFor('the snapshot', () => monitorRow(db, 'snapshot') !== undefined);
  tool();
  assert.equal(lastSource(), 'claude-monitor:max5');
  const reset = Math.floor(Date.now() / 1000) + 3 * 3600;
  ccguard(
    ['statusline'],
    e.env,
    JSON.stringify({ session_id: 's1', rate_limits: { five_hour: { used_percentage: 55, resets_at: reset } } }),
  );
  tool();
  assert.equal(lastSource(), 'server:five_hour');
  let st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.source, 'server:five_hour');
  assert.equal(st.limits.confidence, 'official');
  assert.equal(st.block.limit.used_share, 0.55);
  // Eleven minutes later (past limits.server_fresh_seconds), the server figure no longer counts.
  withDb(
    db,
    (d) => d.prepare('UPDATE rate_limits SET first_seen = first_seen - 660000, last_seen = last_seen - 660000').run(),
    true,
  );
  tool();
  assert.equal(lastSource(), 'claude-monitor:max5');
  // claude-monitor's answer past max_age_seconds (and the next run has no data): the local estimate.
  stub.setMode({ mode: 'nodata' });
  withDb(
    db,
    (d) =>
      d
        .prepare(
          "UPDATE monitor_cache SET ts = ts - 300000, generated_at = generated_at - 300000 WHERE key IN ('snapshot', 'attempt')",
        )
        .run(),
    true,
  );
  // The server's 55% for these 4,000 tokens calibrated the limit (4,000 / 0.55), which the local
  // estimate now measures against instead of max5's 88,000.
  tool();
  assert.equal(lastSource(), 'local:calibrated');
  await waitFor('the no-data run', () => monitorRow(db, 'attempt')?.status === 'no_data');
  tool();
  assert.equal(lastSource(), 'local:calibrated', 'no data keeps the old snapshot out');
  st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.server.five_hour.fresh, false);
  assert.equal(st.limits.confidence, 'local_estimate');
  assert.equal(st.limits.calibrated.limit_tokens, Math.round(4000 / 0.55));
  assert.match(
    ccguard(['status'], e.env).stdout,
    /server {3}the last server reading is \d+ min old: too old to act on/,
  );
  // No active session (exit 20): an answer without a 5-hour figure, so the local estimate stands.
  stub.setMode({ mode: 'none' });
  withDb(db, (d) => d.prepare("UPDATE monitor_cache SET ts = ts - 300000 WHERE key = 'attempt'").run(), true);
  tool();
  await waitFor('the no-session answer', () => monitorRow(db, 'snapshot')?.status === 'no_active_session');
  tool();
  assert.equal(lastSource(), 'local:calibrated');
});

test('a state file (--write-state) is read by the refresh, validated the same way, without running the command', async (t) => {
  const { e, stub, db, tool, lastSource } = monitorEnv(t);
  // A refresh that a later hook or status started may still be writing into this home.
  e.beforeCleanup(async () => {
    await waitFor('refreshes to finish', () => monitorRow(db, 'lock') === undefined, 20_000).catch(() => undefined);
    await sleep(300);
  });
  const file = join(e.home, 'monitor-state.json');
  writeFileSync(
    join(e.stateDir, 'config.yaml'),
    `plan: max5\nperformance:\n  fast_path_seconds: 0\nintegrations:\n  claude_monitor:\n    state_file: ${file}\n`,
  );
  writeFileSync(file, JSON.stringify(snapshotJson({ pct: 63, plan: 'max5' })));
  e.usage('s1', [{ ts: Date.now() - 5 * MIN }]);
  tool();
  await waitFor('the state file snapshot', () => monitorRow(db, 'snapshot') !== undefined);
  assert.match(monitorRow(db, 'snapshot')?.detail ?? '', /^state file /);
  tool();
  assert.equal(lastSource(), 'claude-monitor:max5');
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.used_share, 0.63);
  assert.equal(stub.calls().length, 0, 'a fresh state file needs no run');
});
