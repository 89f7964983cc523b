// A lease never hides a change: each of these changes the very next decision, although the call
// before it was served by the lease (the built hooks, run as Claude Code runs them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { limitLine } from '../helpers/lines.ts';
import { statusInput } from '../helpers/statusInput.ts';

const MIN = 60_000;
type J = Record<string, any>;
type Env = ReturnType<typeof hookEnv>;

/** Fast-path runs so far: each leaves one journal entry until a full check folds them in. */
const leased = (e: Env): number => {
  const dir = join(e.stateDir, 'journal.d');
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).length : 0;
};

const call = (e: Env, session = 's1') =>
  e.run('PreToolUse', e.input('PreToolUse', session, { tool_name: 'Bash', tool_input: { command: 'ls' } }));

/** A full check that grants a lease, then a call the lease serves. */
function leaseInForce(e: Env, session = 's1'): void {
  const first = call(e, session);
  assert.equal(first.stdout, '', 'a silent allow');
  assert.ok(existsSync(join(e.stateDir, 'fast', `${session}.json`)), 'the full check granted a lease');
  const n = leased(e);
  const second = call(e, session);
  assert.equal(second.stdout, '');
  assert.equal(leased(e), n + 1, 'the call before the change was served by the lease');
}

test('lease: a transcript line that crosses a threshold changes the next decision', (t) => {
  const e = hookEnv(t, 'plan: 10000\n');
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 5000, output: 1000 }]);
  leaseInForce(e);
  // Usage within the lease's bound is counted and let through...
  e.usage('s1', [{ ts: Date.now(), input: 500, output: 100 }]);
  const n = leased(e);
  assert.equal(call(e).stdout, '');
  assert.equal(leased(e), n + 1, 'usage short of the threshold keeps the lease');
  // ...and the line that crosses 80% reaches the very next call.
  e.usage('s1', [{ ts: Date.now(), input: 1500, output: 200 }]);
  const r = call(e);
  assert.equal(leased(e), 0, 'the full check ran (and folded the journal in)');
  assert.match((r.json as J).systemMessage, /^ccguard: 83% of the 5-hour limit used \(local:config/);
});

test('lease: a status-line reading past the bound changes the next decision; one within it does not', async (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  // The detached notifier writes into the home: wait for it before the home goes.
  e.beforeCleanup(() => e.notifications(1, 3000));
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 1000, output: 500 }]);
  const resets = Math.floor(Date.now() / 1000) + 2 * 3600;
  assert.equal(ccguard(['statusline'], e.env, statusInput('s1', 40, resets)).code, 0);
  leaseInForce(e);
  assert.equal(ccguard(['statusline'], e.env, statusInput('s1', 50, resets)).code, 0);
  const n = leased(e);
  assert.equal(call(e).stdout, '');
  assert.equal(leased(e), n + 1, 'a new reading that moves nothing a decision rests on keeps the lease');
  assert.equal(ccguard(['statusline'], e.env, statusInput('s1', 85, resets)).code, 0);
  const r = call(e);
  assert.equal(leased(e), 0, 'the full check ran (and folded the journal in)');
  assert.match((r.json as J).systemMessage, /^ccguard: 85% of the 5-hour limit used \(server:five_hour\)/);
});

test("lease: another account's reading neither ends nor stretches it; its own account's past the bound does", async (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  // The detached notifier writes into the home: wait for it before the home goes.
  e.beforeCleanup(() => e.notifications(1, 3000));
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 1000, output: 500 }]);
  const resets = Math.floor(Date.now() / 1000) + 2 * 3600;
  assert.equal(ccguard(['statusline'], e.env, statusInput('s1', 40, resets)).code, 0);
  leaseInForce(e);
  // Another account (its own config folder) at 99%: not this session's figure.
  const other = { ...e.env, CLAUDE_CONFIG_DIR: join(e.home, 'other-account') };
  assert.equal(ccguard(['statusline'], other, statusInput('s9', 99, resets)).code, 0);
  const n = leased(e);
  assert.equal(call(e).stdout, '');
  assert.equal(leased(e), n + 1, "another account's reading leaves the lease in force");
  // This account's own reading past the bound ends it: the lease was not moved by the other one.
  assert.equal(ccguard(['statusline'], e.env, statusInput('s1', 85, resets)).code, 0);
  const r = call(e);
  assert.equal(leased(e), 0, 'the full check ran (and folded the journal in)');
  assert.match((r.json as J).systemMessage, /^ccguard: 85% of the 5-hour limit used \(server:five_hour\)/);
});

test("lease: a limit line in another session's transcript holds the next call", async (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  // The detached notifier writes into the home: wait for it before the home goes.
  e.beforeCleanup(() => e.notifications(1, 3000));
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 1000, output: 500 }]);
  e.usage('s2', [{ ts: Date.now() - 4 * MIN, input: 1000, output: 500 }]);
  call(e, 's2'); // s2's transcript is known: a hook of it has run
  leaseInForce(e);
  const reset = Math.floor(Date.now() / 1000) + 3600;
  appendFileSync(
    e.transcript('s2'),
    limitLine(Date.now(), 'lim-1', `Claude AI usage limit reached|${reset}`, 's2') + '\n',
  );
  const r = call(e);
  assert.equal(leased(e), 0, 'the full check ran (and folded the journal in)');
  assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny');
  assert.match((r.json as J).hookSpecificOutput.permissionDecisionReason, /limit/);
});

test('lease: a pause from another session denies the next call', (t) => {
  const e = hookEnv(t, 'plan: 100000000\n');
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 1000, output: 500 }]);
  leaseInForce(e);
  assert.equal(ccguard(['pause', '--minutes', '5'], e.env).code, 0);
  const r = call(e);
  assert.equal((r.json as J).hookSpecificOutput.permissionDecision, 'deny');
  assert.match((r.json as J).hookSpecificOutput.permissionDecisionReason, /Paused until/);
});

test('lease: a config edit changes the next decision', (t) => {
  const e = hookEnv(t, 'plan: 100000\n');
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 8000, output: 500 }]);
  leaseInForce(e);
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 10000\n');
  const r = call(e);
  assert.match((r.json as J).systemMessage, /^ccguard: 85% of the 5-hour limit used \(local:config/);
});

test('lease: a reset ends it, and the next decision is made on the figures after the reset', async (t) => {
  const e = hookEnv(t, 'plan: 10000\n');
  // The detached notifier writes into the home: wait for it before the home goes.
  e.beforeCleanup(() => e.notifications(1, 3000));
  // The server's reading (40%) stands over ccguard's own count (85% of the configured limit)
  // until the window resets, 3 seconds from now.
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 8000, output: 500 }]);
  const resets = Math.floor(Date.now() / 1000) + 3;
  assert.equal(ccguard(['statusline'], e.env, statusInput('s1', 40, resets)).code, 0);
  leaseInForce(e);
  const lease = JSON.parse(readLeaseText(e)) as J;
  assert.ok(lease.until <= resets * 1000, 'the lease ends at the reset');
  await sleep(Math.max(0, resets * 1000 - Date.now()) + 50);
  const r = call(e);
  assert.match((r.json as J).systemMessage, /^ccguard: 85% of the 5-hour limit used \(local:config/);
});

function readLeaseText(e: Env): string {
  return readFileSync(join(e.stateDir, 'fast', 's1.json'), 'utf8');
}
