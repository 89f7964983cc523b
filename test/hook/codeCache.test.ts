// The full check's V8 code cache (lib/hook/codeCache.ts): written after a full check, private, and
// never trusted over the source: a damaged or foreign cache is ignored, the decision is the same,
// and the cache is written anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { hookEnv } from '../helpers/hookEnv.ts';
import { cacheFileFor } from '../../lib/hook/codeCache.ts';

const MIN = 60_000;

test('a full check leaves a private code cache; a damaged one is ignored and replaced, and decisions do not change', (t) => {
  // No leases: every call is a full check. A written-down limit used up: every call is denied.
  const e = hookEnv(t, 'plan: 100000\nperformance:\n  fast_path_seconds: 0\n');
  e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 90_000, output: 10_000 }]);
  const call = () =>
    e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash', tool_input: { command: 'ls' } }));
  const first = call();
  assert.equal(first.code, 0);
  const cache = cacheFileFor(e.stateDir);
  const made = statSync(cache);
  assert.equal(made.mode & 0o777, 0o600, 'the cache is private');
  assert.ok(made.size > 10_000, `a real cache (${made.size} bytes)`);
  const second = call();
  assert.equal(second.stdout, first.stdout, 'the same decision from the cached code');
  assert.equal(statSync(cache).mtimeMs, made.mtimeMs, 'a cache V8 accepted is not written again');

  writeFileSync(cache, Buffer.from('not a V8 code cache at all'), { mode: 0o600 });
  const third = call();
  assert.equal(third.code, 0);
  assert.equal(third.stdout, first.stdout, 'a damaged cache changes nothing');
  assert.notEqual(readFileSync(cache).toString('utf8', 0, 26), 'not a V8 code cache at all', 'and is replaced');
  assert.deepEqual(
    e
      .events()
      .filter((x) => x.decision !== 'notify')
      .map((x) => x.decision),
    ['deny', 'deny', 'deny'],
    'three full checks, one decision',
  );
});
