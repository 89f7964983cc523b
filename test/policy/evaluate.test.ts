// The policy, table by table: every row is one situation and what the verdict must be. Pure: no
// clock, no store; the usage figures are built here as the sources would build them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { evaluate, observed, verdictFor, AUTO_CONTINUE_PROMPT } from '../../lib/policy/evaluate.ts';
import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/schema.ts';
import type { PolicyInput, Verdict } from '../../lib/policy/types.ts';
import type { UsageConfidence, UsageView } from '../../lib/usage/types.ts';

const H = 3_600_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 6, 12, 0);
const DEFAULTS: Config = loadConfig(join('/nonexistent', 'config.yaml')).config;

function cfg(over: (c: Config) => void = () => undefined): Config {
  const c = structuredClone(DEFAULTS);
  over(c);
  return c;
}

/** A 5-hour figure: `share` used, the window resetting in `resetInH`, from `source` at `confidence`. */
function five(share: number, resetInH: number, source: string, confidence: UsageConfidence, o: Partial<UsageView> = {}): UsageView {
  return {
    source, window: 'five_hour', ageMs: 0, confidence, limitTokens: null, usedTokens: 0, share,
    projectedShare: null, projectionBasis: null, costUsd: 0, blockStart: NOW - (5 - resetInH) * H,
    resetAt: NOW + resetInH * H, tokensPerCall: 500, burnPerMinute: null, ...o,
  };
}

/** ccguard's own estimate at the start of a block: 11 responses of 800 output tokens in 10 minutes. */
function localStart(limitTokens: number, source: string, confidence: UsageConfidence): UsageView {
  const used = 11 * 800;
  return five(used / limitTokens, 5 - 10 / 60, source, confidence, {
    limitTokens, usedTokens: used, projectedShare: (used + (used / 10) * 290) / limitTokens, projectionBasis: { kind: 'local_block' }, burnPerMinute: used / 10,
  });
}

function input(usage: UsageView, o: Partial<PolicyInput> = {}): PolicyInput {
  return {
    hook: 'PreToolUse', tool: 'Bash', sessionId: 's1', now: NOW, config: DEFAULTS, usage,
    sessionClockFrom: NOW - 10 * MIN, pause: null, backoff: null, forcedDegrade: false, ...o,
  };
}

interface Row {
  name: string;
  in: PolicyInput;
  action: Verdict['action'];
  state: Verdict['state'];
  /** Substrings the reason (deny/delay) or the user message (allow) must hold. */
  says?: string[];
  /** Substrings the user's message must hold, whatever the action. */
  user?: string[];
  /** Substrings the model's context must hold. */
  tells?: string[];
  /** What no text may say. */
  never?: RegExp;
}

const ROWS: Row[] = [
  // Estimates inform: a normal start of a block never delays or denies, whatever the plan.
  { name: 'default config (custom, no history) at a block start', in: input(localStart(44_000, 'local:custom-default', 'unknown')), action: 'allow', state: 'normal' },
  { name: 'plan max5 at a block start (11% used, projected far past)', in: input(localStart(88_000, 'local:plan:max5', 'local_estimate')), action: 'allow', state: 'normal' },
  { name: 'plan max20 at a block start', in: input(localStart(220_000, 'local:plan:max20', 'local_estimate')), action: 'allow', state: 'normal' },
  { name: 'P90 at a block start', in: input(localStart(19_000, 'local:p90', 'local_estimate')), action: 'allow', state: 'normal' },
  { name: 'P90 estimate at 85%: a warning that says estimate', in: input(five(0.85, 2, 'local:p90', 'local_estimate')), action: 'allow', state: 'warned', says: ['85%', 'estimate: local:p90'] },
  { name: 'plan estimate past 100%: warns, never holds', in: input(five(1.2, 2, 'local:plan:max5', 'local_estimate')), action: 'allow', state: 'warned', says: ['120%', 'estimate'] },
  { name: "claude-monitor's local estimate at 100%: warns", in: input(five(1.0, 1, 'claude-monitor:max5', 'local_estimate')), action: 'allow', state: 'warned' },
  // The server's figures decide.
  { name: 'server 97% with 3.9 h to the reset: slowed, naming the server', in: input(five(0.97, 3.9, 'server:five_hour', 'official')), action: 'delay', state: 'pacing', says: ['97%', 'server:five_hour', 'pace line'] },
  { name: 'server 42% early: nothing', in: input(five(0.42, 4, 'server:five_hour', 'official')), action: 'allow', state: 'normal' },
  { name: 'server 92% with 20 minutes left: on the pace line, warned only', in: input(five(0.92, 1 / 3, 'server:five_hour', 'official')), action: 'allow', state: 'warned', says: ['92%', 'server:five_hour'] },
  { name: 'server 100%: tool calls held until the exact reset', in: input(five(1.0, 0.5, 'server:limit_line:five_hour', 'official')), action: 'deny', state: 'held', says: ['used up', 'server:limit_line:five_hour', 'Wait 30 min', 'ccguard resume'] },
  { name: 'server 100%, a prompt: passes, told the truth', in: input(five(1.0, 0.5, 'server:five_hour', 'official'), { hook: 'UserPromptSubmit', tool: null }), action: 'allow', state: 'held', tells: ['used up', 'server:five_hour'] },
  { name: 'server 93%, a prompt: never says used up', in: input(five(0.93, 3, 'server:five_hour', 'official'), { hook: 'UserPromptSubmit', tool: null }), action: 'allow', state: 'pacing', never: /used up/ },
  { name: 'anchored estimate at 100% while it stands: held', in: input(five(1.01, 1, 'server:five_hour+local', 'anchored')), action: 'deny', state: 'held', says: ['server:five_hour+local'] },
  { name: 'server 96%: wind-down told to the model', in: input(five(0.96, 0.2, 'server:five_hour', 'official')), action: 'allow', state: 'warned', tells: ['safe stopping point', 'commit'] },
  { name: 'server 96% ahead of the line: slowed and wound down', in: input(five(0.96, 3, 'server:five_hour', 'official')), action: 'delay', state: 'pacing', tells: ['safe stopping point'] },
  // A limit the user wrote down acts like the server's.
  { name: 'explicit token limit used up: held', in: input(five(1.05, 2, 'local:config', 'configured', { limitTokens: 20_000, usedTokens: 21_000 })), action: 'deny', state: 'held', says: ['used up', 'local:config'] },
  { name: 'explicit token limit used up, after ccguard resume: passes with a warning', in: input(five(1.05, 2, 'local:config', 'configured'), { lifts: { five_hour: NOW + 2 * H } }), action: 'allow', state: 'warned', says: ['ccguard resume'] },
  { name: 'server 97% after ccguard resume: passes', in: input(five(0.97, 3.9, 'server:five_hour', 'official'), { lifts: { five_hour: NOW + 3.9 * H } }), action: 'allow', state: 'warned' },
  // The weekly window, and a window that is missing.
  { name: 'weekly used up on the server, 5-hour fine: held on the weekly', in: input(five(0.2, 4, 'server:five_hour', 'official', { weekly: { ...five(1.0, 30, 'server:seven_day', 'official'), window: 'seven_day' } })), action: 'deny', state: 'held', says: ['weekly limit'] },
  // `ccguard resume` lifts each hold on its own: a lift of one window leaves another held.
  { name: 'weekly used up, only the 5-hour hold lifted: still held on the weekly', in: input(five(1.0, 2, 'server:limit_line:five_hour', 'official', { weekly: { ...five(1.0, 30, 'server:seven_day', 'official'), window: 'seven_day' } }), { lifts: { five_hour: NOW + 2 * H } }), action: 'deny', state: 'held', says: ['weekly limit'] },
  { name: 'weekly used up and its hold lifted: passes with a warning', in: input(five(0.2, 4, 'server:five_hour', 'official', { weekly: { ...five(1.0, 30, 'server:seven_day', 'official'), window: 'seven_day' } }), { lifts: { seven_day: NOW + 30 * H } }), action: 'allow', state: 'warned' },
  { name: 'Opus limit with the 5-hour hold lifted: the Opus session is still held', in: input(five(0.3, 4, 'server:five_hour', 'official'), { sessionModel: 'claude-opus-4-5-20251101', modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }], lifts: { five_hour: NOW + 4 * H } }), action: 'deny', state: 'held', says: ['Opus'] },
  { name: 'no 5-hour figure at all (share unknown): nothing invented', in: input(five(0, 4, 'local:custom-default', 'unknown', { share: null, resetAt: null })), action: 'allow', state: 'normal' },
  // Model-family limits.
  { name: 'Opus limit, an Opus session: held', in: input(five(0.3, 4, 'server:five_hour', 'official'), { sessionModel: 'claude-opus-4-5-20251101', modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }] }), action: 'deny', state: 'held', says: ['Opus', 'switch model'] },
  { name: 'Opus limit, an Opus session, after ccguard resume: one story, the hold lifted in both messages', in: input(five(0.3, 4, 'server:five_hour', 'official'), { sessionModel: 'claude-opus-4-5-20251101', lifts: { opus: NOW + 30 * H }, modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }] }), action: 'allow', state: 'warned', user: ['lifted the hold'], tells: ['tool calls go on'], never: /held back/ },
  { name: 'Opus limit, a prompt in an Opus session: tools held, in both messages', in: input(five(0.3, 4, 'server:five_hour', 'official'), { hook: 'UserPromptSubmit', tool: null, sessionModel: 'claude-opus-4-5-20251101', modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }] }), action: 'allow', state: 'warned', tells: ['held back'], never: /lifted/ },
  { name: 'the way out is printed as it runs (PolicyInput.cli)', in: input(five(0.1, 4, 'local:p90', 'local_estimate'), { cli: "node '/opt/cc guard/bin/ccguard.js'", pause: { scope: 'global', kind: 'manual', until: NOW + H, reason: 'paused by hand' } }), action: 'deny', state: 'paused', says: ["Run `node '/opt/cc guard/bin/ccguard.js' resume` to lift it."] },
  { name: 'Opus limit until +30 h and the weekly limit used up until +80 h, an Opus session: the weekly one is named (it holds longer)', in: input(five(0.2, 4, 'server:five_hour', 'official', { weekly: { ...five(1.0, 80, 'server:limit_line:seven_day', 'official'), window: 'seven_day' } }), { sessionModel: 'claude-opus-4-5-20251101', modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }] }), action: 'deny', state: 'held', says: ['weekly limit', 'server:limit_line:seven_day'], never: /Opus/ },
  { name: 'Opus limit until +30 h and the 5-hour limit used up until +2 h, an Opus session: the Opus limit is named', in: input(five(1.0, 2, 'server:limit_line:five_hour', 'official'), { sessionModel: 'claude-opus-4-5-20251101', modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }] }), action: 'deny', state: 'held', says: ['Opus'] },
  { name: 'Opus limit, a Sonnet session: runs', in: input(five(0.3, 4, 'server:five_hour', 'official'), { sessionModel: 'claude-sonnet-4-5-20250929', modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }] }), action: 'allow', state: 'normal' },
  // Claude Code's automatic continue always reaches the model.
  { name: 'the auto-continue prompt while the limit line still stands', in: input(five(1.0, 0.01, 'server:limit_line:five_hour', 'official'), { hook: 'UserPromptSubmit', tool: null, prompt: `${AUTO_CONTINUE_PROMPT} Continue the task you were working on when the limit was reached; do not repeat work that is already complete.` }), action: 'allow', state: 'normal' },
  { name: 'the auto-continue prompt during a manual pause', in: input(five(0.1, 4, 'local:p90', 'local_estimate'), { hook: 'UserPromptSubmit', tool: null, prompt: AUTO_CONTINUE_PROMPT, pause: { scope: 'global', kind: 'manual', until: NOW + H, reason: 'paused by hand' } }), action: 'allow', state: 'normal' },
  // Pauses, backoff and cost, as before.
  { name: 'a manual pause denies, with the way out', in: input(five(0.1, 4, 'local:p90', 'local_estimate'), { pause: { scope: 'global', kind: 'manual', until: NOW + H, reason: 'paused by hand (ccguard pause)' } }), action: 'deny', state: 'paused', says: ['paused by hand', 'ccguard resume'] },
  { name: 'backoff within max_sleep: delayed', in: input(five(0.1, 4, 'local:p90', 'local_estimate'), { backoff: { level: 1, until: NOW + 10_000, lastErrorAt: NOW - 20_000 } }), action: 'delay', state: 'backoff', says: ['rate limited by the API'], user: ['waited 10s before running'] },
  { name: 'backoff beyond max_sleep: denied with the way out', in: input(five(0.1, 4, 'local:p90', 'local_estimate'), { backoff: { level: 3, until: NOW + 5 * MIN, lastErrorAt: NOW } }), action: 'deny', state: 'backoff', says: ['ccguard resume'] },
  { name: 'never_gate tools pass a hold', in: input(five(1.0, 1, 'server:five_hour', 'official'), { tool: 'TodoWrite' }), action: 'allow', state: 'normal' },
  { name: 'hard cost limit denies', in: input(five(0.1, 4, 'local:p90', 'local_estimate', { costUsd: 12 }), { config: cfg((c) => { c.alerts.hard_cost_limit = 10; }) }), action: 'deny', state: 'cost_limit', says: ['hard limit'] },
];

for (const r of ROWS) {
  test(`policy: ${r.name}`, () => {
    const v = evaluate(r.in);
    assert.equal(v.action, r.action, `action (reason: ${v.reason}; user: ${v.userMessage})`);
    assert.equal(v.state, r.state, `state (reason: ${v.reason}; user: ${v.userMessage})`);
    if (v.action === 'delay') {
      assert.ok(v.sleepMs > 0 && v.sleepMs <= r.in.config.recovery.max_sleep_seconds * 1000, `a delay within max_sleep_seconds (${v.sleepMs} ms)`);
    }
    const said = v.action === 'allow' ? (v.userMessage ?? '') : (v.reason ?? '');
    for (const s of r.says ?? []) assert.ok(said.includes(s), `says "${s}": ${said}`);
    for (const s of r.user ?? []) assert.ok((v.userMessage ?? '').includes(s), `shows the user "${s}": ${v.userMessage}`);
    for (const s of r.tells ?? []) assert.ok((v.modelContext ?? '').includes(s), `tells the model "${s}": ${v.modelContext}`);
    if (r.never) for (const t of [v.reason, v.userMessage, v.modelContext]) assert.doesNotMatch(t ?? '', r.never);
    // One answer, one story: a lift the user is told of is never a hold the model is told of.
    if (/lifted/.test(v.userMessage ?? '')) assert.doesNotMatch(v.modelContext ?? '', /held back/, `user: ${v.userMessage}; model: ${v.modelContext}`);
  });
}

test('policy: every hold names its source; an estimate never delays or denies at any share (sweep)', () => {
  for (const confidence of ['local_estimate', 'unknown'] as const) {
    for (let share = 0; share <= 1.5; share += 0.05) {
      for (const resetInH of [0.1, 1, 2.5, 4.9]) {
        const v = evaluate(input(five(share, resetInH, 'local:plan:max5', confidence)));
        assert.equal(v.action, 'allow', `${confidence} ${share} ${resetInH}h: ${v.reason}`);
      }
    }
  }
  for (let share = 0.9; share <= 1.2; share += 0.05) {
    const v = evaluate(input(five(share, 3, 'server:five_hour', 'official')));
    if (v.action !== 'allow') assert.match(v.reason ?? '', /server:five_hour/);
  }
});

test('policy: observe mode keeps the verdict but never blocks or delays', () => {
  const v = observed(evaluate(input(five(1.0, 1, 'server:five_hour', 'official'))));
  assert.equal(v.action, 'allow');
  assert.equal(v.state, 'held');
  // verdictFor applies observe mode from the config, and only then.
  const used = input(five(1.0, 1, 'server:five_hour', 'official'));
  assert.equal(verdictFor(used).action, 'deny');
  assert.deepEqual(verdictFor({ ...used, config: cfg((c) => (c.mode = 'observe')) }), observed(evaluate(used)));
});
