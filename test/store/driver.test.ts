// The store on each SQLite driver: better-sqlite3 and node:sqlite must behave the same (pragmas,
// immediate transactions and savepoints, plucked and raw rows, error codes, the corruption recovery)
// and give the same results. A driver this Node cannot run is skipped, saying why: on Node 20 that is
// node:sqlite, which `.ci/run` covers by running this file again on Node 26.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseDriver, NoSqliteError, sqliteDriver, type DB, type Driver } from '../../lib/store/driver.ts';
import { openStore } from '../../lib/store/store.ts';
import { SCHEMA_VERSION } from '../../lib/store/db.ts';
import { isCorruption } from '../../lib/store/corruption.ts';
import { tmpHome } from '../helpers/tmp.ts';
import type { EntryRow } from '../../lib/store/entries.ts';

function driverOf(kind: 'better' | 'node'): Driver | string {
  try {
    return chooseDriver(kind);
  } catch (err) {
    if (err instanceof NoSqliteError) return err.why;
    throw err;
  }
}

const DRIVERS = { better: driverOf('better'), node: driverOf('node') };

const entry = (i: number, session = 's1'): EntryRow => ({
  key: `m${i}:r${i}`,
  ts: Date.UTC(2026, 9, 1, 10, i),
  session_id: session,
  project: '/p',
  model: 'claude-sonnet-4-5',
  input: 100 * i,
  output: 10 * i,
  cache_write_5m: 0,
  cache_write_1h: 0,
  cache_read: i,
  cost_usd: 0.5 * i,
  cost_estimated: 0,
  file_path: '/t.jsonl',
});

test('the driver this process runs the store on is the one CCGUARD_SQLITE_DRIVER asks for', () => {
  const asked = process.env.CCGUARD_SQLITE_DRIVER;
  const d = sqliteDriver();
  if (asked === 'node') assert.equal(d.name, 'node:sqlite');
  else if (asked === 'better') assert.equal(d.name, 'better-sqlite3');
  else
    assert.equal(
      d.name,
      typeof DRIVERS.better === 'string' ? 'node:sqlite' : 'better-sqlite3',
      'better-sqlite3 first, when its addon loads',
    );
  assert.ok(d.why.length > 0);
});

test('an unknown CCGUARD_SQLITE_DRIVER is refused by name', () => {
  assert.throws(() => chooseDriver('sqlite3'), /CCGUARD_SQLITE_DRIVER=sqlite3 is not a driver: use better or node/);
});

for (const kind of ['better', 'node'] as const) {
  const driver = DRIVERS[kind];
  const skip =
    typeof driver === 'string' ? `${kind} driver not available in Node ${process.versions.node}: ${driver}` : false;

  test(
    `${kind}: a new store is private, in WAL, with the busy timeout, 16 KB pages and the current schema`,
    { skip },
    (t) => {
      const h = tmpHome(t);
      const file = join(h.stateDir, 'state.db');
      const store = openStore(file, { driver: driver as Driver, busyTimeoutMs: 4321 });
      try {
        assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(store.db.pragma('busy_timeout', { simple: true }), 4321);
        assert.equal(store.db.pragma('page_size', { simple: true }), 16384);
        assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
        assert.deepEqual(store.health(), { integrity: 'ok', schemaVersion: SCHEMA_VERSION });
        assert.equal(statSync(file).mode & 0o777, 0o600);
      } finally {
        store.close();
      }
      assert.equal(store.db.open, false);
    },
  );

  test(`${kind}: the tables give the same results (rows as plain objects, plucked, raw, iterated)`, { skip }, (t) => {
    const h = tmpHome(t);
    const store = openStore(join(h.stateDir, 'state.db'), { driver: driver as Driver });
    try {
      store.write(() => {
        for (let i = 1; i <= 4; i++) store.entries.upsert(entry(i, i % 2 ? 's1' : 's2'));
      });
      assert.equal(store.entries.upsert(entry(1, 's1'))?.inserted ?? false, false, 'the same response once');
      const from = Date.UTC(2026, 9, 1);
      const totals = store.entries.totals(from, from + 86_400_000);
      assert.equal(Object.getPrototypeOf(totals), Object.prototype);
      assert.deepEqual(
        { ...totals },
        {
          entries: 4,
          input: 1000,
          output: 100,
          cache_creation: 0,
          cache_read: 10,
          cost_usd: 5,
          cost_estimated: 0,
          first_ts: Date.UTC(2026, 9, 1, 10, 1),
          last_ts: Date.UTC(2026, 9, 1, 10, 4),
        },
      );
      assert.deepEqual(
        store.entries.timestampsFrom(from),
        [1, 2, 3, 4].map((i) => Date.UTC(2026, 9, 1, 10, i)),
      );
      assert.deepEqual(
        [...store.entries.sessionTimesNewestFirst('s1', from)],
        [3, 1].map((i) => Date.UTC(2026, 9, 1, 10, i)),
      );
      assert.equal(store.entries.newestTs(), Date.UTC(2026, 9, 1, 10, 4));
      assert.deepEqual(
        store.db.prepare('SELECT session_id, COUNT(*) AS n FROM entries GROUP BY 1 ORDER BY 1').raw().all(),
        [
          ['s1', 2],
          ['s2', 2],
        ],
      );
      // Named parameters: keys the statement does not name are ignored, as better-sqlite3 does.
      const ins = store.db.prepare<{ k: string; v: string }>('INSERT INTO meta(key, value) VALUES (@k, @v)');
      const r = ins.run({ k: 'x', v: '1', extra: 2 } as { k: string; v: string });
      assert.equal(r.changes, 1);
      assert.equal(typeof r.lastInsertRowid, 'number');
      store.meta.putNumber('last_scan_at', 123);
      assert.equal(store.meta.getNumber('last_scan_at'), 123);
      assert.equal(typeof store.dataVersion(), 'number');
    } finally {
      store.close();
    }
  });

  test(`${kind}: write is one immediate transaction, a nested write a savepoint, a throw rolls back`, { skip }, (t) => {
    const h = tmpHome(t);
    const file = join(h.stateDir, 'state.db');
    const a = openStore(file, { driver: driver as Driver });
    const b = openStore(file, { driver: driver as Driver, busyTimeoutMs: 0 });
    try {
      const count = (): number => a.db.prepare<[], number>('SELECT COUNT(*) FROM entries').pluck().get() ?? -1;
      a.write(() => {
        assert.equal(a.inTransaction, true);
        // The write lock is taken at BEGIN, before anything is written: another writer is refused.
        assert.throws(
          () => b.write(() => b.entries.upsert(entry(9))),
          (e: unknown) => (e as { code?: string }).code === 'SQLITE_BUSY',
        );
        a.entries.upsert(entry(1));
        assert.throws(
          () =>
            a.write(() => {
              a.entries.upsert(entry(2));
              throw new Error('inner');
            }),
          /inner/,
        );
        assert.equal(a.inTransaction, true, 'the inner failure rolled back its savepoint only');
      });
      assert.equal(a.inTransaction, false);
      assert.equal(count(), 1);
      assert.throws(
        () =>
          a.write(() => {
            a.entries.upsert(entry(3));
            throw new Error('outer');
          }),
        /outer/,
      );
      assert.equal(count(), 1);
      const g = a.writeGroup(0);
      g.begin();
      a.entries.upsert(entry(4));
      assert.equal(a.inTransaction, true);
      g.abort();
      assert.equal(a.inTransaction, false);
      assert.equal(count(), 1);
      // SQLite's own error codes, as better-sqlite3 names them.
      assert.throws(
        () => a.db.exec("INSERT INTO meta(key, value) VALUES ('k', 1); INSERT INTO meta(key, value) VALUES ('k', 2)"),
        (e: unknown) => String((e as { code?: string }).code).startsWith('SQLITE_CONSTRAINT'),
      );
    } finally {
      b.close();
      a.close();
    }
  });

  test(`${kind}: a file that is not a database is moved aside and a fresh one opened`, { skip }, (t) => {
    const h = tmpHome(t);
    const file = join(h.stateDir, 'state.db');
    mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, 'not a database at all, '.repeat(400), { mode: 0o600 });
    let caught: unknown;
    try {
      (driver as Driver).open(file, { readonly: false }).prepare('SELECT * FROM sqlite_master').all();
    } catch (err) {
      caught = err;
    }
    assert.equal(
      isCorruption(caught),
      true,
      `SQLITE_NOTADB is corruption: ${String((caught as { code?: string })?.code)}`,
    );
    const moved: string[] = [];
    const store = openStore(file, {
      driver: driver as Driver,
      now: Date.UTC(2026, 9, 1),
      onQuarantine: (d) => moved.push(d),
    });
    try {
      assert.equal(moved.length, 1);
      assert.ok(existsSync(moved[0]!));
      assert.equal(store.health().integrity, 'ok');
    } finally {
      store.close();
    }
    assert.equal(readdirSync(h.stateDir).filter((f) => f.includes('.broken-')).length >= 1, true);
  });
}

test(
  'one file, both drivers: what one writes the other reads the same',
  {
    skip:
      typeof DRIVERS.better === 'string' || typeof DRIVERS.node === 'string'
        ? 'needs both drivers in one Node (a better-sqlite3 addon built for a Node that has node:sqlite)'
        : false,
  },
  (t) => {
    const h = tmpHome(t);
    const file = join(h.stateDir, 'state.db');
    const [better, node] = [DRIVERS.better as Driver, DRIVERS.node as Driver];
    const w = openStore(file, { driver: better });
    w.write(() => [1, 2, 3].forEach((i) => w.entries.upsert(entry(i))));
    const r = openStore(file, { driver: node });
    try {
      const q = (db: DB): unknown => db.prepare('SELECT * FROM entries ORDER BY key').all();
      assert.deepEqual(q(r.db), q(w.db));
    } finally {
      r.close();
      w.close();
    }
  },
);
