// The policy, table by table: every row is one situation and what the verdict must be. Pure: no
// clock, no store; the usage figures are built here as the sources would build them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { evaluate, observed, verdictFor, AUTO_CONTINUE_PROMPT } from '../../lib/policy/evaluate.ts';
import { render } from '../../lib/policy/messages.ts';
import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/schema.ts';
import type { Decision, PolicyInput, PolicyMessage } from '../../lib/policy/types.ts';
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
function five(
  share: number,
  resetInH: number,
  source: string,
  confidence: UsageConfidence,
  o: Partial<UsageView> = {},
): UsageView {
  return {
    source,
    window: 'five_hour',
    ageMs: 0,
    confidence,
    limitTokens: null,
    usedTokens: 0,
    share,
    projectedShare: null,
    projectionBasis: null,
    costUsd: 0,
    blockStart: NOW - (5 - resetInH) * H,
    resetAt: NOW + resetInH * H,
    tokensPerCall: 500,
    burnPerMinute: null,
    ...o,
  };
}

/** ccguard's own estimate at the start of a block: 11 responses of 800 output tokens in 10 minutes. */
function localStart(limitTokens: number, source: string, confidence: UsageConfidence): UsageView {
  const used = 11 * 800;
  return five(used / limitTokens, 5 - 10 / 60, source, confidence, {
    limitTokens,
    usedTokens: used,
    projectedShare: (used + (used / 10) * 290) / limitTokens,
    projectionBasis: { kind: 'local_block' },
    burnPerMinute: used / 10,
  });
}

function input(usage: UsageView, o: Partial<PolicyInput> = {}): PolicyInput {
  return {
    hook: 'PreToolUse',
    tool: 'Bash',
    sessionId: 's1',
    now: NOW,
    config: DEFAULTS,
    usage,
    sessionClockFrom: NOW - 10 * MIN,
    pause: null,
    backoff: null,
    forcedDegrade: false,
    ...o,
  };
}

/** A message's kind and the figures it must name (numbers within a rounding error). */
type Says = { kind: PolicyMessage['kind'] } & Record<string, unknown>;

interface Row {
  name: string;
  in: PolicyInput;
  action: Decision['action'];
  state: Decision['state'];
  /** The message the decision picks, with the figures it names (the words: test/policy/messages.test.ts). */
  says?: Says;
  /** The window the decision speaks of. */
  window?: Decision['window'];
  /** When the hold it makes ends. */
  holdUntil?: number | null;
}

const ROWS: Row[] = [
  // Estimates inform: a normal start of a block never delays or denies, whatever the plan.
  {
    name: 'default config (custom, no history) at a block start',
    in: input(localStart(44_000, 'local:custom-default', 'unknown')),
    action: 'allow',
    state: 'normal',
  },
  {
    name: 'plan max5 at a block start (11% used, projected far past)',
    in: input(localStart(88_000, 'local:plan:max5', 'local_estimate')),
    action: 'allow',
    state: 'normal',
  },
  {
    name: 'plan max20 at a block start',
    in: input(localStart(220_000, 'local:plan:max20', 'local_estimate')),
    action: 'allow',
    state: 'normal',
  },
  {
    name: 'P90 at a block start',
    in: input(localStart(19_000, 'local:p90', 'local_estimate')),
    action: 'allow',
    state: 'normal',
  },
  {
    name: 'P90 estimate at 85%: a warning that says estimate',
    in: input(five(0.85, 2, 'local:p90', 'local_estimate')),
    action: 'allow',
    state: 'warned',
    says: { kind: 'window_warning', share: 0.85, source: 'local:p90', confidence: 'local_estimate', lifted: false },
  },
  {
    name: 'plan estimate past 100%: warns, never holds',
    in: input(five(1.2, 2, 'local:plan:max5', 'local_estimate')),
    action: 'allow',
    state: 'warned',
    says: { kind: 'window_reached', share: 1.2, confidence: 'local_estimate', lifted: false },
  },
  {
    name: "claude-monitor's local estimate at 100%: warns",
    in: input(five(1.0, 1, 'claude-monitor:max5', 'local_estimate')),
    action: 'allow',
    state: 'warned',
    says: { kind: 'window_reached', share: 1, source: 'claude-monitor:max5', confidence: 'local_estimate' },
  },
  // The server's figures decide.
  {
    name: 'server 97% with 3.9 h to the reset: slowed, naming the server',
    in: input(five(0.97, 3.9, 'server:five_hour', 'official')),
    action: 'delay',
    state: 'pacing',
    says: { kind: 'pacing', share: 0.97, source: 'server:five_hour', confidence: 'official', line: 0.22 + 0.3 * 0.78 },
  },
  {
    name: 'server 42% early: nothing',
    in: input(five(0.42, 4, 'server:five_hour', 'official')),
    action: 'allow',
    state: 'normal',
  },
  {
    name: 'server 92% with 20 minutes left: on the pace line, warned only',
    in: input(five(0.92, 1 / 3, 'server:five_hour', 'official')),
    action: 'allow',
    state: 'warned',
    says: { kind: 'window_warning', share: 0.92, source: 'server:five_hour', confidence: 'official' },
  },
  {
    name: 'server 100%: tool calls held until the exact reset',
    in: input(five(1.0, 0.5, 'server:limit_line:five_hour', 'official')),
    action: 'deny',
    state: 'held',
    says: {
      kind: 'window_used_up',
      share: 1,
      source: 'server:limit_line:five_hour',
      resetAt: NOW + 30 * MIN,
      waitMs: 30 * MIN,
    },
    window: 'five_hour',
    holdUntil: NOW + 30 * MIN,
  },
  {
    name: 'server 100%, a prompt: passes, told the truth',
    in: input(five(1.0, 0.5, 'server:five_hour', 'official'), { hook: 'UserPromptSubmit', tool: null }),
    action: 'allow',
    state: 'held',
    says: { kind: 'window_used_up_prompt', share: 1, source: 'server:five_hour' },
  },
  {
    name: 'server 93%, a prompt: never says used up',
    in: input(five(0.93, 3, 'server:five_hour', 'official'), { hook: 'UserPromptSubmit', tool: null }),
    action: 'allow',
    state: 'pacing',
    says: { kind: 'pacing', share: 0.93, sleepMs: 0 },
  },
  {
    name: 'anchored estimate at 100% while it stands: held',
    in: input(five(1.01, 1, 'server:five_hour+local', 'anchored')),
    action: 'deny',
    state: 'held',
    says: { kind: 'window_used_up', source: 'server:five_hour+local', confidence: 'anchored' },
  },
  {
    name: 'server 96%: wind-down told to the model',
    in: input(five(0.96, 0.2, 'server:five_hour', 'official')),
    action: 'allow',
    state: 'warned',
    says: { kind: 'wind_down', share: 0.96, source: 'server:five_hour' },
  },
  {
    name: 'server 96% ahead of the line: slowed and wound down',
    in: input(five(0.96, 3, 'server:five_hour', 'official')),
    action: 'delay',
    state: 'pacing',
    says: { kind: 'pacing', share: 0.96, windDown: true },
  },
  // A limit the user wrote down acts like the server's.
  {
    name: 'explicit token limit used up: held',
    in: input(five(1.05, 2, 'local:config', 'configured', { limitTokens: 20_000, usedTokens: 21_000 })),
    action: 'deny',
    state: 'held',
    says: { kind: 'window_used_up', source: 'local:config', confidence: 'configured' },
  },
  {
    name: 'explicit token limit used up, after ccguard resume: passes with a warning',
    in: input(five(1.05, 2, 'local:config', 'configured'), { lifts: { five_hour: NOW + 2 * H } }),
    action: 'allow',
    state: 'warned',
    says: { kind: 'window_reached', source: 'local:config', lifted: true },
  },
  {
    name: 'server 97% after ccguard resume: passes',
    in: input(five(0.97, 3.9, 'server:five_hour', 'official'), { lifts: { five_hour: NOW + 3.9 * H } }),
    action: 'allow',
    state: 'warned',
    says: { kind: 'window_warning', share: 0.97, lifted: true },
  },
  // The weekly window, and a window that is missing.
  {
    name: 'weekly used up on the server, 5-hour fine: held on the weekly',
    in: input(
      five(0.2, 4, 'server:five_hour', 'official', {
        weekly: { ...five(1.0, 30, 'server:seven_day', 'official'), window: 'seven_day' },
      }),
    ),
    action: 'deny',
    state: 'held',
    says: {
      kind: 'window_used_up',
      window: 'seven_day',
      source: 'server:seven_day',
      resetAt: NOW + 30 * H,
      waitMs: 30 * H,
    },
    window: 'seven_day',
    holdUntil: NOW + 30 * H,
  },
  // `ccguard resume` lifts each hold on its own: a lift of one window leaves another held.
  {
    name: 'weekly used up, only the 5-hour hold lifted: still held on the weekly',
    in: input(
      five(1.0, 2, 'server:limit_line:five_hour', 'official', {
        weekly: { ...five(1.0, 30, 'server:seven_day', 'official'), window: 'seven_day' },
      }),
      { lifts: { five_hour: NOW + 2 * H } },
    ),
    action: 'deny',
    state: 'held',
    says: { kind: 'window_used_up', window: 'seven_day' },
    window: 'seven_day',
  },
  {
    name: 'weekly used up and its hold lifted: passes with a warning',
    in: input(
      five(0.2, 4, 'server:five_hour', 'official', {
        weekly: { ...five(1.0, 30, 'server:seven_day', 'official'), window: 'seven_day' },
      }),
      { lifts: { seven_day: NOW + 30 * H } },
    ),
    action: 'allow',
    state: 'warned',
    says: { kind: 'window_reached', window: 'seven_day', lifted: true },
    window: 'seven_day',
  },
  {
    name: 'Opus limit with the 5-hour hold lifted: the Opus session is still held',
    in: input(five(0.3, 4, 'server:five_hour', 'official'), {
      sessionModel: 'claude-opus-4-5-20251101',
      modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }],
      lifts: { five_hour: NOW + 4 * H },
    }),
    action: 'deny',
    state: 'held',
    says: { kind: 'model_limit_held', family: 'opus' },
  },
  {
    name: 'no 5-hour figure at all (share unknown): nothing invented',
    in: input(five(0, 4, 'local:custom-default', 'unknown', { share: null, resetAt: null })),
    action: 'allow',
    state: 'normal',
  },
  // Model-family limits.
  {
    name: 'Opus limit, an Opus session: held',
    in: input(five(0.3, 4, 'server:five_hour', 'official'), {
      sessionModel: 'claude-opus-4-5-20251101',
      modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }],
    }),
    action: 'deny',
    state: 'held',
    says: {
      kind: 'model_limit_held',
      family: 'opus',
      until: NOW + 30 * H,
      waitMs: 30 * H,
      limitLine: "You've hit your Opus limit",
    },
    holdUntil: NOW + 30 * H,
  },
  {
    name: 'Opus limit, an Opus session, after ccguard resume: one story, the hold lifted in both messages',
    in: input(five(0.3, 4, 'server:five_hour', 'official'), {
      sessionModel: 'claude-opus-4-5-20251101',
      lifts: { opus: NOW + 30 * H },
      modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }],
    }),
    action: 'allow',
    state: 'warned',
    says: { kind: 'model_limit', family: 'opus', lifted: true },
  },
  {
    name: 'Opus limit, a prompt in an Opus session: tools held, in both messages',
    in: input(five(0.3, 4, 'server:five_hour', 'official'), {
      hook: 'UserPromptSubmit',
      tool: null,
      sessionModel: 'claude-opus-4-5-20251101',
      modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }],
    }),
    action: 'allow',
    state: 'warned',
    says: { kind: 'model_limit', family: 'opus', lifted: false },
  },
  {
    name: 'the way out is printed as it runs (PolicyInput.cli)',
    in: input(five(0.1, 4, 'local:p90', 'local_estimate'), {
      cli: () => "node '/opt/cc guard/bin/ccguard.js'",
      pause: { scope: 'global', kind: 'manual', until: NOW + H, reason: 'paused by hand' },
    }),
    action: 'deny',
    state: 'paused',
    says: { kind: 'paused', reason: 'paused by hand' },
  },
  {
    name: 'Opus limit until +30 h and the weekly limit used up until +80 h, an Opus session: the weekly one is named (it holds longer)',
    in: input(
      five(0.2, 4, 'server:five_hour', 'official', {
        weekly: { ...five(1.0, 80, 'server:limit_line:seven_day', 'official'), window: 'seven_day' },
      }),
      {
        sessionModel: 'claude-opus-4-5-20251101',
        modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }],
      },
    ),
    action: 'deny',
    state: 'held',
    says: { kind: 'window_used_up', window: 'seven_day', source: 'server:limit_line:seven_day', resetAt: NOW + 80 * H },
    window: 'seven_day',
    holdUntil: NOW + 80 * H,
  },
  {
    name: 'Opus limit until +30 h and the 5-hour limit used up until +2 h, an Opus session: the Opus limit is named',
    in: input(five(1.0, 2, 'server:limit_line:five_hour', 'official'), {
      sessionModel: 'claude-opus-4-5-20251101',
      modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }],
    }),
    action: 'deny',
    state: 'held',
    says: { kind: 'model_limit_held', family: 'opus', until: NOW + 30 * H },
    holdUntil: NOW + 30 * H,
  },
  {
    name: 'Opus limit, a Sonnet session: runs',
    in: input(five(0.3, 4, 'server:five_hour', 'official'), {
      sessionModel: 'claude-sonnet-4-5-20250929',
      modelHolds: [{ family: 'opus', until: NOW + 30 * H, text: "You've hit your Opus limit" }],
    }),
    action: 'allow',
    state: 'normal',
  },
  // Claude Code's automatic continue always reaches the model.
  {
    name: 'the auto-continue prompt while the limit line still stands',
    in: input(five(1.0, 0.01, 'server:limit_line:five_hour', 'official'), {
      hook: 'UserPromptSubmit',
      tool: null,
      prompt: `${AUTO_CONTINUE_PROMPT} Continue the task you were working on when the limit was reached; do not repeat work that is already complete.`,
    }),
    action: 'allow',
    state: 'normal',
  },
  {
    name: 'the auto-continue prompt during a manual pause',
    in: input(five(0.1, 4, 'local:p90', 'local_estimate'), {
      hook: 'UserPromptSubmit',
      tool: null,
      prompt: AUTO_CONTINUE_PROMPT,
      pause: { scope: 'global', kind: 'manual', until: NOW + H, reason: 'paused by hand' },
    }),
    action: 'allow',
    state: 'normal',
  },
  // Pauses, backoff and cost, as before.
  {
    name: 'a manual pause denies, with the way out',
    in: input(five(0.1, 4, 'local:p90', 'local_estimate'), {
      pause: { scope: 'global', kind: 'manual', until: NOW + H, reason: 'paused by hand (ccguard pause)' },
    }),
    action: 'deny',
    state: 'paused',
    says: { kind: 'paused', reason: 'paused by hand (ccguard pause)', until: NOW + H, waitMs: H },
    holdUntil: NOW + H,
  },
  {
    name: 'backoff within max_sleep: delayed',
    in: input(five(0.1, 4, 'local:p90', 'local_estimate'), {
      backoff: { level: 1, until: NOW + 10_000, lastErrorAt: NOW - 20_000 },
    }),
    action: 'delay',
    state: 'backoff',
    says: { kind: 'backoff_sleep', level: 1, until: NOW + 10_000, waitMs: 10_000, toUser: true },
  },
  {
    name: 'backoff beyond max_sleep: denied with the way out',
    in: input(five(0.1, 4, 'local:p90', 'local_estimate'), {
      backoff: { level: 3, until: NOW + 5 * MIN, lastErrorAt: NOW },
    }),
    action: 'deny',
    state: 'backoff',
    says: { kind: 'backoff_hold', level: 3, until: NOW + 5 * MIN, waitMs: 5 * MIN },
    holdUntil: NOW + 5 * MIN,
  },
  {
    name: 'never_gate tools pass a hold',
    in: input(five(1.0, 1, 'server:five_hour', 'official'), { tool: 'TodoWrite' }),
    action: 'allow',
    state: 'normal',
  },
  {
    name: 'hard cost limit denies',
    in: input(five(0.1, 4, 'local:p90', 'local_estimate', { costUsd: 12 }), {
      config: cfg((c) => {
        c.alerts.hard_cost_limit = 10;
      }),
    }),
    action: 'deny',
    state: 'cost_limit',
    says: { kind: 'hard_cost_limit', costUsd: 12, limitUsd: 10, resetAt: NOW + 4 * H },
    holdUntil: NOW + 4 * H,
  },
];

/** Whether the message names each figure of `want` (numbers within a rounding error). */
function assertSays(m: PolicyMessage | null, want: Says, what: string): void {
  assert.ok(m !== null, `${what}: a message`);
  const got = m as unknown as Record<string, unknown>;
  for (const [k, w] of Object.entries(want)) {
    if (typeof w === 'number' && typeof got[k] === 'number')
      assert.ok(Math.abs(got[k] - w) < 1e-9, `${what}: ${k} ${String(got[k])}, wanted ${w}`);
    else assert.deepEqual(got[k], w, `${what}: ${k}`);
  }
}

for (const r of ROWS) {
  test(`policy: ${r.name}`, () => {
    const d = evaluate(r.in);
    const seen = JSON.stringify(d.message);
    assert.equal(d.action, r.action, `action (${seen})`);
    assert.equal(d.state, r.state, `state (${seen})`);
    if (d.action === 'delay') {
      assert.ok(
        d.sleepMs > 0 && d.sleepMs <= r.in.config.recovery.max_sleep_seconds * 1000,
        `a delay within max_sleep_seconds (${d.sleepMs} ms)`,
      );
    }
    if (r.says) assertSays(d.message, r.says, r.name);
    // Nothing in force says nothing.
    if (d.state === 'normal') assert.equal(d.message, null, seen);
    if (r.window !== undefined) assert.equal(d.window, r.window);
    if (r.holdUntil !== undefined) assert.equal(d.holdUntil, r.holdUntil);
    // One answer, one story: a lift the user is told of is never a hold the model is told of.
    const v = render(d, r.in);
    if (/lifted/.test(v.userMessage ?? ''))
      assert.doesNotMatch(v.modelContext ?? '', /held back/, `user: ${v.userMessage}; model: ${v.modelContext}`);
  });
}

test('policy: every hold names its source; an estimate never delays or denies at any share (sweep)', () => {
  for (const confidence of ['local_estimate', 'unknown'] as const) {
    for (let share = 0; share <= 1.5; share += 0.05) {
      for (const resetInH of [0.1, 1, 2.5, 4.9]) {
        const d = evaluate(input(five(share, resetInH, 'local:plan:max5', confidence)));
        assert.equal(d.action, 'allow', `${confidence} ${share} ${resetInH}h: ${JSON.stringify(d.message)}`);
      }
    }
  }
  for (let share = 0.9; share <= 1.2; share += 0.05) {
    const d = evaluate(input(five(share, 3, 'server:five_hour', 'official')));
    if (d.action !== 'allow')
      assertSays(d.message, { kind: d.message?.kind ?? 'paused', source: 'server:five_hour' }, `server ${share}`);
  }
});

test('policy: observe mode keeps the decision but never blocks or delays', () => {
  const d = observed(evaluate(input(five(1.0, 1, 'server:five_hour', 'official'))));
  assert.equal(d.action, 'allow');
  assert.equal(d.state, 'held');
  assert.equal(d.message?.kind, 'window_used_up', 'the message stays');
  // verdictFor applies observe mode from the config, and only then.
  const used = input(five(1.0, 1, 'server:five_hour', 'official'));
  assert.equal(verdictFor(used).action, 'deny');
  assert.deepEqual(
    verdictFor({ ...used, config: cfg((c) => (c.mode = 'observe')) }),
    render(observed(evaluate(used)), used),
  );
});
