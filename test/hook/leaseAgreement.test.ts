// The lease and the full check agree: over generated starting states (server readings of the 5-hour
// window, with the local usage between them that teaches the ratio and the pace) and generated moves
// (tokens added, a new reading of some share, the clock going on), whenever the lease still lets a
// call through, the full check, run on the same moved figures through the real sources and policy,
// makes the same silent allow. Said the other way: whenever the full check would answer differently,
// the lease has ended. In-process (runHook with a clock of the test's), one temporary home per case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runHook, type HookDeps } from '../../lib/hook/run.ts';
import { leaseAllows, readLease } from '../../lib/hook/fast.ts';
import { openStore } from '../../lib/store/store.ts';
import { accountOf } from '../../lib/util/account.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { assistantLine } from '../helpers/lines.ts';
import { openSqlite } from '../helpers/sqlite.ts';

const MIN = 60_000;
const SEED = 2222;
const RUNS = 100;
const SESSION = 's1';
const config = (plan: number): string =>
  [
    `plan: ${plan}`,
    'performance:',
    '  fast_path_seconds: 1800',
    'limits:',
    '  usage_api:',
    '    enabled: false',
    'integrations:',
    '  claude_monitor:',
    '    enabled: false',
    '',
  ].join('\n');

interface Reading {
  /** Minutes before the first full check. */
  ago: number;
  pct: number;
}

interface Start {
  /** The token limit ccguard's own estimate counts against (the figure when no reading stands). */
  plan: number;
  /** Readings of the 5-hour window (none: ccguard's own estimate decides). */
  readings: Reading[];
  /** One reading of the weekly window, a few minutes old. */
  weekly: { pct: number; resetInH: number } | null;
  /** Local tokens between consecutive readings (one response in the middle of each gap). */
  between: number[];
  resetInMin: number;
}

interface Move {
  /** Clock advance after the first full check, in seconds. */
  advanceS: number;
  /** Local tokens added (one response, at a point within the advance); or, when `nearBound`, this share of the lease's token bound. */
  tokens: number;
  nearBound: number | null;
  /** A new reading of a window: its rise over that window's last one (points), and when within the advance it was first seen (0..1). */
  reading: {
    window: 'five_hour' | 'seven_day';
    pct: number;
    at: number;
    sameReset: boolean;
    nearCeil: number | null;
  } | null;
}

/** Up to four readings over the last 90 minutes, rising (or not) in steps, the last one within 8 minutes; maybe a weekly one. */
const startArb: fc.Arbitrary<Start> = fc
  .record({
    plan: fc.oneof(fc.constant(100_000_000), fc.integer({ min: 100_000, max: 2_000_000 })),
    n: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }) }),
    weekly: fc.option(fc.record({ pct: fc.integer({ min: 0, max: 95 }), resetInH: fc.integer({ min: 6, max: 160 }) }), {
      freq: 2,
    }),
    first: fc.integer({ min: 0, max: 85 }),
    steps: fc.array(fc.integer({ min: -1, max: 12 }), { minLength: 3, maxLength: 3 }),
    gaps: fc.array(fc.integer({ min: 3, max: 30 }), { minLength: 3, maxLength: 3 }),
    lastAgo: fc.integer({ min: 0, max: 8 }),
    between: fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: 3, maxLength: 3 }),
    resetInMin: fc.integer({ min: 15, max: 290 }),
  })
  .map(({ plan, n, weekly, first, steps, gaps, lastAgo, between, resetInMin }) => {
    const readings: Reading[] = [];
    let pct = first;
    let ago = lastAgo + gaps.slice(0, n - 1).reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++) {
      readings.push({ ago, pct });
      pct = Math.min(99, Math.max(0, pct + steps[i]!));
      ago -= gaps[i] ?? 0;
    }
    return { plan, readings, weekly, between: between.slice(0, Math.max(0, n - 1)), resetInMin };
  });

const moveArb: fc.Arbitrary<Move> = fc.record({
  // Mostly within the lease's time, sometimes past it.
  advanceS: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 20 * 60 })),
  tokens: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 50_000, max: 3_000_000 })),
  // Often right about the lease's own token bound, where an error would show.
  nearBound: fc.option(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { freq: 2 }),
  // Mostly a rise of up to 40 points from the last reading (Move.reading.pct is that rise until the case adds it).
  reading: fc.option(
    fc.record({
      window: fc.oneof(
        { weight: 4, arbitrary: fc.constant('five_hour' as const) },
        { weight: 1, arbitrary: fc.constant('seven_day' as const) },
      ),
      pct: fc.integer({ min: -5, max: 40 }),
      // Often, instead, this share of the highest share the lease lets the window's next reading reach.
      nearCeil: fc.option(fc.double({ min: 0.9, max: 1.1, noNaN: true }), { freq: 2 }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      sameReset: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
    { freq: 5 },
  ),
});

interface Outcome {
  stdout: string;
  sleepMs: number;
  notified: number;
  decision: string;
  state: string;
}

test(
  `lease agreement: ${RUNS} generated states and moves, the lease allows only what the full check allows silently`,
  { timeout: 600_000 },
  async (t) => {
    const tally = { granted: 0, held: 0, ended: 0, changed: 0 };
    const heldIn = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(startArb, moveArb, async (start, move) => {
        const h = tmpHome('ccguard-agree-');
        try {
          const project = join(h.projects, '-work-app');
          mkdirSync(project, { recursive: true });
          mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
          const configFile = join(h.stateDir, 'config.yaml');
          writeFileSync(configFile, config(start.plan));
          const env = { HOME: h.home, TZ: 'UTC', PATH: process.env.PATH ?? '', NO_COLOR: '1' };
          const account = accountOf(env).key;
          const transcript = join(project, `${SESSION}.jsonl`);
          let msg = 0;
          const usage = (ts: number, tokens: number): void => {
            // Input and output alike count toward the figure; split them so both are read.
            const input = Math.floor(tokens / 2);
            appendFileSync(
              transcript,
              assistantLine({ msgId: `m${msg++}`, session: SESSION, ts, input, output: tokens - input }) + '\n',
            );
          };
          const t0 = Date.now();
          const resetsAt = Math.floor((t0 + start.resetInMin * MIN) / 1000) * 1000;
          const weeklyReset = Math.floor((t0 + (start.weekly?.resetInH ?? 100) * 60 * MIN) / 1000) * 1000;
          // The starting state: the readings, with the local usage between them, and a response of the session.
          writeFileSync(transcript, '');
          const store = openStore(join(h.stateDir, 'state.db'));
          try {
            start.readings.forEach((r, i) => {
              const at = t0 - r.ago * MIN;
              store.rateLimits.record({
                window: 'five_hour',
                used_pct: r.pct,
                resets_at: resetsAt,
                session_id: SESSION,
                seen: at,
                account,
              });
              const next = start.readings[i + 1];
              if (next && start.between[i]! > 0) usage(Math.round((at + (t0 - next.ago * MIN)) / 2), start.between[i]!);
            });
            if (start.weekly)
              store.rateLimits.record({
                window: 'seven_day',
                used_pct: start.weekly.pct,
                resets_at: weeklyReset,
                session_id: SESSION,
                seen: t0 - 3 * MIN,
                account,
              });
          } finally {
            store.close();
          }
          usage(t0 - 30_000, 2000);

          let now = t0;
          const notified: string[] = [];
          const deps: HookDeps = { now: () => now, sleep: async () => {}, notify: (n) => void notified.push(n.title) };
          const stdin = JSON.stringify({
            session_id: SESSION,
            transcript_path: transcript,
            cwd: '/work/app',
            hook_event_name: 'PreToolUse',
            permission_mode: 'default',
            tool_name: 'Bash',
            tool_input: { command: 'ls' },
          });
          const full = async (): Promise<Outcome> => {
            notified.length = 0;
            const r = await runHook('PreToolUse', stdin, env, deps);
            const db = openSqlite(join(h.stateDir, 'state.db'), { readonly: true });
            try {
              // The call's own row (a notice it sent has a row of its own, with no tool).
              const ev = db
                .prepare(
                  "SELECT decision, state FROM events WHERE hook = 'PreToolUse' AND tool = 'Bash' ORDER BY id DESC LIMIT 1",
                )
                .get() as { decision: string; state: string };
              return { stdout: r.stdout, sleepMs: r.sleepMs, notified: notified.length, ...ev };
            } finally {
              db.close();
            }
          };

          const before = await full();
          const lease = readLease(h.stateDir, SESSION);
          if (lease === null) return; // not a silent allow: nothing leased
          tally.granted++;

          // The move: the clock, the tokens, a new reading, each as Claude Code and the status line leave them.
          const t1 = t0 + move.advanceS * 1000;
          const tokens =
            move.nearBound !== null && lease.tokens !== null
              ? Math.max(1, Math.round(lease.tokens * move.nearBound))
              : move.tokens;
          if (tokens > 0) usage(t0 + Math.floor((t1 - t0) / 2), tokens);
          if (move.reading) {
            const seen = t0 + Math.floor((t1 - t0) * move.reading.at);
            const s = openStore(join(h.stateDir, 'state.db'));
            try {
              const five = move.reading.window === 'five_hour';
              const last = five ? (start.readings.at(-1)?.pct ?? 0) : (start.weekly?.pct ?? 0);
              const ceil = lease.bounds[move.reading.window]?.ceil;
              const rise =
                move.reading.nearCeil !== null && ceil !== undefined
                  ? Math.round(ceil * 100 * move.reading.nearCeil) - last
                  : move.reading.pct;
              const pct = Math.min(100, Math.max(0, last + rise));
              const reset = five ? resetsAt : weeklyReset;
              s.rateLimits.record({
                window: move.reading.window,
                used_pct: pct,
                resets_at: move.reading.sameReset ? reset : reset + 3_600_000,
                session_id: SESSION,
                seen,
                account,
              });
            } finally {
              s.close();
            }
          }
          now = t1;

          const leased = leaseAllows(h.stateDir, configFile, SESSION, t1, transcript);
          const after = await full();
          const silentAllow =
            after.stdout === '' && after.sleepMs === 0 && after.notified === 0 && after.decision === 'allow';
          if (!silentAllow || after.state !== before.state) tally.changed++;
          if (leased === null) {
            tally.ended++;
            return;
          }
          tally.held++;
          heldIn.set(leased, (heldIn.get(leased) ?? 0) + 1);
          const what = `lease held (state ${leased}) but the full check said ${JSON.stringify(after)}`;
          assert.ok(silentAllow, what);
          assert.equal(after.state, leased, what);
        } finally {
          h.cleanup();
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    t.diagnostic(
      `granted ${tally.granted}, held ${tally.held}, ended ${tally.ended}, full check changed ${tally.changed}; held in ${JSON.stringify(Object.fromEntries(heldIn))}`,
    );
    // Not vacuous: leases were granted, some held through their move, and some moves changed the answer.
    assert.ok(tally.granted > RUNS / 3, `leases granted in ${tally.granted} of ${RUNS} states`);
    assert.ok(tally.held > 0, `a lease held in ${tally.held} cases`);
    assert.ok(tally.changed > 0, `the full check changed its answer in ${tally.changed} cases`);
  },
);
