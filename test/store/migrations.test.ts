// Migration 6 (accounts) on a database left by the previous version: nothing is lost, every row is
// the default account's, and that account (the subscription of ~/.claude) takes them over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../helpers/sqlite.ts';
import { MIGRATIONS } from '../../lib/store/migrations.ts';
import { openStore } from '../../lib/store/store.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { accountOf } from '../../lib/util/account.ts';
import { adoptLegacy } from '../../lib/app/accounts.ts';
import { usagePicture } from '../../lib/usage/sources.ts';
import { backoffView, liftsOf, pauseView } from '../../lib/app/recovery.ts';
import { tmpHome } from '../helpers/tmp.ts';

const MIN = 60_000;
const H = 60 * MIN;

/** A state.db as version 5 of the schema left it, with a row in every table migration 6 touches. */
function v5Database(file: string, now: number): void {
  const db = openSqlite(file);
  try {
    for (let v = 0; v < 5; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
    db.prepare(
      'INSERT INTO rate_limits (limit_window, used_pct, resets_at, first_seen, last_seen, session_id, source) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run('five_hour', 42, now + 2 * H, now - MIN, now - MIN, 's1', 'statusline');
    db.prepare(
      'INSERT INTO limit_messages (key, ts, session_id, project, scope, reset_at, text, file_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run('lim-1', now - 2 * MIN, 's1', 'p', 'weekly', now + 30 * H, "You've hit your weekly limit", '/t/s1.jsonl');
    db.prepare(
      'INSERT INTO api_errors (key, ts, session_id, project, kind, status, message, file_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run('err-1', now - 3 * MIN, 's1', 'p', 'rate_limit', 429, 'rate limited', '/t/s1.jsonl');
    db.prepare(
      `INSERT INTO entries (key, ts, session_id, project, model, input, output, cache_write_5m, cache_write_1h, cache_read, cost_usd, cost_estimated, file_path)
      VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0.1, 0, ?)`,
    ).run('m1', now - 4 * MIN, 's1', 'p', 'claude-sonnet-4-5', 100, 50, '/t/s1.jsonl');
    const rec = db.prepare(
      'INSERT INTO recovery (key, kind, session_id, level, since, until, last_ts, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    rec.run('backoff', 'backoff', null, 2, now - MIN, now + 10 * MIN, now - MIN, 'API 429 rate_limit');
    rec.run('pause', 'pause', null, 0, now - MIN, now + 20 * MIN, now - MIN, 'paused by hand (ccguard pause)');
    rec.run('lift', 'lift', null, 0, now - MIN, now + H, now - MIN, 'ccguard resume');
    rec.run('pause:s2', 'pause', 's2', 0, now - MIN, now + 5 * MIN, now - MIN, 'time limit');
  } finally {
    db.close();
  }
}

test("migration 6 keeps every row of a v5 database as the default account's, and that account adopts them", (t) => {
  const h = tmpHome(t, 'ccguard-migrate-');
  mkdirSync(h.stateDir, { recursive: true });
  const file = join(h.stateDir, 'state.db');
  const now = Date.now();
  v5Database(file, now);
  const store = openStore(file);
  try {
    assert.equal(store.health().schemaVersion, 6);
    const all = (sql: string): unknown[] => store.db.prepare(sql).all();
    for (const table of ['rate_limits', 'limit_messages', 'api_errors', 'entries']) {
      assert.deepEqual(
        all(`SELECT account FROM ${table}`),
        [{ account: 'legacy' }],
        `${table}: kept, as the rows from before accounts`,
      );
    }
    assert.deepEqual(
      all('SELECT key, account FROM recovery ORDER BY key'),
      [
        { key: 'backoff@legacy', account: 'legacy' },
        { key: 'lift@legacy:five_hour', account: 'legacy' },
        { key: 'lift@legacy:opus', account: 'legacy' },
        { key: 'lift@legacy:seven_day', account: 'legacy' },
        { key: 'lift@legacy:sonnet', account: 'legacy' },
        { key: 'pause:s2', account: 'legacy' },
        { key: 'pause@legacy', account: 'legacy' },
      ],
      'account-wide rows carry the account in their key; the lift, which named no window, holds for each as it did',
    );

    const env = { HOME: h.home };
    const own = accountOf(env);
    assert.equal(own.key, `dir:${join(h.home, '.claude')}`);
    // Another folder's subscription does not adopt them.
    adoptLegacy(store, accountOf({ ...env, CLAUDE_CONFIG_DIR: join(h.home, 'other') }), env);
    assert.equal(store.rateLimits.latest('legacy', 'five_hour')?.used_pct, 42);
    // The default folder's does.
    adoptLegacy(store, own, env);
    for (const table of ['rate_limits', 'limit_messages', 'api_errors', 'entries']) {
      assert.deepEqual(
        all(`SELECT account FROM ${table}`),
        [{ account: own.key }],
        `${table}: now the default account's`,
      );
    }
    const config = loadConfig(join(h.stateDir, 'config.yaml')).config;
    const pic = usagePicture(store, config, own.key, now);
    assert.equal(
      pic.view.weekly?.source,
      'server:limit_line:seven_day',
      'the weekly limit line stands for the default account',
    );
    assert.equal(pic.view.source, 'server:five_hour');
    assert.equal(backoffView(store, config, own.key, now)?.level, 2);
    assert.equal(pauseView(store, own.key, null, now)?.kind, 'manual');
    assert.deepEqual(liftsOf(store, own.key, now), {
      five_hour: now + H,
      seven_day: now + H,
      opus: now + H,
      sonnet: now + H,
    });
    const other = `dir:${join(h.home, 'other')}`;
    const theirs = usagePicture(store, config, other, now);
    assert.equal(
      theirs.view.source.startsWith('server:'),
      false,
      "another account sees none of the default account's figures",
    );
    assert.equal(backoffView(store, config, other, now), null);
    assert.equal(pauseView(store, other, null, now), null);
  } finally {
    store.close();
  }
});
