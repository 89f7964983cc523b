// Per account, in process: every figure, backoff, pause and lift governs its own account's sessions
// only (lib/app/recovery.ts, recoveryNow.ts, lib/usage/sources.ts), and `resume` lifts exactly the
// holds it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../lib/store/store.ts';
import { loadConfig } from '../../lib/config/load.ts';
import type { Config } from '../../lib/config/schema.ts';
import { whatIsInForce } from '../../lib/app/recoveryNow.ts';
import {
  backoffView,
  recordApiFailure,
  resumeAccount,
  startManualPause,
  syncRecovery,
} from '../../lib/app/recovery.ts';
import { usagePicture } from '../../lib/usage/sources.ts';
import { usageHolds } from '../../lib/app/holds.ts';
import { knownAccounts, noteSession, transcriptAccounts } from '../../lib/app/accounts.ts';
import { tmpHome } from '../helpers/tmp.ts';

const MIN = 60_000;
const H = 60 * MIN;
const A = 'oauth:uuid-a';
const B = 'dir:/cfg/b';
const KEY = 'api:/cfg/a';

function withStore(fn: (store: Store, config: Config, now: number, home: string) => void): void {
  const h = tmpHome('ccguard-accounts-');
  try {
    mkdirSync(h.stateDir, { recursive: true });
    const store = openStore(join(h.stateDir, 'state.db'));
    try {
      fn(store, loadConfig(join(h.stateDir, 'config.yaml')).config, Date.now(), h.home);
    } finally {
      store.close();
    }
  } finally {
    h.cleanup();
  }
}

let n = 0;
function limitLine(store: Store, account: string, scope: string, ts: number, resetAt: number): void {
  store.write(() =>
    store.limitMessages.insert({
      key: `lim-${++n}`,
      ts,
      session_id: `s-${account}`,
      project: 'p',
      scope,
      reset_at: resetAt,
      text: `You've hit your ${scope} limit`,
      file_path: `/t/${n}.jsonl`,
      account,
    }),
  );
}
const reading = (store: Store, account: string, pct: number, resetsAt: number, seen: number): void => {
  store.write(() =>
    store.rateLimits.record({
      window: 'five_hour',
      used_pct: pct,
      resets_at: resetsAt,
      session_id: null,
      seen,
      account,
    }),
  );
};

test("A's limit line holds A and neither B nor an API key; B's newer reading does not replace A's line", () => {
  withStore((store, config, now) => {
    limitLine(store, A, 'five_hour', now - 2 * MIN, now + H);
    reading(store, B, 10, now + 3 * H, now - MIN);
    // An API-key session files nothing as a window; even a stray reading under its key is no window.
    reading(store, KEY, 99, now + 3 * H, now - MIN);
    assert.equal(usagePicture(store, config, A, now).view.source, 'server:limit_line:five_hour');
    assert.equal(usagePicture(store, config, B, now).view.source, 'server:five_hour');
    assert.equal(usagePicture(store, config, B, now).view.share, 0.1);
    assert.match(usagePicture(store, config, KEY, now).view.source, /^local:/);
    assert.deepEqual(
      [A, B, KEY].map((k) => whatIsInForce(store, config, k, now).inForce),
      [true, false, false],
    );
    assert.deepEqual(knownAccounts(store, now), [A, B, KEY].sort());
  });
});

test("resume lifts exactly the holds it names, for their own windows; a later hold holds; another account's resume lifts nothing of A", () => {
  withStore((store, config, now) => {
    limitLine(store, A, 'five_hour', now - 2 * MIN, now + H);
    startManualPause(store, A, now, now + 30 * MIN, 'paused by hand');
    resumeAccount(store, B, now, {});
    assert.equal(whatIsInForce(store, config, A, now).state, 'paused', "B's resume leaves A's pause");
    const pic = usagePicture(store, config, A, now);
    const holds = usageHolds(pic.view, pic.modelHolds, config, now);
    assert.deepEqual(
      holds.map((h) => [h.kind, h.scope, h.until]),
      [['limit', 'five_hour', now + H]],
    );
    const lifted = resumeAccount(store, A, now, { five_hour: now + H });
    assert.equal(lifted.pause?.until, now + 30 * MIN);
    assert.deepEqual(lifted.holds, { five_hour: now + H });
    assert.equal(whatIsInForce(store, config, A, now).inForce, false, 'the 5-hour hold is lifted');
    // A weekly limit line that comes after the resume was not lifted: it holds.
    limitLine(store, A, 'weekly', now + MIN, now + 30 * H);
    const w = whatIsInForce(store, config, A, now + 2 * MIN);
    assert.equal(w.inForce, true);
    assert.equal(w.until, now + 30 * H);
    assert.match(w.reason ?? '', /weekly limit/);
    // The lift ends with its own window: at the 5-hour reset, nothing of it is left.
    assert.equal(whatIsInForce(store, config, A, now + H + MIN).until, now + 30 * H);
  });
});

test("a 429 backs off the account that met it: a transcript's by its session's account, a StopFailure by the hook's", () => {
  withStore((store, config, now) => {
    noteSession(store, { key: B, kind: 'subscription', configDir: '/cfg/b', by: 'folder' }, 'sess-b', now);
    const accountFor = transcriptAccounts(store, ['/cfg/a/projects', '/cfg/b/projects'], { HOME: '/nowhere' });
    assert.equal(accountFor('/cfg/b/projects/p/sess-b.jsonl', 'sess-b'), B, "the session's own account");
    assert.equal(
      accountFor('/cfg/a/projects/p/sess-x.jsonl', 'sess-x'),
      'dir:/cfg/a',
      "else its folder's subscription",
    );
    store.write(() =>
      store.apiErrors.insert({
        key: 'e1',
        ts: now - 1000,
        session_id: 'sess-b',
        project: 'p',
        kind: 'rate_limit',
        status: 429,
        message: '429',
        file_path: '/cfg/b/projects/p/sess-b.jsonl',
        account: 'dir:/filed/before',
      }),
    );
    const changes = syncRecovery(store, config, now);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.account]),
      [['backoff', B]],
    );
    assert.notEqual(backoffView(store, config, B, now), null);
    assert.equal(backoffView(store, config, A, now), null, "A is not backed off for B's 429");
    recordApiFailure(store, config, A, 'rate_limit', now);
    assert.notEqual(backoffView(store, config, A, now), null);
    resumeAccount(store, A, now);
    assert.equal(backoffView(store, config, A, now), null);
    assert.notEqual(backoffView(store, config, B, now), null, "A's resume leaves B's backoff");
  });
});
