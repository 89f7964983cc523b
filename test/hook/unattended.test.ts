// The built hooks in an unattended session (Claude Code's CLAUDE_CODE_SESSION_ATTENDED=0): a held tool
// call is deferred, not denied, even right after the lease allowed one; interactive ones keep the deny.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { fiveHourLimitText, limitLine } from '../helpers/lines.ts';

const MIN = 60_000;
type J = Record<string, any>;
const HEADLESS = { CLAUDE_CODE_SESSION_ATTENDED: '0', CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' };
const TUI = { CLAUDE_CODE_SESSION_ATTENDED: '1', CLAUDE_CODE_ENTRYPOINT: 'cli' };
// A text-only limit line resetting two hours from now: the 5-hour window, a hold past max_sleep_seconds,
// whatever the hour the test runs at (a fixed "11:59pm" read as the weekly window before 19:00 UTC).
const { text: LIMIT_TEXT, clock: RESET_CLOCK } = fiveHourLimitText(Date.now());

test("a lease, then a limit line: the very next headless call is deferred with the deny's reason; an interactive one denied", (t) => {
  const e = hookEnv(t, 'plan: 1000000\n');
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 100, output: 50 }]);
  const first = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }), HEADLESS);
  assert.equal(first.stdout, '');
  assert.ok(existsSync(join(e.stateDir, 'fast', 's1.json')), 'the silent allow granted a lease');
  appendFileSync(e.transcript('s1'), limitLine(Date.now() - 1000, 'lim-1', LIMIT_TEXT) + '\n');
  const held = e.run(
    'PreToolUse',
    e.input('PreToolUse', 's1', { tool_name: 'Bash', tool_use_id: 'toolu_1', cwd: '/work/app' }),
    HEADLESS,
  );
  const out = (held.json as J).hookSpecificOutput;
  assert.equal(out.permissionDecision, 'defer', held.stdout);
  assert.match(
    out.permissionDecisionReason,
    new RegExp(
      `the 5-hour limit is used up \\(100%, server:limit_line:five_hour\\)\\. Wait .*, until (\\w{3} )?${RESET_CLOCK}\\.`,
    ),
  );
  const tui = e.run('PreToolUse', e.input('PreToolUse', 's2', { tool_name: 'Bash' }), TUI);
  assert.equal((tui.json as J).hookSpecificOutput.permissionDecision, 'deny');
  assert.equal(
    (tui.json as J).hookSpecificOutput.permissionDecisionReason,
    out.permissionDecisionReason,
    'the same reason text',
  );
  const prompt = e.run('UserPromptSubmit', e.input('UserPromptSubmit', 's3', { prompt: 'go on' }), HEADLESS);
  assert.notEqual(prompt.json?.decision, 'block', 'prompts are not deferred');

  const ev = JSON.parse(ccguard(['events', '--json'], e.env).stdout) as J[];
  const d = ev.find((x) => x.decision === 'defer');
  assert.ok(d, JSON.stringify(ev));
  assert.equal(d.detail.cwd, '/work/app');
  assert.equal(d.detail.tool_use_id, 'toolu_1');
  assert.equal(typeof d.detail.hold_until, 'number');
  assert.equal(d.detail.tool_input, undefined, 'no tool input unless privacy.store_tool_input');
  const st = JSON.parse(ccguard(['status', '--json', '--fresh'], e.env).stdout) as J;
  assert.equal(st.waiting.length, 1);
  assert.equal(st.waiting[0].session_id, 's1');
  assert.equal(st.waiting[0].folder, '/work/app');
  assert.match(st.waiting[0].resume_command, / run --resume s1$/);
  const rep = JSON.parse(ccguard(['report', '--json'], e.env).stdout) as J;
  assert.deepEqual(
    rep.waiting.map((w: J) => [w.session_id, w.kind, w.resume_command]),
    [['s1', 'deferred', st.waiting[0].resume_command]],
  );
  assert.ok(
    rep.timeline.items.some((x: J) => x.kind === 'defer' && x.session_id === 's1'),
    "the report's timeline shows the deferral",
  );
});

test('recovery.unattended: deny keeps the deny in headless sessions; a StopFailure on the limit is listed as waiting', (t) => {
  const e = hookEnv(t, 'recovery:\n  unattended: deny\n');
  appendFileSync(e.transcript('s1'), limitLine(Date.now() - 1000, 'lim-1', LIMIT_TEXT) + '\n');
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }), HEADLESS);
  assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny');
  e.run('StopFailure', e.input('StopFailure', 's1', { error: 'rate_limit', cwd: '/work/app' }), {
    ...HEADLESS,
    CCGUARD_RUN_ID: 'run-1',
  });
  const ev = JSON.parse(ccguard(['events', '--json'], e.env).stdout) as J[];
  const stop = ev.find((x) => x.decision === 'limit_stop');
  assert.ok(stop, JSON.stringify(ev));
  assert.equal(stop.detail.run, 'run-1');
  assert.equal(stop.detail.cwd, '/work/app');
  const st = JSON.parse(ccguard(['status', '--json', '--fresh'], e.env).stdout) as J;
  assert.deepEqual(
    st.waiting.map((w: J) => [w.session_id, w.kind]),
    [['s1', 'limit']],
  );
  assert.match(
    ccguard(['status', '--fresh'], e.env).stdout,
    /Waiting unattended sessions[\s\S]*s1 +stopped on the limit until/,
  );
});

test('claude -p runs no StopFailure on the limit, only SessionEnd: a session whose last word was the limit line is a limit stop', (t) => {
  const e = hookEnv(t);
  const now = Date.now();
  e.usage('s1', [{ ts: now - 5 * MIN, input: 10, output: 10 }]);
  appendFileSync(e.transcript('s1'), limitLine(now - 2000, 'lim-1', LIMIT_TEXT, 's1') + '\n');
  // s2 hit the limit long ago and worked on after it (its responses are newer): no stop.
  appendFileSync(e.transcript('s2'), limitLine(now - 60 * MIN, 'lim-2', LIMIT_TEXT, 's2') + '\n');
  e.usage('s2', [{ ts: now - 10 * MIN, input: 10, output: 10 }]);
  for (const s of ['s1', 's2'])
    e.run('SessionEnd', e.input('SessionEnd', s, { reason: 'other', cwd: '/work/app' }), {
      ...HEADLESS,
      CCGUARD_RUN_ID: 'run-9',
    });
  e.run('SessionEnd', e.input('SessionEnd', 's1', { reason: 'other' }), TUI);
  const stops = (JSON.parse(ccguard(['events', '--json'], e.env).stdout) as J[]).filter(
    (x) => x.decision === 'limit_stop',
  );
  assert.deepEqual(
    stops.map((x) => [x.session_id, x.hook, x.detail.run, x.detail.cwd]),
    [['s1', 'SessionEnd', 'run-9', '/work/app']],
    'one stop: s1, unattended',
  );
  assert.equal(typeof stops[0]!.detail.hold_until, 'number');
});
