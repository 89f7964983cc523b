// The policy's words: each message kind rendered once, in full, as the hook, `status` and `wait`
// print it. The decisions themselves are tested in evaluate.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { render, sourceText, type RenderAt } from '../../lib/policy/messages.ts';
import { verdictFor } from '../../lib/policy/evaluate.ts';
import { loadConfig } from '../../lib/config/load.ts';
import type { Decision, PolicyMessage, UsageView } from '../../lib/policy/types.ts';

const H = 3_600_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 6, 12, 0);
const AT: RenderAt = { now: NOW };

/** A decision that says `m`, with a notice key so that its notice shows. */
function decision(m: PolicyMessage, o: Partial<Decision> = {}): Decision {
  return {
    action: 'allow',
    sleepMs: 0,
    state: 'warned',
    message: m,
    onceKey: null,
    noticeKey: 'k',
    startPause: null,
    ...o,
  };
}

/** The texts of a message: what the edges print. */
function said(
  m: PolicyMessage,
  at: RenderAt = AT,
): {
  reason: string | null;
  user: string | null;
  model: string | null;
  notice: { title: string; message: string } | null;
} {
  const v = render(decision(m), at);
  return {
    reason: v.reason,
    user: v.userMessage,
    model: v.modelContext,
    notice: v.notice && { title: v.notice.title, message: v.notice.message },
  };
}

const FIVE = {
  window: 'five_hour',
  share: 1,
  source: 'server:limit_line:five_hour',
  confidence: 'official',
  resetAt: NOW + 30 * MIN,
} as const;
const LIFT = 'Run `ccguard resume` to lift it.';

test('messages: a pause in force', () => {
  assert.deepEqual(said({ kind: 'paused', reason: 'paused by hand (ccguard pause)', until: NOW + H, waitMs: H }), {
    reason: `ccguard: paused by hand (ccguard pause). Paused until 13:00 (60 min from now). ${LIFT}`,
    user: null,
    model: null,
    notice: null,
  });
});

test('messages: a session time pause, and the reason the pause is recorded with', () => {
  const m: PolicyMessage = {
    kind: 'session_time_paused',
    ranMs: 5 * H + 2 * MIN,
    thresholdHours: 5,
    until: NOW + 30 * MIN,
    waitMs: 30 * MIN,
  };
  assert.deepEqual(said(m), {
    reason: `ccguard: this session has run 5h 02m, past the 5h limit (alerts.time_threshold). Paused until 12:30 (30 min from now). ${LIFT}`,
    user: null,
    model: null,
    notice: { title: 'ccguard: session paused', message: 'Session ran 5h 02m; paused until 12:30.' },
  });
  const v = render(
    decision(m, { startPause: { until: NOW + 30 * MIN, ranMs: 5 * H + 2 * MIN, thresholdHours: 5 } }),
    AT,
  );
  assert.deepEqual(v.startPause, {
    until: NOW + 30 * MIN,
    reason: 'this session has run 5h 02m, past the 5h limit (alerts.time_threshold)',
  });
});

test('messages: the hard cost limit', () => {
  assert.deepEqual(said({ kind: 'hard_cost_limit', costUsd: 12, limitUsd: 10, resetAt: NOW + 4 * H }), {
    reason:
      'ccguard: this 5-hour block has cost $12.00, past the hard limit of $10.00 (alerts.hard_cost_limit). Everything is denied until the block resets at 16:00.',
    user: null,
    model: null,
    notice: { title: 'ccguard: hard cost limit', message: 'Block cost $12.00 ≥ $10.00: tools denied.' },
  });
  assert.match(
    said({ kind: 'hard_cost_limit', costUsd: 12, limitUsd: 10, resetAt: null }).reason ?? '',
    /until the block resets\.$/,
    'no reset known: none named',
  );
});

test("messages: a backoff slept through (the user told of a tool call's wait, never of a prompt's)", () => {
  assert.deepEqual(said({ kind: 'backoff_sleep', level: 1, until: NOW + 10_000, waitMs: 10_000, toUser: true }), {
    reason: 'ccguard: rate limited by the API (1 in a row); backing off until 12:00',
    user: 'ccguard: the API rate-limited this session (1 in a row); this tool call waited 10s before running.',
    model: null,
    notice: null,
  });
  assert.equal(
    said({ kind: 'backoff_sleep', level: 1, until: NOW + 10_000, waitMs: 10_000, toUser: false }).user,
    null,
  );
});

test('messages: a backoff that holds', () => {
  assert.deepEqual(said({ kind: 'backoff_hold', level: 3, until: NOW + 5 * MIN, waitMs: 5 * MIN }), {
    reason: `ccguard: rate limited by the API (3 in a row); backing off until 12:05, 5 min from now. Wait, then retry. ${LIFT}`,
    user: null,
    model: null,
    notice: null,
  });
});

test('messages: a tool the cost degradation turned off, by the cost and by hand (never said to be the cost then)', () => {
  assert.deepEqual(said({ kind: 'tool_off', tool: 'WebSearch', costUsd: 6, thresholdUsd: 5, byHand: false }), {
    reason:
      'ccguard: this 5-hour block has cost $6.00, past $5.00 (alerts.cost_threshold), so WebSearch is off. Finish the task economically with the tools you have.',
    user: null,
    model: null,
    notice: { title: 'ccguard: cost threshold', message: 'Block cost $6.00 passed $5.00: expensive tools are off.' },
  });
  assert.deepEqual(said({ kind: 'tool_off', tool: 'WebSearch', costUsd: 1, thresholdUsd: 5, byHand: true }), {
    reason:
      'ccguard: WebSearch is off because the cost alert was fired by hand (ccguard alert cost), not because of the cost: ' +
      `this 5-hour block has cost $1.00 of the $5.00 threshold (alerts.cost_threshold). Finish the task economically with the tools you have. ${LIFT}`,
    user: null,
    model: null,
    notice: {
      title: 'ccguard: cost alert fired by hand',
      message:
        'Expensive tools are off (ccguard alert cost); this 5-hour block has cost $1.00 of the $5.00 threshold (alerts.cost_threshold).',
    },
  });
});

test('messages: the cost degradation, by the cost and by hand', () => {
  assert.deepEqual(
    said({ kind: 'degraded', tools: ['WebSearch', 'Task'], costUsd: 6, thresholdUsd: 5, byHand: false }),
    {
      reason: null,
      user: 'ccguard: block cost $6.00 passed $5.00 (alerts.cost_threshold); WebSearch, Task are off.',
      model:
        'ccguard: the cost threshold for this 5-hour block is passed. WebSearch, Task are unavailable; finish the task economically.',
      notice: { title: 'ccguard: cost threshold', message: 'Block cost $6.00 passed $5.00: expensive tools are off.' },
    },
  );
  const byHand = said({ kind: 'degraded', tools: ['WebSearch', 'Task'], costUsd: 1, thresholdUsd: 5, byHand: true });
  assert.equal(
    byHand.user,
    `ccguard: the cost alert was fired by hand (ccguard alert cost): WebSearch, Task are off for now; this 5-hour block has cost $1.00 of the $5.00 threshold (alerts.cost_threshold). ${LIFT}`,
  );
  assert.equal(
    byHand.model,
    'ccguard: WebSearch, Task are unavailable for now (turned off by hand); finish the task economically.',
  );
  assert.equal(byHand.notice?.title, 'ccguard: cost alert fired by hand');
});

test('messages: a window reached by an estimate, and by the server after `ccguard resume`', () => {
  assert.deepEqual(
    said({
      kind: 'window_reached',
      ...FIVE,
      share: 1.2,
      source: 'local:plan:max5',
      confidence: 'local_estimate',
      lifted: false,
    }),
    {
      reason: null,
      user: 'ccguard: 120% of the 5-hour limit used (estimate: local:plan:max5). It resets at 12:30 (30 min from now).',
      model:
        "ccguard: by ccguard's estimate the 5-hour limit is reached (120%, estimate: local:plan:max5). It resets at 12:30 (30 min from now). Bring the work to a safe stopping point.",
      notice: {
        title: 'ccguard: 5-hour limit reached',
        message: '120% of the 5-hour limit used (estimate: local:plan:max5). It resets at 12:30 (30 min from now).',
      },
    },
  );
  const lifted = said({ kind: 'window_reached', ...FIVE, lifted: true });
  assert.equal(
    lifted.user,
    'ccguard: 100% of the 5-hour limit used (server:limit_line:five_hour) (`ccguard resume` lifted the hold for now). It resets at 12:30 (30 min from now).',
  );
  assert.match(lifted.model ?? '', /^ccguard: by the server the 5-hour limit is reached/);
  assert.doesNotMatch(lifted.model ?? '', /held back/, 'one story: a lifted hold is never told to the model as a hold');
});

test('messages: a used-up window met by a prompt', () => {
  assert.deepEqual(said({ kind: 'window_used_up_prompt', ...FIVE }), {
    reason: null,
    user: `ccguard: the 5-hour limit is used up (100%, server:limit_line:five_hour); tool calls wait until 12:30. ${LIFT}`,
    model:
      'ccguard: the 5-hour limit is used up (100%, server:limit_line:five_hour). Tool calls are held back until 12:30; answer briefly without tools or tell the user to wait.',
    notice: {
      title: 'ccguard: 5-hour limit reached',
      message: '100% of the 5-hour limit used (server:limit_line:five_hour). It resets at 12:30 (30 min from now).',
    },
  });
});

test('messages: a used-up window holds a tool call until the reset; the weekly one names its day', () => {
  assert.deepEqual(said({ kind: 'window_used_up', ...FIVE, waitMs: 30 * MIN }), {
    reason: `ccguard: the 5-hour limit is used up (100%, server:limit_line:five_hour). Wait 30 min, until 12:30. ${LIFT}`,
    user: null,
    model: null,
    notice: {
      title: 'ccguard: 5-hour limit reached',
      message: '100% of the 5-hour limit used (server:limit_line:five_hour). It resets at 12:30 (30 min from now).',
    },
  });
  const weekly = said({
    kind: 'window_used_up',
    ...FIVE,
    window: 'seven_day',
    source: 'server:seven_day',
    resetAt: NOW + 30 * H,
    waitMs: 30 * H,
  });
  assert.equal(
    weekly.reason,
    `ccguard: the weekly limit is used up (100%, server:seven_day). Wait 30h 00m, until Mon 18:00. ${LIFT}`,
  );
  assert.equal(weekly.notice?.title, 'ccguard: weekly limit reached');
  assert.equal(
    said({ kind: 'window_used_up', ...FIVE, resetAt: null, waitMs: 0 }).reason,
    `ccguard: the 5-hour limit is used up (100%, server:limit_line:five_hour). ${LIFT}`,
  );
});

test('messages: pacing, alone and with the wind-down', () => {
  const m = {
    kind: 'pacing',
    ...FIVE,
    share: 0.97,
    source: 'server:five_hour',
    resetAt: NOW + 3.9 * H,
    line: 0.454,
    sleepMs: 20_000,
    windDown: false,
  } as const;
  const reason =
    'ccguard: 97% of the 5-hour limit used (server:five_hour), ahead of the pace line (45% by now): slowing tool calls by 20s so the rest lasts until the reset';
  assert.deepEqual(said(m), {
    reason,
    user: 'ccguard: 97% of the 5-hour limit used (server:five_hour), ahead of the pace line (45% by now); slowing tool calls so it lasts until 15:54.',
    model:
      'ccguard: 97% of the 5-hour limit is used (server:five_hour) and tool calls are being slowed. Work economically: prefer fewer, larger steps.',
    notice: {
      title: 'ccguard: pacing',
      message:
        '97% of the 5-hour limit used (server:five_hour), ahead of the pace line (45% by now); slowing tool calls.',
    },
  });
  const wound = said({ ...m, windDown: true });
  assert.equal(wound.reason, reason);
  assert.match(wound.model ?? '', /safe stopping point now/);
  assert.equal(wound.notice?.title, 'ccguard: wind down');
  for (const t of Object.values(said({ ...m, sleepMs: 0 })))
    assert.doesNotMatch(JSON.stringify(t), /used up/, 'pacing never says used up');
});

test('messages: the wind-down', () => {
  assert.deepEqual(
    said({ kind: 'wind_down', ...FIVE, share: 0.96, source: 'server:five_hour', resetAt: NOW + 12 * MIN }),
    {
      reason: null,
      user: 'ccguard: 96% of the 5-hour limit used (server:five_hour); the model was told to wind down. It resets at 12:12 (12 min from now).',
      model:
        'ccguard: 96% of the 5-hour limit is used (server:five_hour). It resets at 12:12 (12 min from now). Bring your work to a safe stopping point now: ' +
        'finish the current step, commit or save what you have, and leave a short note of what is left, before the limit stops you mid-task.',
      notice: {
        title: 'ccguard: wind down',
        message: '96% of the 5-hour limit used (server:five_hour); the model was told to reach a safe stopping point.',
      },
    },
  );
});

test('messages: a threshold warning (a configured limit, with the tokens left)', () => {
  assert.deepEqual(
    said({
      kind: 'window_warning',
      ...FIVE,
      share: 0.85,
      source: 'local:config',
      confidence: 'configured',
      resetAt: NOW + 2 * H,
      lifted: false,
      tokensLeft: 3000,
    }),
    {
      reason: null,
      user: 'ccguard: 85% of the 5-hour limit used (local:config, the limit in your config). It resets at 14:00 (2h 00m from now).',
      model:
        'ccguard: 85% of the 5-hour limit is used (local:config, the limit in your config). About 3000 tokens are left. It resets at 14:00 (2h 00m from now). Keep the remaining work focused.',
      notice: {
        title: 'ccguard: 5-hour threshold',
        message:
          '85% of the 5-hour limit used (local:config, the limit in your config). It resets at 14:00 (2h 00m from now).',
      },
    },
  );
  const lifted = said({
    kind: 'window_warning',
    ...FIVE,
    share: 0.97,
    window: 'seven_day',
    resetAt: null,
    lifted: true,
    tokensLeft: null,
  });
  assert.equal(
    lifted.user,
    'ccguard: 97% of the weekly limit used (server:limit_line:five_hour) (`ccguard resume` lifted the hold for now).',
  );
  assert.equal(lifted.notice?.title, 'ccguard: weekly threshold');
});

test('messages: a projection (advice only: no notice, nothing told to the model)', () => {
  assert.deepEqual(
    said({
      kind: 'window_projected',
      ...FIVE,
      share: 0.42,
      source: 'server:five_hour',
      resetAt: NOW + 2 * H,
      basis: { kind: 'server_readings', spanMin: 12 },
    }),
    {
      reason: null,
      user: "ccguard: at the pace measured from the server's readings over 12 min, the 5-hour limit would be reached before its reset (42% used now, server:five_hour). It resets at 14:00 (2h 00m from now).",
      model: null,
      notice: null,
    },
  );
});

test("messages: a model family's limit met by a prompt, and after `ccguard resume` (one story)", () => {
  const m = {
    kind: 'model_limit',
    family: 'opus',
    until: NOW + 30 * H,
    limitLine: "You've hit your Opus limit",
    lifted: false,
  } as const;
  assert.deepEqual(said(m), {
    reason: null,
    user: 'ccguard: Claude\'s Opus limit is reached (server:limit_line: "You\'ve hit your Opus limit"); this session runs on Opus. It resets at Mon 18:00.',
    model:
      'ccguard: the Opus usage limit is reached until Mon 18:00 (server:limit_line); tool calls on Opus are held back. Switch model (/model) or tell the user.',
    notice: {
      title: 'ccguard: Opus limit reached',
      message: 'Opus sessions held until Mon 18:00; other models go on.',
    },
  });
  const lifted = said({ ...m, lifted: true });
  assert.equal(
    lifted.user,
    'ccguard: Claude\'s Opus limit is reached (server:limit_line: "You\'ve hit your Opus limit"); this session runs on Opus. It resets at Mon 18:00. (`ccguard resume` lifted the hold for now)',
  );
  assert.equal(
    lifted.model,
    "ccguard: the Opus usage limit is reached until Mon 18:00 (server:limit_line); the user lifted ccguard's hold (ccguard resume), so tool calls go on, but Claude may refuse Opus requests until then. Switch model (/model) if it does.",
  );
  assert.doesNotMatch(lifted.model ?? '', /held back/);
  assert.equal(said({ ...m, family: 'sonnet' }).notice?.title, 'ccguard: Sonnet limit reached');
});

test("messages: a model family's limit holds a tool call (the limit line cut at 80 characters)", () => {
  assert.deepEqual(
    said({
      kind: 'model_limit_held',
      family: 'opus',
      until: NOW + 30 * H,
      limitLine: "You've hit your Opus limit",
      waitMs: 30 * H,
    }),
    {
      reason: `ccguard: Claude's Opus limit is reached (server:limit_line: "You've hit your Opus limit") and this session runs on Opus. Wait 30h 00m, until Mon 18:00, or switch model (/model). ${LIFT}`,
      user: null,
      model: null,
      notice: {
        title: 'ccguard: Opus limit reached',
        message: 'Opus sessions held until Mon 18:00; other models go on.',
      },
    },
  );
  const long = said({
    kind: 'model_limit_held',
    family: 'opus',
    until: NOW + 30 * H,
    limitLine: 'x'.repeat(100),
    waitMs: 30 * H,
  });
  assert.ok(long.reason?.includes(`"${'x'.repeat(80)}")`), long.reason ?? '');
});

test('messages: where a figure comes from', () => {
  const u = (source: string, confidence: UsageView['confidence']) => sourceText({ source, confidence });
  assert.equal(u('server:five_hour', 'official'), 'server:five_hour');
  assert.equal(u('server:five_hour+local', 'anchored'), 'server:five_hour+local');
  assert.equal(u('local:config', 'configured'), 'local:config, the limit in your config');
  assert.equal(u('local:p90', 'local_estimate'), 'estimate: local:p90');
  assert.equal(u('local:custom-default', 'unknown'), 'estimate: local:custom-default');
});

test("render: the decision's facts pass through; a notice only with its key; nothing said, no words", () => {
  const m: PolicyMessage = { kind: 'window_used_up', ...FIVE, waitMs: 30 * MIN };
  const v = render(
    decision(m, {
      action: 'deny',
      state: 'held',
      onceKey: 'o',
      noticeKey: 'limit:x',
      holdUntil: NOW + 30 * MIN,
      window: 'five_hour',
    }),
    AT,
  );
  assert.equal(v.action, 'deny');
  assert.equal(v.state, 'held');
  assert.equal(v.onceKey, 'o');
  assert.equal(v.notice?.key, 'limit:x');
  assert.equal(v.holdUntil, NOW + 30 * MIN);
  assert.equal(v.window, 'five_hour');
  assert.equal(render(decision(m, { noticeKey: null }), AT).notice, null);
  assert.deepEqual(
    render(
      { action: 'allow', sleepMs: 0, state: 'normal', message: null, onceKey: null, noticeKey: null, startPause: null },
      AT,
    ),
    {
      action: 'allow',
      sleepMs: 0,
      state: 'normal',
      reason: null,
      userMessage: null,
      modelContext: null,
      onceKey: null,
      startPause: null,
      notice: null,
    },
  );
});

test('messages: the way out is printed as it runs (PolicyInput.cli, through verdictFor)', () => {
  const config = loadConfig(join('/nonexistent', 'config.yaml')).config;
  const usage: UsageView = {
    source: 'local:p90',
    window: 'five_hour',
    ageMs: 0,
    confidence: 'local_estimate',
    limitTokens: null,
    usedTokens: 0,
    share: 0.1,
    projectedShare: null,
    projectionBasis: null,
    costUsd: 0,
    blockStart: NOW - H,
    resetAt: NOW + 4 * H,
    tokensPerCall: 500,
    burnPerMinute: null,
  };
  const v = verdictFor({
    hook: 'PreToolUse',
    tool: 'Bash',
    sessionId: 's1',
    now: NOW,
    config,
    usage,
    sessionClockFrom: NOW - 10 * MIN,
    backoff: null,
    forcedDegrade: false,
    cli: () => "node '/opt/cc guard/bin/ccguard.js'",
    pause: { scope: 'global', kind: 'manual', until: NOW + H, reason: 'paused by hand' },
  });
  assert.ok(v.reason?.includes("Run `node '/opt/cc guard/bin/ccguard.js' resume` to lift it."), v.reason ?? '');
});
