import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../helpers/sqlite.ts';
import { ccguard, CLI } from '../helpers/cli.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { tmpStore } from '../helpers/tmpStore.ts';
import { assistantLine } from '../helpers/lines.ts';
import { statusInput } from '../helpers/statusInput.ts';
import { parseStatusLineInput } from '../../lib/statusline/input.ts';
import { formatStatusLine } from '../../lib/statusline/line.ts';
import { fmtAt } from '../../lib/util/format.ts';

type J = Record<string, any>;

const NOW = Date.now();
const RESET_5H = Math.floor(NOW / 1000) + 2 * 3600 + 17 * 60; // Unix seconds, as Claude Code sends
const RESET_7D = Math.floor(NOW / 1000) + 3 * 86400;

/** A subscriber's status line input, shaped as Claude Code 2.1 sends it. */
const WITH_LIMITS: J = JSON.parse(
  statusInput('0b6c3a8e-2f3d-4d5e-9a1b-7c8d9e0f1a2b', 37.25, RESET_5H, { pct: 61.5, resetsAtSec: RESET_7D }),
);

/** An API-key user (or the first update of a session): no rate_limits at all. */
const WITHOUT_LIMITS = (() => {
  const { rate_limits: _drop, ...rest } = WITH_LIMITS;
  return rest;
})();

/** A reset as every view prints it: its clock today, with its day otherwise (fmtAt, tested in format.test.ts). */
const clock = (ms: number, now = Date.now()): string => fmtAt(ms, now);

function env(t: TestContext) {
  const h = tmpHome(t, 'ccguard-statusline-');
  const e = { HOME: h.home };
  return {
    ...h,
    env: e,
    statusline: (input: string, args: string[] = [], extra: Record<string, string> = {}) =>
      ccguard(['statusline', ...args], { ...e, ...extra }, input),
    rows: (): J[] => {
      const db = openSqlite(join(h.stateDir, 'state.db'), { readonly: true });
      try {
        return db
          .prepare(
            'SELECT limit_window, used_pct, resets_at, first_seen, last_seen, session_id FROM rate_limits ORDER BY id',
          )
          .all() as J[];
      } finally {
        db.close();
      }
    },
  };
}

test('input parsing: recorded inputs with and without rate_limits, and damaged ones', () => {
  const full = parseStatusLineInput(JSON.stringify(WITH_LIMITS));
  assert.deepEqual(full, {
    sessionId: WITH_LIMITS.session_id,
    model: 'Opus 4.5',
    sessionCostUsd: 1.2345,
    fiveHour: { usedPercentage: 37.25, resetsAt: RESET_5H * 1000 },
    sevenDay: { usedPercentage: 61.5, resetsAt: RESET_7D * 1000 },
  });
  const none = parseStatusLineInput(JSON.stringify(WITHOUT_LIMITS));
  assert.equal(none.fiveHour, null);
  assert.equal(none.sevenDay, null);
  assert.equal(none.sessionCostUsd, 1.2345);
  const only5h = parseStatusLineInput(JSON.stringify({ rate_limits: { five_hour: { used_percentage: 104.2 } } }));
  assert.deepEqual(
    only5h.fiveHour,
    { usedPercentage: 104.2, resetsAt: null },
    'over 100 is kept; reset may be missing',
  );
  assert.equal(only5h.sevenDay, null);
  // One bad field does not spoil the others.
  const odd = parseStatusLineInput(
    JSON.stringify({
      session_id: 7,
      model: 'opus',
      cost: { total_cost_usd: 'x' },
      rate_limits: { five_hour: { used_percentage: '50' }, seven_day: { used_percentage: 5, resets_at: '1900000000' } },
    }),
  );
  assert.deepEqual(odd, {
    sessionId: null,
    model: null,
    sessionCostUsd: null,
    fiveHour: null,
    sevenDay: { usedPercentage: 5, resetsAt: 1_900_000_000_000 },
  });
  for (const junk of ['', 'not json', '[]', 'null', '{"rate_limits": []}']) {
    assert.deepEqual(
      parseStatusLineInput(junk),
      { sessionId: null, model: null, sessionCostUsd: null, fiveHour: null, sevenDay: null },
      junk,
    );
  }
});

test('the line: server figures, local estimates, unknowns and recovery states', () => {
  const reset = NOW + 3_600_000;
  assert.equal(
    formatStatusLine({
      now: NOW,
      fiveHour: { pct: 37.25, resetsAt: reset, source: 'server' },
      sevenDay: { pct: 61.5, resetsAt: null, source: 'stored' },
      todayCostUsd: 3.456,
      recovery: { state: 'normal', until: null },
    }),
    `5h 37% (resets ${clock(reset, NOW)}) · 7d 62% · today $3.46 · ccguard ok`,
  );
  assert.equal(
    formatStatusLine({
      now: NOW,
      fiveHour: { pct: 80, resetsAt: null, source: 'local' },
      sevenDay: null,
      todayCostUsd: 0,
      recovery: { state: 'backoff', until: reset },
    }),
    `5h ~80% · today $0.00 · ccguard backoff until ${clock(reset, NOW)}`,
  );
  assert.equal(
    formatStatusLine({
      now: NOW,
      fiveHour: null,
      sevenDay: null,
      todayCostUsd: 0,
      recovery: { state: 'degraded', until: null },
    }),
    '5h - · today $0.00 · ccguard degraded',
  );
  // A hold that ends on another day says which: never a bare clock that reads as today's.
  const later = NOW + 2 * 86_400_000;
  assert.equal(
    formatStatusLine({
      now: NOW,
      fiveHour: { pct: 100, resetsAt: later, source: 'server' },
      sevenDay: null,
      todayCostUsd: 0,
      recovery: { state: 'held', until: later },
    }),
    `5h 100% (resets ${fmtAt(later, NOW)}) · today $0.00 · ccguard held until ${fmtAt(later, NOW)}`,
  );
  assert.match(fmtAt(later, NOW), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d$/);
});

test('rate limits table: a repeated reading moves last_seen, a change adds a row, latest is per window', (t) => {
  const store = tmpStore(t);
  const rl = store.rateLimits;
  assert.equal(rl.latest('a', 'five_hour'), undefined);
  assert.equal(
    rl.record({ window: 'five_hour', used_pct: 10, resets_at: 5_000, session_id: 's', seen: 1_000, account: 'a' }),
    true,
  );
  assert.equal(
    rl.record({ window: 'five_hour', used_pct: 10, resets_at: 5_000, session_id: 's', seen: 2_000, account: 'a' }),
    false,
  );
  assert.equal(
    rl.record({ window: 'seven_day', used_pct: 40, resets_at: 9_000, session_id: null, seen: 2_500, account: 'a' }),
    true,
  );
  assert.equal(
    rl.record({ window: 'five_hour', used_pct: 12.5, resets_at: 5_000, session_id: 's', seen: 3_000, account: 'a' }),
    true,
  );
  assert.deepEqual(rl.latest('a', 'five_hour'), {
    id: 3,
    window: 'five_hour',
    used_pct: 12.5,
    resets_at: 5_000,
    first_seen: 3_000,
    last_seen: 3_000,
    session_id: 's',
    source: 'statusline',
    account: 'a',
  });
  assert.equal(rl.latest('a', 'seven_day')?.used_pct, 40);
  const first = store.db.prepare('SELECT first_seen, last_seen FROM rate_limits WHERE id = 1').get() as J;
  assert.deepEqual({ ...first }, { first_seen: 1_000, last_seen: 2_000 });
  assert.equal(rl.prune(2_600), 2, 'both rows last seen before then');
  assert.equal(rl.latest('a', 'five_hour')?.id, 3);
});

test('statusline with rate_limits: one line with both windows, recorded in SQLite with the time seen', (t) => {
  const e = env(t);
  const t0 = Date.now();
  const r = e.statusline(JSON.stringify(WITH_LIMITS));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `5h 37% (resets ${clock(RESET_5H * 1000)}) · 7d 62% · today $0.00 · ccguard ok\n`);
  const rows = e.rows();
  assert.deepEqual(
    rows.map((x) => [x.limit_window, x.used_pct, x.resets_at, x.session_id]),
    [
      ['five_hour', 37.25, RESET_5H * 1000, WITH_LIMITS.session_id],
      ['seven_day', 61.5, RESET_7D * 1000, WITH_LIMITS.session_id],
    ],
  );
  assert.ok(rows[0]!.first_seen >= t0 && rows[0]!.first_seen <= Date.now());
  // The same reading again is one row seen twice, not a new row.
  assert.equal(e.statusline(JSON.stringify(WITH_LIMITS)).code, 0);
  assert.equal(e.rows().length, 2);
  assert.ok(e.rows()[0]!.last_seen >= rows[0]!.last_seen);
  const moved = structuredClone(WITH_LIMITS);
  moved.rate_limits.five_hour.used_percentage = 40;
  assert.match(e.statusline(JSON.stringify(moved)).stdout, /^5h 40% /);
  assert.equal(e.rows().length, 3);
});

test('statusline without rate_limits: nothing recorded; the last server reading stands until its reset, else a local estimate', (t) => {
  const e = env(t);
  const bare = e.statusline(JSON.stringify(WITHOUT_LIMITS));
  assert.equal(bare.code, 0, bare.stderr);
  assert.equal(bare.stdout, '5h - · today $0.00 · ccguard ok\n');
  assert.deepEqual(e.rows(), []);

  // ccguard's own records: an hour of use today, a token plan to measure it against.
  mkdirSync(e.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 1000\n');
  const dir = join(e.projects, '-work-app');
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const ts = Math.max(now - 30 * 60_000, new Date(new Date(now).setHours(0, 0, 0, 0)).getTime() + 1000);
  writeFileSync(
    join(dir, 's1.jsonl'),
    assistantLine({ ts, msgId: 'm1', session: 's1', model: 'claude-opus-4-5-20251101', input: 200, output: 50 }) + '\n',
  );
  assert.equal(ccguard(['import'], e.env).code, 0);
  const local = e.statusline(JSON.stringify(WITHOUT_LIMITS));
  assert.match(local.stdout, /^5h ~25% \(resets (\w{3} )?\d\d:\d\d\) · today \$0\.00 · ccguard ok\n$/);

  const withCost = e.statusline(JSON.stringify(WITH_LIMITS));
  assert.match(withCost.stdout, / · 7d 62% · today \$0\.00 · /);
  const later = e.statusline(JSON.stringify(WITHOUT_LIMITS));
  assert.equal(
    later.stdout,
    `5h 37% (resets ${clock(RESET_5H * 1000)}) · 7d 62% · today $0.00 · ccguard ok\n`,
    'stored readings, not the local estimate',
  );
  assert.equal(e.rows().length, 2);
});

test("today's cost comes from the entries table; the recovery state shows", (t) => {
  const e = env(t);
  mkdirSync(e.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(e.stateDir, 'config.yaml'), 'plan: 100000000\n');
  const dir = join(e.projects, '-work-app');
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const ts = Math.max(now - 10 * 60_000, new Date(new Date(now).setHours(0, 0, 0, 0)).getTime() + 1000);
  // Opus 4.5: $5 per million input, $25 per million output: 100k in + 20k out = $1.00.
  writeFileSync(
    join(dir, 's1.jsonl'),
    assistantLine({
      ts,
      msgId: 'm1',
      session: 's1',
      model: 'claude-opus-4-5-20251101',
      input: 100_000,
      output: 20_000,
    }) + '\n',
  );
  assert.equal(ccguard(['import'], e.env).code, 0);
  assert.match(e.statusline(JSON.stringify(WITH_LIMITS)).stdout, / · today \$1\.00 · ccguard ok\n$/);
  assert.equal(ccguard(['pause', '--minutes', '30'], e.env).code, 0);
  assert.match(e.statusline(JSON.stringify(WITH_LIMITS)).stdout, / · ccguard paused until (\w{3} )?\d\d:\d\d\n$/);
});

test("--then: ccguard records, then prints the user's own output unchanged, given the same stdin", (t) => {
  const e = env(t);
  const input = JSON.stringify(WITH_LIMITS);
  const seen = join(e.home, 'stdin-seen.json');
  // Colours, no trailing newline, non-ASCII, and a shell construct: as a user's status line would have.
  const cmd = `cat > '${seen}'; printf '\\033[1;32m%s\\033[0m ✓ %s' "$(basename "$PWD")" "$(wc -c < '${seen}' | tr -d ' ')"`;
  const r = spawnSync(process.execPath, [CLI, 'statusline', '--ccguard', '--then', cmd], {
    input,
    cwd: e.home,
    env: { PATH: process.env.PATH ?? '', HOME: e.home, TZ: 'UTC' },
  });
  assert.equal(r.status, 0, r.stderr.toString());
  const base = e.home.split('/').pop()!;
  assert.deepEqual(r.stdout, Buffer.from(`\x1b[1;32m${base}\x1b[0m ✓ ${Buffer.byteLength(input)}`));
  assert.equal(e.rows().length, 2, 'recorded before handing over');
});

test("--then runs the user's command whatever ccguard meets (a broken config), and a hung command is cut off", (t) => {
  const e = env(t);
  mkdirSync(e.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(e.stateDir, 'config.yaml'), 'mode: sideways\n');
  const r = e.statusline(JSON.stringify(WITH_LIMITS), ['--then', 'echo user status']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'user status\n');
  assert.match(
    r.stderr,
    /ccguard: config\.yaml: mode must be enforce or observe .*; enforcing with the default configuration until it is fixed/,
  );
  // ccguard's own line goes on (with the defaults) and says the config is broken.
  const own = e.statusline(JSON.stringify(WITH_LIMITS));
  assert.equal(own.code, 0);
  assert.match(own.stdout, /^5h \d+% .* · ccguard config error \(ccguard status\)\n$/);

  writeFileSync(join(e.stateDir, 'config.yaml'), '');
  const hung = e.statusline('{}', ['--then', 'printf partial; sleep 30; echo never']);
  assert.equal(hung.code, 0);
  assert.equal(hung.stdout, 'partial');
  assert.match(hung.stderr, /took over 3 s and was stopped/);
});

test('a reset in 1970 or already past is not recorded; an old reading shows with its time, never as current', (t) => {
  const e = env(t);
  const soon = Math.floor(Date.now() / 1000) + 3600;
  assert.equal(
    e.statusline(JSON.stringify({ session_id: 's', rate_limits: { five_hour: { used_percentage: 50, resets_at: 1 } } }))
      .code,
    0,
  );
  assert.equal(
    e.statusline(
      JSON.stringify({
        session_id: 's',
        rate_limits: { five_hour: { used_percentage: 60, resets_at: Math.floor(Date.now() / 1000) - 60 } },
      }),
    ).code,
    0,
  );
  assert.deepEqual(
    e.rows().map((r) => r.resets_at),
    [null],
    'resets_at: 1 is dropped, the reading kept without it; a window already reset is not recorded',
  );
  assert.equal(
    e.statusline(
      JSON.stringify({ session_id: 's', rate_limits: { five_hour: { used_percentage: 42, resets_at: soon } } }),
    ).code,
    0,
  );
  // Twenty minutes on (past limits.server_fresh_seconds), without a new reading in the input.
  const db = openSqlite(join(e.stateDir, 'state.db'));
  db.prepare('UPDATE rate_limits SET first_seen = first_seen - 1200000, last_seen = last_seen - 1200000').run();
  db.close();
  const out = e.statusline(JSON.stringify({ session_id: 's' })).stdout;
  assert.match(out, /^5h 42% \(as of (\w{3} )?\d\d:\d\d\) · /, out);
});

test("a user status line that prints nothing in time leaves ccguard's own line, not a blank", (t) => {
  const e = env(t);
  const r = e.statusline(JSON.stringify(WITH_LIMITS), ['--then', 'sleep 30']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^5h 37% \(resets (\w{3} )?\d\d:\d\d\) · 7d 62% · today \$\d+\.\d\d · ccguard ok\n$/);
  assert.match(r.stderr, /took over 3 s and was stopped/);
  const failing = e.statusline(JSON.stringify(WITH_LIMITS), ['--then', 'exit 3']);
  assert.match(failing.stdout, /· ccguard ok\n$/, 'a command that fails silently: the same');
});
