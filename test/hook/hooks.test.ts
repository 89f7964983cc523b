import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { apiErrorLine, fiveHourLimitText, limitLine } from '../helpers/lines.ts';
import { withDb } from '../helpers/hookAsync.ts';

const MIN = 60_000;
type J = Record<string, any>;

/**
 * A bare limit line ("You've hit your limit") resetting two hours from `now`, as Claude Code writes one
 * for the 5-hour window (one resetting further off than 5 hours is the weekly one), and its clock.
 */
test('under every threshold: silent allow, recorded, and the next call takes the fast path', (t) => {
  const e = hookEnv(t, 'plan: 1000000\n');
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 100, output: 50 }]);
  const first = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash', tool_input: { command: 'ls' } }));
  assert.equal(first.code, 0);
  assert.equal(first.stdout, '');
  assert.deepEqual(
    e.events().map((x) => [x.hook, x.decision]),
    [['PreToolUse', 'allow']],
  );
  assert.ok(existsSync(join(e.stateDir, 'fast', 's1.json')), 'a silent allow leaves a cached decision');
  const second = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash', tool_input: { command: 'ls' } }));
  assert.equal(second.stdout, '');
  // The fast path wrote to the journal, not the database; `ccguard events` folds it in.
  assert.equal(e.events().length, 1);
  const ev = JSON.parse(ccguard(['events', '--json'], e.env).stdout) as J[];
  assert.deepEqual(
    ev.map((x) => [x.hook, x.decision, x.source]),
    [
      ['PreToolUse', 'allow', 'local:config'],
      ['PreToolUse', 'allow', 'fast-path'],
    ],
  );
});

test('token use past token_threshold: one systemMessage and additionalContext per crossing, one notification', async (t) => {
  const e = hookEnv(t, 'plan: 10000\n');
  e.usage('s1', [{ ts: Date.now() - 10 * MIN, input: 8000, output: 500 }]);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal(r.code, 0);
  const j = r.json as J;
  assert.match(
    j.systemMessage,
    /^ccguard: 85% of the 5-hour limit used \(local:config, the limit in your config\)\. It resets at (\w{3} )?\d\d:\d\d/,
  );
  assert.equal(j.hookSpecificOutput.hookEventName, 'PreToolUse');
  assert.equal(j.hookSpecificOutput.permissionDecision, undefined, 'an allow never sets permissionDecision');
  assert.match(j.hookSpecificOutput.additionalContext, /About 1500 tokens are left/);
  const again = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal(again.stdout, '', 'once per crossing, not on every call');
  const notes = await e.notifications(1);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /ccguard: 5-hour threshold\t85% of the 5-hour limit used/);
  // The warning is out, so the next call is a silent allow: served by the lease, still recorded as warned.
  const ev = JSON.parse(ccguard(['events', '--json'], e.env).stdout) as J[];
  assert.deepEqual(
    ev.map((x) => [x.decision, x.state, x.source]),
    [
      ['warn', 'warned', 'local:config'],
      ['notify', 'warned', null],
      ['allow', 'warned', 'fast-path'],
    ],
  );
});

test('rate limit from StopFailure: a short backoff delays the next call, a long one denies it', async (t) => {
  const e = hookEnv(t, 'recovery:\n  backoff:\n    base_seconds: 2\n');
  e.usage('s1', [{ ts: Date.now() - 2 * MIN }]);
  const sf = e.run(
    'StopFailure',
    e.input('StopFailure', 's1', { error: 'rate_limit', last_assistant_message: 'API Error: Request rejected (429)' }),
  );
  assert.equal(sf.code, 0);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  // The sleep is told to the user, not left as an unexplained stall.
  assert.match(
    (r.json as J).systemMessage,
    /^ccguard: the API rate-limited this session \(1 in a row\); this tool call waited \ds before running\.$/,
  );
  assert.equal((r.json as J).hookSpecificOutput, undefined, 'an allow: no decision, nothing for the model');
  const delayed = e.events().find((x) => x.decision === 'delay')!;
  assert.ok(delayed, 'a delay event');
  assert.ok(delayed.sleep_ms > 500 && delayed.sleep_ms <= 2000, `slept ${delayed.sleep_ms} ms`);
  assert.ok(r.ms >= delayed.sleep_ms, `the hook took ${r.ms} ms`);
  assert.match((await e.notifications(1))[0]!, /ccguard: rate limited\tAPI rate limit \(level 1\)/);
  const long = hookEnv(t, 'recovery:\n  backoff:\n    base_seconds: 600\n');
  long.run('StopFailure', long.input('StopFailure', 's1', { error: 'rate_limit' }));
  const denied = long.run('PreToolUse', long.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  const j = denied.json as J;
  assert.equal(j.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(
    j.hookSpecificOutput.permissionDecisionReason,
    /rate limited by the API \(1 in a row\); backing off until (\w{3} )?\d\d:\d\d, 10 min from now/,
  );
  const p = long.run('UserPromptSubmit', long.input('UserPromptSubmit', 's1', { prompt: 'go on' }));
  assert.equal((p.json as J).decision, 'block');
});

test('rate limit seen only as an API error line in the transcript: backoff all the same, rising with each error', (t) => {
  const e = hookEnv(t, 'recovery:\n  backoff:\n    base_seconds: 300\n');
  const now = Date.now();
  appendFileSync(
    e.transcript('s1'),
    apiErrorLine(now - 60_000, 'err-1') + '\n' + apiErrorLine(now - 20_000, 'err-2') + '\n',
  );
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  const j = r.json as J;
  assert.equal(j.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(j.hookSpecificOutput.permissionDecisionReason, /\(2 in a row\)/);
  assert.match(j.hookSpecificOutput.permissionDecisionReason, /, 10 min from now/);
});

test('a subscription limit line holds tool calls (not prompts) until the reset it names; resume lifts it', (t) => {
  const e = hookEnv(t);
  const now = Date.now();
  const lim = fiveHourLimitText(now);
  appendFileSync(e.transcript('s1'), limitLine(now - MIN, 'lim-1', lim.text) + '\n');
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  const j = r.json as J;
  assert.equal(j.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(
    j.hookSpecificOutput.permissionDecisionReason,
    new RegExp(
      `the 5-hour limit is used up \\(100%, server:limit_line:five_hour\\)\\. Wait .*, until (\\w{3} )?${lim.clock}\\. Run \`\\S*node \\S+ccguard\\.js resume\` to lift it\\.`,
    ),
  );
  const d = e.run('PreToolUse', e.input('PreToolUse', 's2', { tool_name: 'Bash' }));
  assert.equal((d.json as J).hookSpecificOutput.permissionDecision, 'deny', 'the hold is for every session');
  const p = e.run('UserPromptSubmit', e.input('UserPromptSubmit', 's2', { prompt: 'hello' }));
  assert.notEqual((p.json as J).decision, 'block', 'a prompt passes, told why tools wait');
  assert.match(
    (p.json as J).hookSpecificOutput.additionalContext,
    new RegExp(`used up .*held back until (\\w{3} )?${lim.clock}`),
  );
  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(st.recovery.state, 'held');
  const res = ccguard(['resume'], e.env);
  assert.equal(res.code, 0);
  assert.match(
    res.stdout,
    new RegExp(
      `Resumed\\. Lifted:\\n {2}- the hold on the used-up 5-hour limit \\(100%, server:limit_line:five_hour\\), until (\\w{3} )?${lim.clock} \\(the end of that window\\); ccguard keeps warning\\n`,
    ),
  );
  const after = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.notEqual(
    (after.json?.hookSpecificOutput as J | undefined)?.permissionDecision,
    'deny',
    'resume lets the next call through',
  );
});

test('resume --minutes N lifts a limit hold for N minutes only; a bad value is refused', (t) => {
  const e = hookEnv(t);
  appendFileSync(e.transcript('s1'), limitLine(Date.now() - MIN, 'lim-1', fiveHourLimitText(Date.now()).text) + '\n');
  assert.equal(
    (e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).json as J).hookSpecificOutput
      .permissionDecision,
    'deny',
  );
  const bad = ccguard(['resume', '--minutes', '0'], e.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--minutes must be a positive number/);
  const res = ccguard(['resume', '--minutes', '10'], e.env);
  assert.equal(res.code, 0);
  assert.match(
    res.stdout,
    /the hold on the used-up 5-hour limit .*, until (\w{3} )?\d\d:\d\d \(10 min\); ccguard keeps warning/,
  );
  assert.notEqual(
    (e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).json?.hookSpecificOutput as J | undefined)
      ?.permissionDecision,
    'deny',
  );
  const lift = withDb(
    join(e.stateDir, 'state.db'),
    (d) =>
      d.prepare("SELECT until FROM recovery WHERE kind = 'lift' AND key LIKE '%:five_hour'").get() as { until: number },
  );
  assert.ok(Math.abs(lift.until - (Date.now() + 10 * MIN)) < 30_000, 'lifted for ten minutes, not the whole window');
});

test('pacing: a configured limit ahead of the pace line slows each call by at most max_sleep_seconds; a used-up one holds', (t) => {
  const e = hookEnv(t, 'recovery:\n  max_sleep_seconds: 2\n');
  const now = Date.now();
  e.usage('s1', [
    { ts: now - 11 * MIN, input: 4000, output: 1000 },
    { ts: now - 1 * MIN, input: 4000, output: 1000 },
  ]);
  // 10,000 tokens of a 10,500-token limit a few minutes into the block: 95%, far ahead of the line.
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 10500\nrecovery:\n  max_sleep_seconds: 2\n');
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  const ev = e.events().find((x) => x.hook === 'PreToolUse')!;
  assert.equal(ev.decision, 'delay');
  assert.equal(ev.state, 'pacing');
  assert.equal(ev.sleep_ms, 2000, 'the line is hours away: the longest sleep');
  assert.ok(r.ms >= ev.sleep_ms);
  assert.match(
    (r.json as J).systemMessage,
    /95% of the 5-hour limit used \(local:config, the limit in your config\), ahead of the pace line .*slowing tool calls so it lasts until (\w{3} )?\d\d:\d\d/,
  );

  // With the limit used up, no delay can cure it: denied with the time to wait.
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 9000\n');
  const d = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.match(
    (d.json as J).hookSpecificOutput.permissionDecisionReason,
    /the 5-hour limit is used up \(111%, local:config, the limit in your config\)\. Wait .*, until (\w{3} )?\d\d:\d\d\. Run `\S*node \S+ccguard\.js resume` to lift it\./,
  );
  // Tools that end a turn or schedule a wake-up are never gated.
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'ScheduleWakeup' })).stdout, '');
});

test('a session active past time_threshold is paused, its prompts blocked, until ccguard resume', async (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  const now = Date.now();
  e.usage('old', [{ ts: now - 5 * 60 * MIN }, { ts: now - 2 * MIN }]);
  const r = e.run('PreToolUse', e.input('PreToolUse', 'old', { tool_name: 'Bash' }));
  const j = r.json as J;
  assert.equal(j.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(
    j.hookSpecificOutput.permissionDecisionReason,
    /this session has run 5h 0\dm, past the 4\.5h limit \(alerts\.time_threshold\)\. Paused until (\w{3} )?\d\d:\d\d \(60 min from now\)\. Run `\S*node \S+ccguard\.js resume` to lift it\./,
  );
  const p = e.run('UserPromptSubmit', e.input('UserPromptSubmit', 'old', { prompt: 'continue' }));
  assert.equal((p.json as J).decision, 'block');
  assert.match((p.json as J).reason, /Paused until/);
  // Another, younger session is not paused.
  e.usage('young', [{ ts: now - 3 * MIN }]);
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 'young', { tool_name: 'Bash' })).stdout, '');
  assert.match((await e.notifications(1))[0]!, /ccguard: session paused/);
  const res = ccguard(['resume'], e.env);
  assert.match(res.stdout, /Resumed\. Lifted:\n {2}- the time pause of session old\n/);
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 'old', { tool_name: 'Bash' })).stdout, '');
});

test('block cost past cost_threshold: subagents and web tools denied, Bash allowed with advice once', (t) => {
  const e = hookEnv(t, 'plan: 100000000\nalerts:\n  cost_threshold: 1.0\n');
  // 300k Opus 4.5 input tokens at $5 per million: $1.50.
  e.usage('s1', [{ ts: Date.now() - 3 * MIN, input: 300_000, output: 0, model: 'claude-opus-4-5-20251101' }]);
  const task = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Task' }));
  assert.equal((task.json as J).hookSpecificOutput.permissionDecision, 'deny');
  assert.match(
    (task.json as J).hookSpecificOutput.permissionDecisionReason,
    /has cost \$1\.50, past \$1\.00 .*so Task is off/,
  );
  const web = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'WebFetch' }));
  assert.equal((web.json as J).hookSpecificOutput.permissionDecision, 'deny');
  const bash = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal((bash.json as J).hookSpecificOutput.permissionDecision, undefined);
  assert.match((bash.json as J).hookSpecificOutput.additionalContext, /finish the task economically/);
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).stdout, '');
  const hard = hookEnv(t, 'plan: 100000000\nalerts:\n  cost_threshold: 1.0\n  hard_cost_limit: 1.2\n');
  hard.usage('s1', [{ ts: Date.now() - 3 * MIN, input: 300_000, output: 0, model: 'claude-opus-4-5-20251101' }]);
  const hardBash = hard.run('PreToolUse', hard.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.match((hardBash.json as J).hookSpecificOutput.permissionDecisionReason, /past the hard limit of \$1\.20/);
});

test('observe mode logs and notifies but never blocks or delays', async (t) => {
  const e = hookEnv(t, 'mode: observe\nplan: 100000000\n');
  e.usage('old', [{ ts: Date.now() - 5 * 60 * MIN }, { ts: Date.now() - MIN }]);
  const r = e.run('PreToolUse', e.input('PreToolUse', 'old', { tool_name: 'Bash' }));
  assert.equal(r.stdout, '');
  const ev = e.events().find((x) => x.hook === 'PreToolUse')!;
  assert.equal(ev.state, 'paused');
  assert.match(ev.reason ?? '', /this session has run/);
  assert.equal((await e.notifications(1)).length, 1);
});

test('CCGUARD_DISABLE=1 makes every hook an immediate allow that touches nothing', (t) => {
  const e = hookEnv(t);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }), { CCGUARD_DISABLE: '1' });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(existsSync(join(e.stateDir, 'state.db')), false);
});

test('bad stdin fails open with one clear log line and one notification; fail_mode closed denies', async (t) => {
  const e = hookEnv(t);
  for (const bad of ['not json', '{also not json', '[]', '{"hook_event_name":"PreToolUse"}', '{"session_id": 5}']) {
    const r = e.run('PreToolUse', bad);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  }
  const log = e.log();
  assert.match(log, /PreToolUse hook failed, failing open: hook stdin is not JSON/);
  assert.match(log, /hook stdin: session_id is missing or not the right type/);
  // Three kinds of error (not JSON; not an object; session_id missing or mistyped): one notification each.
  const notes = await e.notifications(3, 1500);
  assert.equal(notes.filter((n) => n.includes('hook error')).length, 3, 'one per distinct error');
  const closed = hookEnv(t, 'fail_mode: closed\n');
  const r = closed.run('PreToolUse', 'not json');
  assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny');
  assert.match((r.json as J).hookSpecificOutput.permissionDecisionReason, /ccguard failed and fail_mode is closed/);
});

test('an invalid user config: the hook allows and the log names key, value and file', (t) => {
  const e = hookEnv(t, 'alerts:\n  token_threshold: high\n');
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(
    e.log(),
    /config\.yaml: alerts\.token_threshold must be a number between 0 and 1 \(got \\"high\\"\) in .*config\.yaml/,
  );
});

test('ccguard alert cost forces degradation now; resume lifts it', (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  e.usage('s1', [{ ts: Date.now() - MIN }]);
  const a = ccguard(['alert', 'cost'], e.env);
  assert.equal(a.code, 0, a.stderr);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Task' }));
  assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny');
  ccguard(['resume'], e.env);
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Task' })).stdout, '');
});

test('a pause that runs out is announced once, and the next call goes ahead', async (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  e.usage('s1', [{ ts: Date.now() - MIN }]);
  assert.equal(ccguard(['pause', '--minutes', '0.02'], e.env).code, 0); // 1.2 s
  assert.equal(
    (e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).json as J).hookSpecificOutput
      .permissionDecision,
    'deny',
  );
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).stdout, '');
  e.run('PreToolUse', e.input('PreToolUse', 's2', { tool_name: 'Bash' }));
  const notes = await e.notifications(2);
  assert.equal(notes.filter((n) => n.includes('ccguard: pause over\t')).length, 1, notes.join('\n'));
});

test('tool inputs are kept only when privacy.store_tool_input is on', (t) => {
  for (const on of [false, true]) {
    const e = hookEnv(
      t,
      `plan: 100000000\nperformance:\n  fast_path_seconds: 0\nprivacy:\n  store_tool_input: ${on}\n`,
    );
    e.run(
      'PreToolUse',
      e.input('PreToolUse', 's1', { tool_name: 'Bash', tool_input: { command: 'echo SECRET-TOKEN-123' } }),
    );
    const ev = JSON.parse(ccguard(['events', '--json'], e.env).stdout) as J[];
    const detail = JSON.stringify(ev.map((x) => x.detail));
    assert.equal(detail.includes('SECRET-TOKEN-123'), on);
  }
});

test('a line dated long ago does not start the session clock: no pause for a session active for minutes', (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  e.usage('s1', [{ ts: Date.UTC(1970, 0, 2) }, { ts: Date.now() - 20 * MIN }, { ts: Date.now() - MIN }]);
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).stdout, '');
  // Activity in the past week still counts: 5 hours of it is past the 4.5 h limit.
  e.usage('s2', [{ ts: Date.now() - 5 * 60 * MIN }, { ts: Date.now() - MIN }]);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's2', { tool_name: 'Bash' }));
  assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny');
});

test('an Opus-only limit message does not pause anything (Claude Code switches models)', (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  appendFileSync(
    e.transcript('s1'),
    limitLine(Date.now() - MIN, 'lim-opus', 'Opus weekly limit reached ∙ resets Nov 30, 5pm') + '\n',
  );
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).stdout, '');
});

test('a session left idle overnight starts its clock afresh', (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  e.usage('s1', [{ ts: Date.now() - 20 * 60 * MIN }, { ts: Date.now() - MIN }]);
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).stdout, '');
});

test('a line dated days ahead does not hide the current block', (t) => {
  const e = hookEnv(t, 'plan: 20000\n');
  e.usage('s1', [
    { ts: Date.now() - 10 * MIN, input: 25_000, output: 0 },
    { ts: Date.now() + 3 * 86_400_000, input: 1, output: 1 },
  ]);
  const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny');
});

test('a limit message imported after a later-dated API error is still acted on', (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  const now = Date.now();
  appendFileSync(e.transcript('a'), apiErrorLine(now - 5_000, 'err-529', 'a', 529, 'overloaded_error') + '\n');
  e.run('PreToolUse', e.input('PreToolUse', 'a', { tool_name: 'Bash' }));
  appendFileSync(e.transcript('b'), limitLine(now - 15_000, 'lim-b', fiveHourLimitText(now).text, 'b') + '\n');
  const r = e.run('PreToolUse', e.input('PreToolUse', 'b', { tool_name: 'Bash' }));
  assert.match(
    (r.json as J).hookSpecificOutput.permissionDecisionReason,
    /the 5-hour limit is used up \(100%, server:limit_line:five_hour\)/,
  );
});

test('a first run announces nothing that ended before ccguard was watching: a backoff from the history that ended hours ago', (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  const now = Date.now();
  // Imported on the first hook call: a 429 three hours ago, whose backoff ran out long before.
  appendFileSync(e.transcript('s1'), apiErrorLine(now - 180 * MIN, 'err-old', 's1') + '\n');
  e.usage('s1', [{ ts: now - MIN }]);
  assert.equal(e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).stdout, '', 'nothing holds');
  e.run('PreToolUse', e.input('PreToolUse', 's2', { tool_name: 'Bash' }));
  const ev = JSON.parse(ccguard(['events', '--json'], e.env).stdout) as { decision: string; reason: string | null }[];
  assert.deepEqual(
    ev.filter((x) => x.decision === 'notify').map((x) => x.reason),
    [],
    'no "backoff ended" notice for an end nobody was held by',
  );
});
