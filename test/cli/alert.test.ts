// `ccguard alert cost` fires the cost degradation by hand, whatever the block has cost: what it, the
// status and the hooks then say must be that, never that the cost passed the threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ccguard } from '../helpers/cli.ts';
import { hookEnv } from '../helpers/hookEnv.ts';

const MIN = 60_000;
const CLAIMS_PASSED = /past \$|passed \$|threshold .*is passed/;

interface StatusJson {
  recovery: { state: string; reason: string | null; until: string | null };
}

test('alert cost says in words that it was fired by hand, and so do status and the hooks', async (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  e.usage('s1', [{ ts: Date.now() - MIN }]);
  const t0 = Date.now();
  const a = ccguard(['alert', 'cost'], e.env);
  assert.equal(a.code, 0, a.stderr);
  assert.match(
    a.stdout,
    /^Fired the cost alert by hand: Task, Agent, WebFetch, WebSearch are denied until (\w{3} )?\d\d:\d\d, as they are once a 5-hour block costs \$50\.00 \(alerts\.cost_threshold; this one has cost \$0\.\d\d\)\. Lift it with: \S*node \S+ccguard\.js resume\n$/,
  );

  const st = JSON.parse(ccguard(['status', '--json'], e.env).stdout) as StatusJson;
  assert.equal(st.recovery.state, 'degraded');
  assert.match(
    st.recovery.reason ?? '',
    /^ccguard: the cost alert was fired by hand \(ccguard alert cost\): Task, Agent, WebFetch, WebSearch are off for now; this 5-hour block has cost \$0\.\d\d of the \$50\.00 threshold/,
  );
  assert.doesNotMatch(st.recovery.reason ?? '', CLAIMS_PASSED);
  // It ends when the alert's degradation does (recovery.pause.minutes), not at the block's reset.
  const until = Date.parse(st.recovery.until ?? '');
  assert.ok(Math.abs(until - (t0 + 60 * MIN)) < 30_000, st.recovery.until ?? 'no until');
  const text = ccguard(['status'], e.env).stdout;
  assert.match(text, /^Recovery +degraded until .*\(the cost alert was fired by hand/m);
  assert.doesNotMatch(text, CLAIMS_PASSED);

  const deny = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Task' }));
  const why = (deny.json as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } })
    .hookSpecificOutput;
  assert.equal(why.permissionDecision, 'deny');
  assert.match(
    why.permissionDecisionReason,
    /^ccguard: Task is off because the cost alert was fired by hand \(ccguard alert cost\), not because of the cost: this 5-hour block has cost \$0\.\d\d of the \$50\.00 threshold/,
  );
  assert.doesNotMatch(why.permissionDecisionReason, CLAIMS_PASSED);
  const other = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  assert.doesNotMatch(other.stdout, CLAIMS_PASSED);
  assert.match(other.stdout, /fired by hand/);

  const notes = await e.notifications(1);
  assert.ok(
    notes.some((n) => n.includes('ccguard: cost alert fired by hand (test)')),
    notes.join('\n'),
  );
  assert.ok(!notes.some((n) => CLAIMS_PASSED.test(n)), notes.join('\n'));
});

test('a block that did pass the cost threshold still says so', (t) => {
  const e = hookEnv(t, 'plan: 100000000\nalerts:\n  cost_threshold: 0.000001\n');
  e.usage('s1', [{ ts: Date.now() - MIN, input: 1000, output: 1000 }]);
  const deny = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Task' }));
  const why = (deny.json as { hookSpecificOutput: { permissionDecisionReason: string } }).hookSpecificOutput
    .permissionDecisionReason;
  assert.match(
    why,
    /^ccguard: this 5-hour block has cost \$0\.\d\d, past \$0\.00 \(alerts\.cost_threshold\), so Task is off/,
  );
});
