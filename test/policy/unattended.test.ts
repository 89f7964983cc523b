import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forUnattended, isUnattended } from '../../lib/policy/unattended.ts';
import type { Verdict } from '../../lib/policy/types.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const S = 1000;

const deny = (holdUntil: number | null | undefined): Verdict => ({
  action: 'deny',
  sleepMs: 0,
  state: 'held',
  reason: 'ccguard: the 5-hour limit is used up (100%, server:limit_line).',
  userMessage: null,
  modelContext: null,
  onceKey: null,
  startPause: null,
  notice: null,
  ...(holdUntil === undefined ? {} : { holdUntil }),
});

test('isUnattended: what Claude Code 2.1.330 tells its hooks, and the SDK entrypoint without it', () => {
  assert.equal(isUnattended({ CLAUDE_CODE_SESSION_ATTENDED: '0', CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' }), true);
  assert.equal(isUnattended({ CLAUDE_CODE_SESSION_ATTENDED: '1', CLAUDE_CODE_ENTRYPOINT: 'cli' }), false);
  assert.equal(
    isUnattended({ CLAUDE_CODE_SESSION_ATTENDED: '1', CLAUDE_CODE_ENTRYPOINT: 'sdk-ts' }),
    false,
    'the explicit word wins',
  );
  assert.equal(isUnattended({ CLAUDE_CODE_ENTRYPOINT: 'sdk-py' }), true);
  assert.equal(isUnattended({ CLAUDE_CODE_ENTRYPOINT: 'cli' }), false);
  assert.equal(isUnattended({}), false, 'nothing said: as today (attended)');
});

test('forUnattended: a hold longer than max_sleep defers with the same reason; a shorter one sleeps to just past its end', () => {
  const long = forUnattended(deny(NOW + 40 * S), 'PreToolUse', true, NOW, 20 * S);
  assert.equal(long.action, 'defer');
  assert.equal(long.reason, deny(0).reason);
  assert.equal(long.sleepMs, 0);
  const short = forUnattended(deny(NOW + 10 * S), 'PreToolUse', true, NOW, 20 * S);
  assert.equal(short.action, 'delay');
  assert.equal(short.sleepMs, 11 * S, 'past the end by a second: never a request before the reset');
  assert.equal(
    forUnattended(deny(NOW + 19_500), 'PreToolUse', true, NOW, 20 * S).action,
    'defer',
    'the second past the end must fit too',
  );
  assert.equal(forUnattended(deny(null), 'PreToolUse', true, NOW, 600 * S).action, 'defer', 'no known end: defer');
  assert.equal(
    forUnattended(deny(NOW + S), 'PreToolUse', true, NOW, 0).action,
    'defer',
    'max_sleep_seconds 0 never sleeps',
  );
});

test('forUnattended: attended sessions, prompts, allows and denies that are not holds are left alone', () => {
  const v = deny(NOW + 40 * S);
  assert.equal(forUnattended(v, 'PreToolUse', false, NOW, 20 * S), v, 'interactive keeps its deny');
  assert.equal(forUnattended(v, 'UserPromptSubmit', true, NOW, 20 * S), v, 'a prompt is not deferred');
  const off = deny(undefined);
  assert.equal(
    forUnattended(off, 'PreToolUse', true, NOW, 20 * S),
    off,
    'a tool turned off by the cost degradation stays denied',
  );
  const allow: Verdict = { ...deny(NOW), action: 'allow' };
  assert.equal(forUnattended(allow, 'PreToolUse', true, NOW, 20 * S), allow);
});
