// The events table on a temporary database: what each query returns, and what it leaves out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';

test('events: list (after an id, by session or prefix, decisions only, the last N), and what the reports ask', (t) => {
  const s = tmpStore(t);
  const id1 = s.events.insert({
    ts: 1000,
    hook: 'PreToolUse',
    decision: 'allow',
    session_id: 'abc-1',
    duration_ms: 30,
  });
  s.events.insert({
    ts: 2000,
    hook: 'PreToolUse',
    decision: 'delay',
    session_id: 'abc-1',
    sleep_ms: 500,
    reason: 'pacing',
    duration_ms: 40,
  });
  s.events.insert({ ts: 3000, hook: 'UserPromptSubmit', decision: 'deny', session_id: 'abd-2', reason: 'limit' });
  s.events.insert({ ts: 4000, hook: 'Stop', decision: 'record', session_id: 'abd-2' });
  s.events.insert({ ts: 5000, hook: 'cli', decision: 'resume' });
  const row = s.events.list({ limit: 1 })[0]!;
  assert.deepEqual(
    [row.hook, row.session_id, row.tool, row.sleep_ms, row.detail],
    ['cli', null, null, 0, null],
    'what a writer leaves out',
  );
  assert.deepEqual(
    s.events.list({ sinceId: id1 }).map((e) => e.ts),
    [2000, 3000, 4000, 5000],
  );
  assert.deepEqual(
    s.events.list({ sessionId: 'abd-2' }).map((e) => e.ts),
    [3000, 4000],
  );
  assert.deepEqual(
    s.events.list({ sessionPrefix: 'abc' }).map((e) => e.ts),
    [1000, 2000],
  );
  assert.deepEqual(
    s.events.list({ decisionsOnly: true }).map((e) => e.decision),
    ['delay', 'deny', 'resume'],
  );
  assert.deepEqual(
    s.events.list({ limit: 2 }).map((e) => e.ts),
    [4000, 5000],
    'the last N, oldest first',
  );
  assert.deepEqual(s.events.sessionsStartingWith('ab'), ['abc-1', 'abd-2']);
  assert.equal(s.events.anyFromHooks(), true);
  assert.equal(s.events.lastRunAt('PreToolUse'), 2000);
  assert.equal(s.events.lastRunAt('SessionEnd'), undefined);
  assert.deepEqual(
    s.events.actedBetween(0, 4500).map((e) => e.decision),
    ['delay', 'deny'],
  );
  assert.deepEqual(
    s.events.decisionCounts(0, 10_000).sort((a, b) => a.session_id.localeCompare(b.session_id)),
    [
      { session_id: 'abc-1', decision: 'delay', n: 1 },
      { session_id: 'abd-2', decision: 'deny', n: 1 },
    ],
    'sessions only, acted only',
  );
  assert.deepEqual(s.events.latencies('PreToolUse'), [40, 30], 'newest first');
  s.events.prune(3000);
  assert.deepEqual(
    s.events.list().map((e) => e.ts),
    [3000, 4000, 5000],
  );
});

test('events: anyFromHooks is false while only the CLI has written', (t) => {
  const s = tmpStore(t);
  s.events.insert({ ts: 1, hook: 'cli', decision: 'pause' });
  assert.equal(s.events.anyFromHooks(), false);
});
