// Load: 32 hook processes at a time (the built dist/hooks), across 4 sessions, while a writer in this
// process and another writer process append to those sessions' transcripts (partial lines included),
// and `ccguard status`, `report` and `events --follow` read. Every hook answers (none lost, no lock error),
// and afterwards the totals equal a clean single import of the same files.
//
// CCGUARD_SOAK=long runs ten times as many calls; CCGUARD_RELIABILITY_KEEP=1 keeps the temporary HOME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqlite } from '../helpers/sqlite.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { REPO } from '../helpers/cli.ts';
import { CLI, badRun, pool, runCli, runHookProc, type ProcRun } from '../helpers/hookProc.ts';
import { TranscriptWriter, rng } from '../helpers/soakWriter.ts';
import { assertSameAsCleanImport } from '../helpers/totals.ts';
import { Tally, measured } from '../helpers/figures.ts';
import type { HookEvent } from '../../lib/policy/types.ts';

const LONG = process.env.CCGUARD_SOAK === 'long';
/** Hook processes in flight at once. */
const WIDTH = 32;
const CALLS = LONG ? 4000 : 400;
const SUITE = 'soak';
/**
 * Each writer appends an exchange (a prompt and a response of two content-block lines) this often:
 * with two writers, ~80 exchanges and ~240 lines a second, many times what 4 live sessions write.
 * The long run writes at a quarter of that: the point there is time and calls, not a 5-hour block of
 * 20,000 responses (each full check sums the current block, and its cost grows with it).
 */
const WRITE_EVERY_MS = LONG ? 100 : 25;

/** The mix Claude Code sends in a busy session: mostly tool calls. */
const MIX: [HookEvent, number][] = [
  ['PreToolUse', 0.4],
  ['PostToolUse', 0.3],
  ['UserPromptSubmit', 0.1],
  ['Stop', 0.07],
  ['SubagentStop', 0.05],
  ['SessionStart', 0.04],
  ['StopFailure', 0.02],
  ['SessionEnd', 0.02],
];

function pick(r: number): HookEvent {
  let acc = 0;
  for (const [e, w] of MIX) {
    acc += w;
    if (r < acc) return e;
  }
  return 'PreToolUse';
}

test(
  `soak: ${CALLS} hook calls, ${WIDTH} at a time, 4 sessions, 2 writers, readers; totals equal a clean import`,
  { timeout: LONG ? 1_800_000 : 150_000 },
  async () => {
    const tally = new Tally('');
    await measured(
      SUITE,
      'Load',
      `${WIDTH} parallel hooks × ${CALLS} calls, 4 sessions, 2 transcript writers, status/report/events --follow reading`,
      tally,
      async () => {
        const h = tmpHome('ccguard-soak-');
        const spawned: ChildProcess[] = [];
        let writing = true;
        let hooksRunning = true;
        try {
          mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
          // Far from every threshold, and no sleeping: every call is answered at once, whatever it decides.
          writeFileSync(
            join(h.stateDir, 'config.yaml'),
            'plan: 1000000000000\nalerts:\n  cost_threshold: 1000000\nrecovery:\n  max_sleep_seconds: 0\n',
          );
          const sessions = ['a1', 'a2', 'b1', 'b2'].map((s) => ({
            session: `soak-${s}`,
            path: join(h.projects, s.startsWith('a') ? '-work-alpha' : '-work-beta', `soak-${s}.jsonl`),
          }));
          const subagents = sessions.map((s) => ({
            session: s.session,
            path: join(s.path.slice(0, -6), 'subagents', 'agent-x1.jsonl'),
          }));
          const env = { HOME: h.home, PATH: process.env.PATH ?? '', TZ: 'UTC', NO_COLOR: '1' };
          const rand = rng(20261120);

          // An hour of history before the hooks start.
          const local = new TranscriptWriter(sessions, rng(7), 'local');
          const t0 = Date.now();
          for (let i = 0; i < 240; i++) local.step(t0 - 3_600_000 + i * 10_000);

          // Writer 1: this process. Writer 2: another process, on the sessions' subagent transcripts.
          const writerLoop = (async () => {
            while (writing) {
              local.step(Date.now() - 20_000);
              await sleep(WRITE_EVERY_MS);
            }
            local.finish();
          })();
          const stop = join(h.home, 'stop-writer');
          const child = spawn(
            process.execPath,
            [
              '--import',
              'tsx',
              join(REPO, 'test', 'helpers', 'soakWriterProc.ts'),
              stop,
              '99',
              'proc',
              ...subagents.map((s) => `${s.path}=${s.session}`),
            ],
            {
              cwd: REPO,
              env: { ...process.env, SOAK_WRITE_EVERY_MS: String(WRITE_EVERY_MS) },
              stdio: ['ignore', 'pipe', 'pipe'],
            },
          );
          spawned.push(child);
          let childOut = '';
          let childErr = '';
          child.stdout.on('data', (d: Buffer) => (childOut += d.toString()));
          child.stderr.on('data', (d: Buffer) => (childErr += d.toString()));
          const childDone = new Promise<number | null>((resolve) => child.on('close', resolve));

          // events --follow, started before the hooks and stopped after.
          const follow = spawn(process.execPath, [CLI, 'events', '--follow', '--json'], {
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          spawned.push(follow);
          let followOut = '';
          let followErr = '';
          follow.stdout.on('data', (d: Buffer) => (followOut += d.toString()));
          follow.stderr.on('data', (d: Buffer) => (followErr += d.toString()));
          const followDone = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
            follow.on('close', (c, s) => resolve([c, s])),
          );

          // Readers: status and reports in a loop while the hooks run.
          const readerRuns: { args: string[]; r: ProcRun }[] = [];
          const readers = (async () => {
            const cmds = [
              ['status', '--json'],
              ['report', 'blocks', '--json'],
              ['events', '--json', '--limit', '20'],
              ['report', 'daily', '--json'],
              ['status'],
            ];
            for (let i = 0; hooksRunning; i++) {
              const args = cmds[i % cmds.length]!;
              readerRuns.push({ args, r: await runCli(args, { env, killAfterMs: 60_000 }) });
            }
          })();

          const jobs = Array.from({ length: CALLS }, (_, i) => {
            const event = pick(rand());
            const s = sessions[Math.floor(rand() * sessions.length)]!;
            const stdin = JSON.stringify({
              session_id: s.session,
              transcript_path: s.path,
              cwd: '/work/alpha',
              hook_event_name: event,
              permission_mode: 'default',
              ...(event === 'PreToolUse' || event === 'PostToolUse'
                ? { tool_name: ['Bash', 'Read', 'Edit', 'Task'][i % 4], tool_input: { command: `echo ${i}` } }
                : {}),
              ...(event === 'PostToolUse'
                ? { tool_response: { stdout: `${i}\n`, stderr: '', interrupted: false } }
                : {}),
              ...(event === 'UserPromptSubmit' ? { prompt: `step ${i}` } : {}),
              ...(event === 'StopFailure' ? { error: 'server_error', last_assistant_message: 'API Error: 500' } : {}),
              ...(event === 'SessionStart' ? { source: 'resume' } : {}),
              ...(event === 'SessionEnd' ? { reason: 'other' } : {}),
            });
            return async () => ({ event, r: await runHookProc(event, stdin, { env, killAfterMs: 60_000 }) });
          });
          const started = performance.now();
          const results = await pool(WIDTH, jobs);
          const wall = performance.now() - started;
          hooksRunning = false;
          await readers;
          writing = false;
          await writerLoop;
          writeFileSync(stop, '');
          assert.equal(await childDone, 0, `writer process: ${childErr}`);
          follow.kill('SIGINT');
          const [followCode, followSig] = await followDone;

          const failures = results.flatMap(({ event, r }, i) => {
            tally.call(r.ms);
            const why = badRun(event, r);
            return why ? [`call ${i} (${event}): ${why}`] : [];
          });
          assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${CALLS} hook calls failed`);
          // A hook that meets an error (a lock held too long, a busy database) still answers, failing open:
          // its log is where that shows.
          const logFile = join(h.stateDir, 'ccguard.log');
          const failedOpen = existsSync(logFile)
            ? readFileSync(logFile, 'utf8')
                .split('\n')
                .filter((l) => /hook failed|SQLITE_BUSY|database is locked/.test(l))
            : [];
          assert.deepEqual(failedOpen.slice(0, 5), [], `${failedOpen.length} hook calls failed open`);

          // Readers: every run answered, with JSON where asked for.
          for (const { args, r } of readerRuns) {
            assert.equal(r.code, 0, `ccguard ${args.join(' ')}: ${r.stderr}`);
            assert.equal(r.stderr, '', `ccguard ${args.join(' ')} stderr`);
            if (args.includes('--json'))
              assert.doesNotThrow(() => JSON.parse(r.stdout), `ccguard ${args.join(' ')} printed JSON`);
          }
          assert.ok(readerRuns.length >= 3, `readers ran ${readerRuns.length} times`);
          assert.ok(
            followCode === 0 || followSig === 'SIGINT',
            `events --follow ended ${followCode}/${followSig}: ${followErr}`,
          );
          assert.equal(followErr, '', 'events --follow stderr');
          const followed = followOut
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { hook: string });
          assert.ok(followed.length > 0, 'events --follow saw hook runs as they happened');

          // Every call is one event (fast-path runs folded in from the journal), none lost, none twice.
          const ev = await runCli(['events', '--json', '--limit', '1000000'], { env });
          assert.equal(ev.code, 0, ev.stderr);
          const rows = JSON.parse(ev.stdout) as { decision: string; source: string | null }[];
          const runs = rows.filter((r) => r.decision !== 'notify');
          assert.equal(runs.length, CALLS, 'one event per hook call');
          const fast = runs.filter((r) => r.source === 'fast-path').length;

          const db = openSqlite(join(h.stateDir, 'state.db'), { readonly: true });
          try {
            assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
          } finally {
            db.close();
          }
          const w2 = JSON.parse(childOut) as { responses: number; partials: number };
          const { entries } = assertSameAsCleanImport(env, h.home);
          assert.equal(entries, local.responses + w2.responses, 'every response written is counted once');

          tally.processes += readerRuns.length + 3; // readers, events --follow, the writer, the final events
          tally.cases = CALLS;
          tally.held =
            `all exit 0 with empty or valid JSON, no stderr (wall ${(wall / 1000).toFixed(1)} s; ${fast} fast-path); ` +
            `${readerRuns.length} status/report runs and events --follow clean; ${CALLS} events, none lost; ` +
            `${entries} responses (${local.partials + w2.partials} written in two pieces) = clean import`;
        } finally {
          // Whatever failed above, stop the loops and end the two processes this case started (by their own ids).
          writing = false;
          hooksRunning = false;
          for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
          if (process.env.CCGUARD_RELIABILITY_KEEP) console.error(`kept ${h.home}`);
          else h.cleanup();
        }
      },
    );
  },
);
