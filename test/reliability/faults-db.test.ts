// Faults in the state itself: state.db deleted, truncated, overwritten between two hooks; a schema
// from an older version; a state directory that cannot be written. The next hook notices, moves a
// broken file aside, rebuilds from the transcripts (everything, since a database existed before),
// and the totals equal a clean import; what cannot be rebuilt is named by the last case.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
  closeSync,
  readSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openSqlite } from '../helpers/sqlite.ts';
import { hookEnv } from '../helpers/hookEnv.ts';
import { fiveHourLimitText, limitLine } from '../helpers/lines.ts';
import { badRun, ccguard, runCli, runHookProc, HOOK_EVENTS, type ProcRun } from '../helpers/hookProc.ts';
import { assertSameAsCleanImport } from '../helpers/totals.ts';
import { Tally, measured } from '../helpers/figures.ts';
import { MIGRATIONS } from '../../lib/store/migrations.ts';
import type { HookEvent } from '../../lib/policy/types.ts';

const SUITE = 'faults-db';
const DAY = 86_400_000;
const OLD_SESSIONS = 5;
const PER_OLD = 300;
const CURRENT = 40;
const EXPECTED = OLD_SESSIONS * PER_OLD + CURRENT;

/**
 * A home with five sessions from the past days (their files last written days ago, so only a full
 * read finds them) and a current one; imported once, then one hook ran.
 */
async function history(t: TestContext, config = '') {
  const e = hookEnv(t, `plan: 1000000000000\nperformance:\n  fast_path_seconds: 0\n${config}`);
  const now = Date.now();
  for (let d = 1; d <= OLD_SESSIONS; d++) {
    const s = `old-${d}`;
    e.usage(
      s,
      Array.from({ length: PER_OLD }, (_, i) => ({ ts: now - d * DAY + i * 60_000, input: 100 + i, output: 7 + d })),
    );
    const sec = (now - d * DAY + PER_OLD * 60_000) / 1000;
    utimesSync(e.transcript(s), sec, sec);
  }
  e.usage(
    'cur',
    Array.from({ length: CURRENT }, (_, i) => ({ ts: now - 3_600_000 + i * 60_000, input: 50, output: 5 })),
  );
  const imp = ccguard(['import'], e.env);
  assert.equal(imp.code, 0, imp.stderr);
  const first = await hook(e, 'UserPromptSubmit', { prompt: 'hello' });
  assert.equal(badRun('UserPromptSubmit', first), null);
  return e;
}

type Env = ReturnType<typeof hookEnv>;

function hook(e: Env, event: HookEvent, extra: Record<string, unknown> = {}, session = 'cur'): Promise<ProcRun> {
  return runHookProc(event, e.input(event, session, extra), { env: e.env, killAfterMs: 60_000 });
}

function dbCount(file: string, table = 'entries'): number {
  const db = openSqlite(file, { readonly: true });
  try {
    return db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Databases set aside (each with its -wal and -shm, when SQLite had made them). */
const broken = (dir: string): string[] =>
  readdirSync(dir).filter((n) => n.startsWith('state.db.broken-') && !/-(wal|shm)$/.test(n));

const FAULTS: [string, (db: string) => void, boolean][] = [
  ['deleted', (db) => rmSync(db), false],
  ['truncated to 0 bytes', (db) => truncateSync(db, 0), false],
  ['truncated to half', (db) => truncateSync(db, Math.floor(statSync(db).size / 2)), true],
  ['overwritten with garbage', (db) => writeFileSync(db, randomBytes(statSync(db).size)), true],
  [
    'header overwritten with garbage',
    (db) => {
      const fd = openSync(db, 'r+');
      writeSync(fd, randomBytes(100), 0, 100, 0);
      closeSync(fd);
    },
    true,
  ],
];

test(
  'state.db deleted, truncated (0 bytes, half) or overwritten between two hooks: set aside, rebuilt, totals equal a clean import',
  { timeout: 120_000 },
  async (t) => {
    const tally = new Tally('');
    await measured(
      SUITE,
      'Faults',
      'state.db deleted, truncated to 0 bytes and to half, overwritten with garbage (whole, header) between two hooks',
      tally,
      async () => {
        for (const [name, damage, keepsBroken] of FAULTS) {
          const e = await history(t);
          const db = join(e.stateDir, 'state.db');
          assert.equal(dbCount(db), EXPECTED);
          damage(db);
          tally.faults++;
          const r = await hook(e, 'PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' } });
          tally.call(r.ms);
          assert.equal(badRun('PreToolUse', r), null, `${name}: ${badRun('PreToolUse', r)}`);
          // The rebuild read every transcript, the old ones too, within that one hook.
          assert.equal(dbCount(db), EXPECTED, `${name}: rebuilt by the next hook`);
          if (keepsBroken) {
            assert.equal(broken(e.stateDir).length, 1, `${name}: the damaged file is kept aside`);
            assert.match(
              e.log(),
              /state\.db was damaged: moved to .*state\.db\.broken-.*; rebuilding from the transcripts/,
            );
          } else {
            assert.deepEqual(broken(e.stateDir), [], `${name}: nothing to set aside`);
          }
          assertSameAsCleanImport(e.env, e.home);
          tally.processes += 9; // import, the first hook, and the reports on both sides
          tally.cases++;
        }
        tally.held = `the next hook answered, moved the damaged file to state.db.broken-* (when there was one) and rebuilt all ${EXPECTED} responses, 5 of 6 sessions older than the first-import window; totals = clean import`;
      },
    );
  },
);

test('pages zeroed in the middle of state.db: a hook may not touch them, but ccguard doctor finds the damage and says what to do', async (t) => {
  const tally = new Tally('');
  await measured(SUITE, 'Faults', 'two pages zeroed in the middle of state.db', tally, async () => {
    const e = await history(t);
    const db = join(e.stateDir, 'state.db');
    const size = statSync(db).size;
    const fd = openSync(db, 'r+');
    // Two whole pages, at the size this database uses (the header's bytes 16-17; 1 means 65536).
    const header = Buffer.alloc(100);
    readSync(fd, header, 0, 100, 0);
    const raw = header.readUInt16BE(16);
    const page = raw === 1 ? 65536 : raw;
    writeSync(fd, Buffer.alloc(2 * page, 0), 0, 2 * page, Math.floor(size / 2 / page) * page);
    closeSync(fd);
    tally.faults++;
    const r = await hook(e, 'PreToolUse', { tool_name: 'Bash' });
    tally.call(r.ms);
    assert.equal(badRun('PreToolUse', r), null);
    const doc = await runCli(['doctor', '--json'], { env: e.env });
    tally.processes++;
    const j = JSON.parse(doc.stdout) as {
      ok: boolean;
      checks: { name: string; level: string; detail: string; fix?: string }[];
    };
    const dbCheck = j.checks.find((c) => c.name === 'database');
    // Either the hook already moved it aside (its queries met a bad page), or doctor says so.
    if (broken(e.stateDir).length === 0) {
      assert.equal(dbCheck?.level, 'fail', `doctor: ${JSON.stringify(dbCheck)}`);
      assert.match(dbCheck?.fix ?? '', /delete state\.db/);
      rmSync(db);
      const again = await hook(e, 'PreToolUse', { tool_name: 'Bash' });
      tally.call(again.ms);
      assert.equal(badRun('PreToolUse', again), null);
    }
    assert.equal(dbCount(db), EXPECTED);
    assertSameAsCleanImport(e.env, e.home);
    tally.cases = 1;
    tally.held =
      'the hook answered; doctor reported the failed integrity check with its fix; after it, a full rebuild = clean import';
  });
});

/** A database at an older schema version holding what the current one held in the same tables. */
function downgrade(dbFile: string, version: number): void {
  const old = `${dbFile}.v${version}`;
  rmSync(old, { force: true });
  const db = openSqlite(old);
  try {
    for (let v = 0; v < version; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${version}`);
    db.prepare('ATTACH DATABASE ? AS cur').run(dbFile);
    const tables = db.prepare<[], string>("SELECT name FROM main.sqlite_master WHERE type = 'table'").pluck().all();
    for (const t of tables) {
      const cols = db.prepare<[], string>(`SELECT name FROM pragma_table_info('${t}')`).pluck().all().join(', ');
      db.exec(`INSERT INTO main.${t} (${cols}) SELECT ${cols} FROM cur.${t}`);
    }
    db.exec('DETACH DATABASE cur');
  } finally {
    db.close();
  }
  for (const side of ['', '-wal', '-shm']) rmSync(dbFile + side, { force: true });
  writeFileSync(dbFile, readFileSync(old));
  rmSync(old);
}

test('a state.db from an older version (schema 1, schema 2) is migrated in place, its data kept', async (t) => {
  const tally = new Tally('');
  await measured(SUITE, 'Faults', 'state.db at an older schema (1 and 2) with data in it', tally, async () => {
    for (const version of [1, 2]) {
      const e = await history(t);
      const db = join(e.stateDir, 'state.db');
      // Something only the hooks' tables (schema 2) hold: a pause set by hand, and events.
      assert.equal(ccguard(['pause', '--minutes', '30'], e.env).code, 0);
      const events = dbCount(db, 'events');
      downgrade(db, version);
      tally.faults++;
      const r = await hook(e, 'PreToolUse', { tool_name: 'Bash' });
      tally.call(r.ms);
      assert.equal(badRun('PreToolUse', r), null);
      assert.deepEqual(broken(e.stateDir), [], 'migrated, not set aside');
      const d = openSqlite(db, { readonly: true });
      try {
        assert.equal(d.pragma('user_version', { simple: true }), MIGRATIONS.length);
        assert.equal(d.prepare('SELECT COUNT(*) FROM entries').pluck().get(), EXPECTED);
        if (version >= 2)
          assert.equal(d.prepare('SELECT COUNT(*) FROM events').pluck().get(), events + 1, 'events kept');
      } finally {
        d.close();
      }
      const j = r.stdout ? (JSON.parse(r.stdout) as Record<string, any>) : null;
      if (version >= 2)
        assert.equal(j?.hookSpecificOutput?.permissionDecision, 'deny', 'the pause set before the migration holds');
      else assert.equal(r.stdout, '', 'schema 1 had no pauses');
      assertSameAsCleanImport(e.env, e.home);
      tally.processes += 10;
      tally.cases++;
    }
    tally.held = `migrated to schema ${MIGRATIONS.length} in place by the next hook: all ${EXPECTED} responses, events and a manual pause kept; totals = clean import`;
  });
});

test('a state.db from a newer ccguard: the hook allows and logs why; doctor says it', async (t) => {
  const e = await history(t);
  const db = join(e.stateDir, 'state.db');
  const d = openSqlite(db);
  d.pragma('user_version = 99');
  d.close();
  const r = await hook(e, 'PreToolUse', { tool_name: 'Bash' });
  assert.equal(badRun('PreToolUse', r), null);
  assert.equal(r.stdout, '');
  assert.match(
    e.log(),
    /PreToolUse hook failed, failing open: .*schema version 99, newer than this ccguard understands/,
  );
  const doc = await runCli(['doctor', '--json'], { env: e.env });
  assert.equal(doc.code, 1);
  assert.equal(doc.stderr, '');
  const j = JSON.parse(doc.stdout) as { checks: { name: string; level: string; detail: string }[] };
  assert.ok(
    j.checks.some((c) => c.level === 'fail' && /newer than this ccguard understands/.test(c.detail)),
    doc.stdout,
  );
});

/**
 * Ways to make the state unwritable that hold for root too (tests run as root, where chmod stops
 * nothing): the state directory's path is a regular file; state.db is a directory. For other users,
 * a 0500 state directory as well.
 */
const UNWRITABLE: [string, (stateDir: string) => Record<string, string>, RegExp][] = [
  [
    'the state directory path is a regular file',
    (stateDir) => {
      const f = join(stateDir, '..', 'ccguard-file');
      writeFileSync(f, 'not a folder\n');
      return { CCGUARD_HOME: f };
    },
    /is not a directory/,
  ],
  [
    'state.db is a directory',
    (stateDir) => {
      mkdirSync(join(stateDir, 'state.db'), { recursive: true });
      return {};
    },
    /state\.db is a directory/,
  ],
  ...(process.getuid?.() === 0
    ? []
    : ([
        [
          'the state directory is 0500',
          (stateDir: string) => {
            mkdirSync(stateDir, { recursive: true });
            chmodSync(stateDir, 0o500);
            return {};
          },
          /not writable/,
        ],
      ] as [string, (stateDir: string) => Record<string, string>, RegExp][])),
];

test('an unwritable state: every hook allows, with one clear error line (stderr or log); doctor says why instead of stopping', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Faults',
    'state not writable (state dir path is a file; state.db is a directory)',
    tally,
    async () => {
      for (const [name, make, doctorSays] of UNWRITABLE) {
        const e = hookEnv(t);
        e.usage('s1', [{ ts: Date.now() - 60_000 }]);
        rmSync(e.stateDir, { recursive: true, force: true });
        const extra = make(e.stateDir);
        const env = { ...e.env, ...extra };
        const stateDir = extra.CCGUARD_HOME ?? e.stateDir;
        tally.faults++;
        for (const event of HOOK_EVENTS) {
          for (let i = 0; i < 2; i++) {
            const r = await runHookProc(event, e.input(event, 's1', { tool_name: 'Bash', prompt: 'hi' }), {
              env,
              killAfterMs: 60_000,
            });
            tally.call(r.ms);
            assert.equal(r.code, 0, `${name} ${event}: ${r.stderr}`);
            assert.equal(r.stdout, '', `${name} ${event}: fails open`);
            const logFile = join(stateDir, 'ccguard.log');
            const logged = existsSync(logFile) && statSync(logFile).isFile() ? readFileSync(logFile, 'utf8') : '';
            if (r.stderr !== '') {
              const lines = r.stderr.split('\n').filter(Boolean);
              assert.equal(lines.length, 1, `${name} ${event}: one line, got ${JSON.stringify(r.stderr)}`);
              assert.match(
                lines[0]!,
                new RegExp(`^ccguard: ${event} hook failed, failing open: cannot open .*state\\.db`),
              );
              assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
            } else {
              assert.match(
                logged,
                new RegExp(`${event} hook failed, failing open: cannot (open|prepare) .*state\\.db`),
                `${name} ${event}: logged`,
              );
            }
          }
        }
        const doc = await runCli(['doctor', '--json'], { env });
        tally.processes++;
        assert.equal(doc.code, 1, doc.stderr);
        assert.equal(doc.stderr, '', 'doctor reports instead of failing');
        const j = JSON.parse(doc.stdout) as {
          ok: boolean;
          checks: { name: string; level: string; detail: string; fix?: string }[];
        };
        assert.equal(j.ok, false);
        const c = j.checks.find((x) => x.name === 'database');
        assert.equal(c?.level, 'fail', doc.stdout);
        assert.match(c?.detail ?? '', doctorSays);
        assert.ok((c?.fix ?? '').length > 0);
        const text = await runCli(['doctor'], { env });
        tally.processes++;
        assert.match(text.stdout, /FAIL\s+database/);
        tally.cases++;
      }
      tally.held =
        'every hook exited 0 with an allow and one error line (stderr when no log can be written); doctor reported the cause and a fix, no crash';
    },
  );
});

test('what a rebuild cannot bring back: pauses and backoff set by hand or by StopFailure, events, once-per-crossing marks', async (t) => {
  const e = await history(t, 'recovery:\n  backoff:\n    base_seconds: 600\n');
  const db = join(e.stateDir, 'state.db');
  // State that lives only in the database: a StopFailure backoff, a pause by hand, events.
  const sf = await hook(e, 'StopFailure', { error: 'rate_limit' });
  assert.equal(badRun('StopFailure', sf), null);
  assert.equal(ccguard(['pause', '--minutes', '30'], e.env).code, 0);
  const denied = await hook(e, 'PreToolUse', { tool_name: 'Bash' });
  assert.equal((JSON.parse(denied.stdout) as Record<string, any>).hookSpecificOutput.permissionDecision, 'deny');
  const before = dbCount(db, 'events');
  assert.ok(before >= 4);
  rmSync(db);
  const after = await hook(e, 'PreToolUse', { tool_name: 'Bash' });
  assert.equal(badRun('PreToolUse', after), null);
  assert.equal(after.stdout, '', 'the pause and the backoff are gone with the database');
  assert.equal(dbCount(db, 'events'), 1, 'the events history starts again');
  assert.equal(dbCount(db, 'marks'), 0);
  assert.equal(dbCount(db), EXPECTED, 'usage is rebuilt in full');
  // A pause from a limit message in a transcript, by contrast, is found again, even one lifted by hand.
  const l = await history(t);
  appendLimit(l);
  const p = await hook(l, 'PreToolUse', { tool_name: 'Bash' });
  assert.match(p.stdout, /"permissionDecision":"deny"/);
  assert.equal(ccguard(['resume'], l.env).code, 0);
  assert.doesNotMatch(
    (await hook(l, 'PreToolUse', { tool_name: 'Bash' })).stdout,
    /"permissionDecision":"deny"/,
    'resume lifts the hold',
  );
  rmSync(join(l.stateDir, 'state.db'));
  const again = await hook(l, 'PreToolUse', { tool_name: 'Bash' });
  assert.match(again.stdout, /"permissionDecision":"deny"/, 'the resume is forgotten; the limit message is read again');
});

function appendLimit(e: Env): void {
  const now = Date.now();
  const { text } = fiveHourLimitText(now);
  writeFileSync(e.transcript('cur'), limitLine(now - 60_000, 'lim-1', text, 'cur') + '\n', { flag: 'a' });
}
