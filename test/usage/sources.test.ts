import { accountOf } from '../../lib/util/account.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { eventsWithSource, withDb } from '../helpers/hookAsync.ts';
import { openStore } from '../../lib/store/store.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { usageView } from '../../lib/usage/sources.ts';
import { verdictFor } from '../../lib/policy/evaluate.ts';
import type { UsageView } from '../../lib/policy/types.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { snapshotJson } from '../helpers/monitorStub.ts';
import { parseSnapshot } from '../../lib/monitor/snapshot.ts';
import { assistantLine } from '../helpers/lines.ts';
import { importAll } from '../../lib/transcripts/import.ts';
import { mkdirSync } from 'node:fs';
import { statusInput } from '../helpers/statusInput.ts';

const MIN = 60_000;
type J = Record<string, any>;

const inHours = (h: number): number => Math.floor(Date.now() / 1000) + Math.round(h * 3600);

test('the server says 96% while the local estimate says 40%: the hooks act on 96% and say it is the server', async (t) => {
  const e = hookEnv(t, 'plan: 1000000\nrecovery:\n  max_sleep_seconds: 1\n');
  e.beforeCleanup(() => e.notifications(1, 3000)); // the detached notifier writes into the home being removed
  const db = join(e.stateDir, 'state.db');
  const now = Date.now();
  e.usage('s1', [
    { ts: now - 150 * MIN, input: 150_000, output: 50_000 },
    { ts: now - 1 * MIN, input: 150_000, output: 50_000 },
  ]);
  const before = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal(before.stdout, '', '40% by the local estimate: a silent allow');
  assert.equal(eventsWithSource(db).at(-1)?.source, 'local:config');
  assert.equal(ccguard(['statusline'], e.env, statusInput('s1', 96, inHours(2))).code, 0);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.ok(r.ms >= 950, `slowed by max_sleep_seconds (${r.ms} ms)`);
  const ev = eventsWithSource(db).at(-1)!;
  assert.equal(ev.source, 'server:five_hour');
  assert.equal(ev.decision, 'delay');
  assert.match(ev.reason ?? '', /96% of the 5-hour limit used \(server:five_hour\), ahead of the pace line/);
  assert.equal(existsSync(join(e.stateDir, 'fast', 's1.json')), false, 'near a threshold: no cached allow');
  const p = e.run('UserPromptSubmit', e.input('UserPromptSubmit', 's2', { prompt: 'go on' }));
  assert.match(
    (p.json as J).systemMessage,
    /96% of the 5-hour limit used \(server:five_hour\); the model was told to wind down/,
  );
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.source, 'server:five_hour');
  assert.equal(st.limits.confidence, 'official');
  assert.ok(st.limits.age_seconds >= 0 && st.limits.age_seconds < 60);
  assert.equal(st.recovery.source, 'server:five_hour');
  assert.equal(st.recovery.state, 'pacing');
  // ccguard's own figure for that window was 40% against the configured limit; the server said 96.
  assert.equal(st.limits.last_error.server_percentage, 96);
  assert.equal(st.limits.last_error.local_percentage, 40);
  assert.equal(st.limits.last_error.difference_points, -56);
  const text = ccguard(['status'], e.env).stdout;
  assert.match(text, /Source {8}server:five_hour \(official, \d+s old; may hold calls back\): 96\.0% used/);
  assert.match(text, /local vs server {2}40\.0% estimated \(config\) vs 96\.0% reported at .*: -56\.0 points/);
});

test('the reverse: a stale server figure of 10% and a configured limit at 96%: the hooks act on the configured one and say so', async (t) => {
  const e = hookEnv(t, 'plan: 100000\nrecovery:\n  max_sleep_seconds: 1\n');
  e.beforeCleanup(() => e.notifications(1, 3000)); // the detached notifier writes into the home being removed
  const db = join(e.stateDir, 'state.db');
  const now = Date.now();
  ccguard(['statusline'], e.env, statusInput('s1', 10, inHours(2)));
  // Twenty minutes old: past limits.server_fresh_seconds (600).
  withDb(
    db,
    (d) => d.prepare('UPDATE rate_limits SET first_seen = first_seen - 1200000, last_seen = last_seen - 1200000').run(),
    true,
  );
  e.usage('s1', [
    { ts: now - 150 * MIN, input: 36_000, output: 12_000 },
    { ts: now - 1 * MIN, input: 36_000, output: 12_000 },
  ]);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.ok(r.ms >= 950, 'slowed: a limit the user wrote down may act');
  const ev = eventsWithSource(db).at(-1)!;
  assert.equal(ev.source, 'local:config');
  assert.equal(ev.decision, 'delay');
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.source, 'local:config');
  assert.equal(st.limits.server.five_hour.fresh, false);
  assert.equal(st.limits.server.five_hour.used_percentage, 10);
  assert.match(
    ccguard(['status'], e.env).stdout,
    /server {3}the last server reading is \d+ min old: too old to act on/,
  );
});

test('the weekly window: the same thresholds, and the tighter window acts', async (t) => {
  const e = hookEnv(t, 'plan: 1000000\nrecovery:\n  max_sleep_seconds: 1\n');
  e.beforeCleanup(() => e.notifications(1, 3000)); // the detached notifier writes into the home being removed
  const db = join(e.stateDir, 'state.db');
  const now = Date.now();
  e.usage('s1', [
    { ts: now - 90 * MIN, input: 30_000, output: 10_000 },
    { ts: now - 1 * MIN, input: 30_000, output: 10_000 },
  ]);
  ccguard(['statusline'], e.env, statusInput('s1', 20, inHours(3), { pct: 85, resetsAtSec: inHours(72) }));
  const warn = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.match(
    (warn.json as J).systemMessage,
    /^ccguard: 85% of the weekly limit used \(server:seven_day\)\. It resets at \w{3} \d\d:\d\d \(\d+h \d\dm from now\)\.$/,
  );
  assert.equal(eventsWithSource(db).at(-1)?.source, 'server:five_hour+server:seven_day');
  // The warning went out once: the next calls are a silent allow, leased in the state they are in.
  assert.equal((JSON.parse(readFileSync(join(e.stateDir, 'fast', 's1.json'), 'utf8')) as J).state, 'warned');
  ccguard(['statusline'], e.env, statusInput('s1', 21, inHours(3), { pct: 97, resetsAtSec: inHours(72) }));
  // 97% of the week with three days left is far ahead of the pace line: slowed, the week's figure named.
  const slowed = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.ok(slowed.ms >= 950, `slowed by max_sleep_seconds (${slowed.ms} ms)`);
  const ev = eventsWithSource(db).at(-1)!;
  assert.equal(ev.decision, 'delay');
  assert.match(ev.reason ?? '', /97% of the weekly limit used \(server:seven_day\), ahead of the pace line/);
  assert.match(
    (slowed.json as J).hookSpecificOutput.additionalContext,
    /safe stopping point/,
    'past wind_down: the model is told to wind down',
  );
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.weekly.source, 'server:seven_day');
  assert.equal(st.limits.weekly.used_share, 0.97);
  assert.match(
    ccguard(['status'], e.env).stdout,
    /weekly {3}97\.0% used \(server:seven_day, official, \d+s old; may hold calls back\), resets /,
  );
});

test('an unknown limit never denies: the custom plan with no history warns but does not pace', async (t) => {
  const e = hookEnv(t); // plan: custom, no finished blocks: claude-monitor's 44,000 fallback, a guess
  e.usage('s1', [{ ts: Date.now() - 2 * MIN, input: 50_000, output: 10_000 }]);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  const j = r.json as J;
  assert.equal(j.hookSpecificOutput.permissionDecision, undefined);
  assert.match(j.systemMessage, /136% of the 5-hour limit used \(estimate: local:custom-default\)/);
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.limits.confidence, 'unknown');
  await e.notifications(1);
});

test('a new server reading is published for the leases, not a voiding of them all; the same reading again publishes nothing', async (t) => {
  const e = hookEnv(t, 'plan: 1000000\n');
  e.beforeCleanup(() => e.notifications(1, 3000)); // the detached notifier writes into the home being removed
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 1000, output: 500 }]);
  e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.ok(existsSync(join(e.stateDir, 'fast', 's1.json')));
  const read = (name: string) => (): string =>
    existsSync(join(e.stateDir, 'fast', name)) ? readFileSync(join(e.stateDir, 'fast', name), 'utf8') : '';
  const readGen = read('GEN');
  const readPub = read('READINGS');
  const gen = readGen();
  const resets = inHours(2);
  ccguard(['statusline'], e.env, statusInput('s1', 12, resets));
  const after12 = readPub();
  // Published per account: the session's (its environment's) is where its lease looks.
  const mine = (): J => (JSON.parse(readPub()) as J).accounts[accountOf(e.env).key];
  assert.equal(mine().five_hour.pct, 12, 'a new reading is published');
  assert.equal(readGen(), gen, 'and voids no lease by itself');
  ccguard(['statusline'], e.env, statusInput('s1', 12, resets));
  assert.equal(readPub(), after12, 'the same reading seen again changes nothing');
  ccguard(['statusline'], e.env, statusInput('s1', 93, resets));
  assert.equal(mine().five_hour.pct, 93);
  // The lease was granted before any reading: a reading past its bound (it has none) ends it.
  e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  const ev = eventsWithSource(join(e.stateDir, 'state.db')).at(-1)!;
  assert.equal(ev.source, 'server:five_hour', 'the full check ran, on the server figure');
  assert.equal(ev.state, 'pacing');
});

test('usageView: fallback order and what each source reports (in process)', async (t) => {
  const h = tmpHome('ccguard-sources-');
  mkdirSync(h.stateDir, { recursive: true });
  const cfgFile = join(h.stateDir, 'config.yaml');
  writeFileSync(cfgFile, 'plan: max5\n');
  const config = loadConfig(cfgFile).config;
  const store = openStore(join(h.stateDir, 'state.db'));
  // One hook, store first: Node runs a test's `after` hooks in the order registered.
  t.after(() => {
    store.close();
    h.cleanup();
  });
  const now = Date.now();
  const project = join(h.projects, '-p');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 's.jsonl'),
    [assistantLine({ ts: now - 30 * MIN, msgId: 'm1', input: 8000, output: 2000 })].join('\n') + '\n',
  );
  await importAll({ store, roots: [h.projects], prices: {}, timeZone: () => 'UTC', now });
  const env = { HOME: h.home, PATH: '/nonexistent' };
  const view = (): UsageView => usageView(store, config, 'legacy', now, { refresh: { env } });

  let v = view();
  assert.equal(v.source, 'local:plan:max5');
  assert.equal(v.confidence, 'local_estimate');
  assert.equal(v.share, 10_000 / 88_000);
  assert.equal(v.weekly, null);

  const cache = store.monitorCache;
  const snap = parseSnapshot(JSON.stringify(snapshotJson({ generatedAt: now - 20_000, pct: 30, weeklyPct: 50 })));
  cache.recordRun({
    outcome: 'ok',
    ts: now - 10_000,
    exitCode: 0,
    detail: null,
    snapshot: { payload: JSON.stringify(snap), generatedAt: snap.generatedAt },
  });
  v = view();
  assert.equal(v.source, 'claude-monitor:max5');
  assert.equal(v.ageMs, 20_000, 'as old as the snapshot says it is');
  assert.equal(v.confidence, 'local_estimate');
  assert.equal(v.share, 0.3);
  assert.equal(v.limitTokens, 88_000);
  assert.equal(v.weekly?.source, 'claude-monitor:max5:seven_day');

  const rl = store.rateLimits;
  rl.record({
    window: 'five_hour',
    used_pct: 25,
    resets_at: now + 4 * 3_600_000,
    session_id: 's',
    seen: now - 60_000,
    account: 'legacy',
  });
  v = view();
  assert.equal(v.source, 'server:five_hour');
  assert.equal(v.ageMs, 60_000);
  assert.equal(v.confidence, 'official');
  assert.equal(v.share, 0.25);
  // The server's window began an hour ago (reset in 4 h): the 10,000 tokens of 30 minutes ago are in it.
  assert.equal(v.usedTokens, 10_000);
  assert.equal(v.limitTokens, null, 'the server gives a share, not a token limit');
  assert.ok(v.resetAt !== null && v.resetAt > now + 3.9 * 3_600_000, "the server's reset, not the block's");
  assert.equal(v.weekly?.source, 'claude-monitor:max5:seven_day', "no server figure for the week: claude-monitor's");
  rl.record({
    window: 'seven_day',
    used_pct: 61.5,
    resets_at: now + 3 * 86_400_000,
    session_id: 's',
    seen: now - 60_000,
    account: 'legacy',
  });
  assert.equal(view().weekly?.source, 'server:seven_day');
  assert.equal(view().weekly?.projectedShare, null, 'a week is not projected');

  // A reading whose window has reset no longer counts, however recent.
  rl.record({
    window: 'five_hour',
    used_pct: 80,
    resets_at: now - 1000,
    session_id: 's',
    seen: now - 5000,
    account: 'legacy',
  });
  assert.equal(view().source, 'claude-monitor:max5');

  // The verdict says which source it rests on.
  const vv = verdictFor({
    hook: 'PreToolUse',
    tool: 'Bash',
    sessionId: 's',
    now,
    config,
    usage: { ...view(), share: 0.85 },
    sessionClockFrom: null,
    pause: null,
    backoff: null,
    forcedDegrade: false,
  });
  assert.match(vv.userMessage ?? '', /85% of the 5-hour limit used \(estimate: claude-monitor:max5\)/);
});
