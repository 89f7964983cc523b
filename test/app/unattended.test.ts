import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpHome } from '../helpers/tmp.ts';
import { openStore } from '../../lib/store/store.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { stopHold, type Stop } from '../../lib/app/unattended.ts';
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
