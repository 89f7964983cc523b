// A config mistake must not switch enforcement off: the hooks go on with the last configuration that
// validated (or the defaults), and the user hears of it once, by file, key and value, in the log, a
// notification, status, the status line and doctor; commands that need no more than that keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';

type J = Record<string, any>;
const MIN = 60_000;
const TYPO = /config\.yaml: unknown key alerts\.cost_treshold \(got 5; did you mean alerts\.cost_threshold\?\)/;

test('a broken user config during a manual pause: the pause still denies, and the mistake is named everywhere once', async (t) => {
  const e = hookEnv(t);
  assert.equal(ccguard(['pause', '--minutes', '30'], e.env).code, 0);
  writeFileSync(join(e.stateDir, 'config.yaml'), 'alerts:\n  cost_treshold: 5\n');
  for (let i = 0; i < 3; i++) {
    const r = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
    assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny', 'still paused');
    assert.match((r.json as J).hookSpecificOutput.permissionDecisionReason, /paused by hand/);
  }
  const log = readFileSync(join(e.stateDir, 'ccguard.log'), 'utf8');
  assert.equal(log.split('\n').filter((l) => TYPO.test(l)).length, 1, 'logged once, not on every hook');
  assert.match(log, /enforcing with the default configuration until it is fixed/);
  const notes = await e.notifications(1, 5000);
  assert.equal(notes.filter((n) => n.includes('ccguard: config error')).length, 1, 'one notification');

  const st = ccguard(['status'], e.env);
  assert.equal(st.code, 0);
  assert.match(st.stdout, /Config {8}BROKEN: config\.yaml: unknown key alerts\.cost_treshold/);
  assert.match(st.stderr, TYPO, 'the command says it too');
  const js = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.match(js.config_problem.message, TYPO);
  assert.equal(js.config_problem.fallback, 'defaults');
  assert.equal(js.recovery.state, 'paused');
  const doc = ccguard(['doctor'], e.env);
  assert.match(doc.stdout, /FAIL {2}config {17}config\.yaml: unknown key alerts\.cost_treshold/);
  // Commands that need no more than the fallback work: none exits 1 over the typo.
  for (const argv of [['events', '--limit', '3'], ['report', 'blocks'], ['resume']]) {
    const r = ccguard(argv, e.env);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
  }
  assert.equal(
    e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' })).stdout,
    '',
    'resume lifted the pause',
  );
});

test('a broken edit keeps the last configuration that validated: a token limit the user wrote still holds', (t) => {
  const e = hookEnv(t, 'plan: 20000\n');
  const now = Date.now();
  e.usage('s1', [
    { ts: now - 20 * MIN, input: 15_000, output: 5_000 },
    { ts: now - 1 * MIN, input: 2_000, output: 1_000 },
  ]);
  const valid = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal((valid.json as J).hookSpecificOutput.permissionDecision, 'deny', '23,000 of 20,000: held');
  // The user edits the file and breaks it: the limit they wrote stands, not the defaults' estimate.
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 20000\nalerts:\n  token_threshold: high\n');
  const broken = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.equal((broken.json as J).hookSpecificOutput.permissionDecision, 'deny');
  assert.match((broken.json as J).hookSpecificOutput.permissionDecisionReason, /local:config/);
  const js = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J;
  assert.equal(js.config_problem.fallback, 'last_valid');
  assert.match(js.config_problem.message, /alerts\.token_threshold must be a number between 0 and 1 \(got "high"\)/);
  assert.match(
    ccguard(['status'], e.env).stdout,
    /enforcing with the last valid configuration \(from \d{4}-\d\d-\d\d \d\d:\d\d\) until it is fixed/,
  );
  // Fixed again: the problem is gone everywhere.
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 20000\n');
  assert.equal((JSON.parse(ccguard(['status', '--json'], e.env).stdout) as J).config_problem, null);
});
