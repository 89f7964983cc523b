import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpHome } from '../helpers/tmp.ts';
import { tmpStore } from '../helpers/tmpStore.ts';
import { openStore } from '../../lib/store/store.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { stopHold, stopOf, type Stop } from '../../lib/app/unattended.ts';
import { resumeAccount } from '../../lib/app/recovery.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const S = 1000;
const A = 'dir:/accounts/a';
const B = 'dir:/accounts/b';

test("stopHold: a stop's own hold end stands on top of what is in force; `ccguard resume` lifts a deferral's, never a limit's", (t) => {
  const h = tmpHome();
  const store = openStore(join(h.home, 'state.db'));
  // One hook, the store first: Node runs a test's `after` hooks in the order registered.
  t.after(() => {
    store.close();
    h.cleanup();
  });
  const config = loadConfig(join(h.home, 'none.yaml')).config;
  const stop = (kind: Stop['kind']): Stop => ({
    at: NOW - 10 * S,
    sessionId: 's1',
    kind,
    folder: '/w',
    holdUntil: NOW + 30 * S,
    reason: 'held',
  });
  for (const kind of ['limit', 'deferred'] as const) {
    const f = stopHold(store, config, A, stop(kind), NOW, 2 * S);
    assert.deepEqual(
      f,
      { inForce: true, state: 'held', until: NOW + 32 * S, reason: 'held' },
      `${kind}: until two seconds past its end`,
    );
    assert.equal(stopHold(store, config, A, stop(kind), NOW + 32 * S, 2 * S).inForce, false, `${kind}: over then`);
  }
  assert.equal(
    stopHold(store, config, A, { ...stop('deferred'), holdUntil: null }, NOW, 2 * S).inForce,
    false,
    'no end of its own: what is in force decides',
  );
  resumeAccount(store, B, NOW - S);
  assert.equal(
    stopHold(store, config, A, stop('deferred'), NOW, 2 * S).inForce,
    true,
    "another account's resume lifts nothing of this one",
  );
  resumeAccount(store, A, NOW - S);
  assert.equal(
    stopHold(store, config, A, stop('deferred'), NOW, 2 * S).inForce,
    false,
    'ccguard resume since the deferral lifts it',
  );
  assert.equal(stopHold(store, config, A, stop('limit'), NOW, 2 * S).inForce, true, "never before the server's reset");
});

test("stopOf without its hooks' record: the newest limit line since the run began in a transcript of the run's folder", (t) => {
  const store = tmpStore(t);
  // Claude Code names a project's transcript folder after its path, every other character a dash.
  const line = (key: string, ts: number, project: string): void => {
    store.write(() =>
      store.limitMessages.insert({
        key,
        ts,
        session_id: `s-${key}`,
        project,
        scope: 'five_hour',
        reset_at: NOW + 3600 * S,
        text: "You've hit your limit",
        file_path: `/home/u/.claude/projects/${project}/s-${key}.jsonl`,
        account: A,
      }),
    );
  };
  line('before', NOW - 120 * S, '-work-app');
  line('mine', NOW - 30 * S, '-work-app');
  line('other', NOW - 10 * S, '-work-app-two');
  assert.deepEqual(stopOf(store, 'run-1', '/work/app', NOW - 60 * S), {
    at: NOW - 30 * S,
    sessionId: 's-mine',
    kind: 'limit',
    folder: '/work/app',
    holdUntil: NOW + 3600 * S,
    reason: "You've hit your limit",
  });
  assert.equal(stopOf(store, 'run-1', '/work/else', NOW - 60 * S), null, 'no line in that folder');
  assert.equal(stopOf(store, 'run-1', '/work/app', NOW - 20 * S), null, 'none since the run began');
});
