// Faults in what the hooks read and call: transcripts truncated, rewritten or replaced; files that
// vanish mid-read; symlink loops under projects/; a 50 MB line; bytes that are not UTF-8; timestamps
// far off; the clock moving back between two hooks; claude-monitor and the notifier hanging or
// missing. Every hook answers, and the totals equal a clean import.
import { removeTree } from '../helpers/tmp.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { hookEnv } from '../helpers/hookEnv.ts';
import { assistantLine, userLine } from '../helpers/lines.ts';
import { CLOCK_SHIFT, badRun, pool, runCli, runHookProc, sleepyBin, type ProcRun } from '../helpers/hookProc.ts';
import { assertSameAsCleanImport, cleanTotals, totalsOf, type TotalsView } from '../helpers/totals.ts';
import { Tally, measured } from '../helpers/figures.ts';
import { openStore } from '../../lib/store/store.ts';
import { importRecent, type ImportContext } from '../../lib/transcripts/import.ts';
import { Importer, loadParser } from '../../lib/transcripts/importer.ts';
import type { HookEvent } from '../../lib/policy/types.ts';

const SUITE = 'faults-transcripts';
const MIN = 60_000;
type Env = ReturnType<typeof hookEnv>;

function hook(
  e: Env,
  event: HookEvent,
  session = 's1',
  extra: Record<string, unknown> = {},
  more: { env?: Record<string, string>; nodeArgs?: string[]; stdin?: string } = {},
): Promise<ProcRun> {
  const stdin =
    more.stdin ??
    e.input(event, session, { tool_name: 'Bash', tool_input: { command: 'ls' }, prompt: 'go on', ...extra });
  return runHookProc(event, stdin, { env: { ...e.env, ...more.env }, nodeArgs: more.nodeArgs, killAfterMs: 60_000 });
}

function ok(event: HookEvent, r: ProcRun, tally: Tally, what: string): void {
  tally.call(r.ms);
  const why = badRun(event, r);
  assert.equal(why, null, `${what}: ${why}`);
}

/** A hook that fails open still answers: its log says whether it did. */
function noHookFailures(e: Env): void {
  const failed = e
    .log()
    .split('\n')
    .filter((l) => l.includes('hook failed'));
  assert.deepEqual(failed, [], 'no hook failed open');
}

let uniq = 0;
/** `n` responses, each written as two content-block lines, with a user line before. */
function responses(session: string, n: number, ts0: number, tag = `r${uniq++}`): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = assistantLine({ ts: ts0 + i * 1000, msgId: `msg_${tag}_${i}`, session, input: 10 + i, output: 3 });
    out.push(userLine(ts0 + i * 1000 - 500, `q ${i}`, session), a, a);
  }
  return out.join('\n') + '\n';
}

test('a transcript truncated, rewritten in place, replaced by another file, emptied: the next hook re-reads it; totals equal a clean import', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Faults',
    'transcript truncated mid-line, rewritten in place (same size), replaced (new inode), emptied and refilled',
    tally,
    async () => {
      const e = hookEnv(t, 'plan: 1000000000000\nperformance:\n  fast_path_seconds: 0\n');
      const f = e.transcript('s1');
      const now = Date.now();
      writeFileSync(f, responses('s1', 60, now - 50 * MIN));
      ok('UserPromptSubmit', await hook(e, 'UserPromptSubmit'), tally, 'first read');
      const steps: [string, () => void][] = [
        [
          'truncated mid-line, then appended',
          () => {
            truncateSync(f, Math.floor(readFileSync(f).length / 2) + 7);
            appendFileSync(f, '\n' + responses('s1', 5, now - 20 * MIN));
          },
        ],
        [
          'rewritten in place, same size',
          () => {
            const text = readFileSync(f, 'utf8')
              .replace(/msg_r/g, 'msg_w')
              .replace(/"input_tokens":1(\d)/g, '"input_tokens":2$1');
            writeFileSync(f, text);
          },
        ],
        [
          'replaced by another file (new inode)',
          () => {
            writeFileSync(`${f}.new`, responses('s1', 12, now - 10 * MIN));
            renameSync(`${f}.new`, f);
          },
        ],
        ['emptied', () => truncateSync(f, 0)],
        ['refilled', () => appendFileSync(f, responses('s1', 7, now - 5 * MIN))],
      ];
      for (const [name, change] of steps) {
        change();
        tally.faults++;
        ok('PreToolUse', await hook(e, 'PreToolUse'), tally, name);
        assertSameAsCleanImport(e.env, e.home, name.replace(/\W+/g, '-'), name === 'emptied');
        tally.processes += 7;
        tally.cases++;
      }
      noHookFailures(e);
      tally.held =
        'each change noticed (size, inode or head hash), the file read again from the start; totals = clean import after every step';
    },
  );
});

test('files that vanish mid-read, between stat and open, and while hooks and imports run', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Faults',
    'transcripts deleted mid-read, between stat and open, and churned (created/deleted) under running hooks',
    tally,
    async () => {
      const e = hookEnv(t, 'plan: 1000000000000\n');
      const now = Date.now();
      // In-process: the parser deletes the file while the importer is inside it.
      const store = openStore(join(e.stateDir, 'state.db'));
      try {
        const ctx: ImportContext = { store, roots: [e.projects], prices: {}, timeZone: () => 'UTC', now };
        const f = e.transcript('gone');
        writeFileSync(f, responses('gone', 40, now - 30 * MIN));
        const parse = await loadParser();
        let calls = 0;
        const imp = new Importer(ctx, (text, c) => {
          if (calls++ === 3) rmSync(f);
          return parse(text, c);
        });
        assert.doesNotThrow(() => imp.importFile(f));
        assert.equal(store.entries.totals(0, Number.MAX_SAFE_INTEGER).entries, 40, 'the open file is read to its end');
        // Between stat and open.
        const g = e.transcript('gone2');
        writeFileSync(g, responses('gone2', 3, now - 30 * MIN));
        const st = statSync(g);
        rmSync(g);
        assert.equal(new Importer(ctx, parse).importFile(g, st), false);
        await importRecent(ctx, { files: [f, g], hotWindowMs: 6 * 3_600_000, rescanMs: 0, initialWindowMs: 3_600_000 });
        tally.faults += 2;
        tally.cases += 2;
      } finally {
        store.close();
      }

      // Processes: hooks, imports and status while files and folders come and go.
      writeFileSync(e.transcript('s1'), responses('s1', 30, now - 40 * MIN));
      let churning = true;
      let churned = 0;
      const churn = (async () => {
        for (let i = 0; churning; i++) {
          const dir = join(e.projects, `-churn-${i % 3}`);
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `c${i}.jsonl`);
          writeFileSync(file, responses(`c${i}`, 20, now - 30 * MIN));
          await sleep(2);
          if (i % 2 === 0) rmSync(file, { force: true });
          else removeTree(dir);
          churned++;
          await sleep(1);
        }
      })();
      const events: HookEvent[] = ['PreToolUse', 'UserPromptSubmit', 'Stop', 'PostToolUse', 'SessionStart'];
      const jobs: (() => Promise<{ event: HookEvent | 'cli'; r: ProcRun }>)[] = [];
      for (let i = 0; i < 30; i++) {
        const event = events[i % events.length]!;
        const session = i % 3 === 0 ? `c${i}` : 's1';
        jobs.push(async () => ({
          event,
          r: await hook(e, event, session, {
            transcript_path: session === 's1' ? e.transcript('s1') : join(e.projects, `-churn-${i % 3}`, `c${i}.jsonl`),
          }),
        }));
        if (i % 6 === 0)
          jobs.push(async () => ({
            event: 'cli',
            r: await runCli(i % 12 === 0 ? ['import', '--json'] : ['status'], { env: e.env, killAfterMs: 60_000 }),
          }));
      }
      const results = await pool(8, jobs);
      churning = false;
      await churn;
      for (const { event, r } of results) {
        if (event === 'cli') {
          tally.processes++;
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stderr, '');
        } else ok(event, r, tally, `${event} during churn`);
      }
      tally.faults += churned;
      tally.cases++;
      for (let i = 0; i < 3; i++) rmSync(join(e.projects, `-churn-${i}`), { recursive: true, force: true });
      // Responses from deleted transcripts stay counted (Claude Code deletes old transcripts; their
      // usage is history): the files that remain are counted as a clean import counts them.
      const kept = (v: TotalsView): unknown[] => v.sessions.filter((x) => x.session_id === 's1');
      const shared = totalsOf(e.env);
      const clean = cleanTotals(e.env, join(e.home, 'clean-churn'));
      assert.deepEqual(kept(shared), kept(clean));
      assert.equal(clean.entries, 30);
      noHookFailures(e);
      tally.held = `no throw in-process; ${churned} files and folders created and deleted under ${results.length} hook and CLI runs, all clean; the transcripts that remain counted as a clean import counts them (responses of deleted ones are kept as history)`;
    },
  );
});

test('symlink loops under projects/ (self, mutual, to a parent), a dangling link, a linked transcript: no hang, nothing counted twice', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Faults',
    'symlink loops under projects/ (self, mutual, parent), dangling and linked transcripts',
    tally,
    async () => {
      const e = hookEnv(t, 'plan: 1000000000000\nimport:\n  rescan_seconds: 0\n');
      const now = Date.now();
      writeFileSync(e.transcript('s1'), responses('s1', 10, now - 30 * MIN));
      const a = join(e.projects, '-a');
      const b = join(e.projects, '-b');
      mkdirSync(a, { recursive: true });
      mkdirSync(b, { recursive: true });
      writeFileSync(join(a, 'sa.jsonl'), responses('sa', 4, now - 20 * MIN));
      symlinkSync(b, join(a, 'to-b'));
      symlinkSync(a, join(b, 'to-a'));
      symlinkSync('.', join(a, 'here'));
      symlinkSync(e.projects, join(b, 'up'));
      symlinkSync('self.jsonl', join(a, 'self.jsonl'));
      symlinkSync(join(a, 'sa.jsonl'), join(b, 'linked.jsonl'));
      symlinkSync(join(a, 'nowhere.jsonl'), join(b, 'dangling.jsonl'));
      symlinkSync('loop-dir', join(e.projects, 'loop-dir'));
      mkdirSync(join(e.project, 's1', 'subagents'), { recursive: true });
      symlinkSync(join(e.project, 's1'), join(e.project, 's1', 'subagents', 'agent-loop.jsonl'));
      tally.faults += 8;
      for (const [event, path] of [
        ['PreToolUse', e.transcript('s1')],
        ['UserPromptSubmit', join(a, 'self.jsonl')],
        ['PostToolUse', join(a, 'here', 'here', 'here', 'sa.jsonl')],
        ['Stop', join(b, 'dangling.jsonl')],
        ['SessionStart', join(b, 'linked.jsonl')],
      ] as [HookEvent, string][]) {
        ok(event, await hook(e, event, 's1', { transcript_path: path }), tally, `${event} ${path}`);
        tally.cases++;
      }
      for (const args of [['import'], ['status'], ['report', 'sessions'], ['doctor']]) {
        const r = await runCli(args, { env: e.env, killAfterMs: 60_000 });
        tally.processes++;
        assert.ok(r.code === 0 || (args[0] === 'doctor' && r.code === 1), `${args.join(' ')}: ${r.code} ${r.stderr}`);
      }
      const { entries } = assertSameAsCleanImport(e.env, e.home);
      assert.equal(entries, 14, 'each response once, whatever links lead to it');
      noHookFailures(e);
      tally.held =
        'walks do not follow linked folders, loops end in ELOOP and are skipped; hooks, import, status, report, doctor all answered; 14 responses counted once';
    },
  );
});

test(
  'a 50 MB single line in a live transcript: read, the responses around it counted',
  { timeout: 120_000 },
  async (t) => {
    const tally = new Tally('');
    await measured(
      SUITE,
      'Faults',
      'a 50 MB single line (a response with 50 MB of text) appended to a live transcript',
      tally,
      async () => {
        const e = hookEnv(t, 'plan: 1000000000000\n');
        const now = Date.now();
        const f = e.transcript('s1');
        writeFileSync(f, responses('s1', 20, now - 40 * MIN));
        ok('PreToolUse', await hook(e, 'PreToolUse'), tally, 'before');
        ok('PreToolUse', await hook(e, 'PreToolUse'), tally, 'fast path before');
        const big = assistantLine({
          ts: now - 30 * MIN,
          msgId: 'msg_big',
          session: 's1',
          input: 5,
          output: 5,
          text: 'x'.repeat(50 * 1024 * 1024),
        });
        assert.ok(big.length > 50 * 1024 * 1024);
        appendFileSync(f, big + '\n');
        appendFileSync(f, responses('s1', 20, now - 20 * MIN));
        tally.faults++;
        // The cached allow must not hide what came after the big line: the fast path leaves it to the full check.
        for (const event of ['PreToolUse', 'UserPromptSubmit', 'Stop'] as HookEvent[])
          ok(event, await hook(e, event), tally, event);
        const { entries } = assertSameAsCleanImport(e.env, e.home);
        assert.equal(entries, 41);
        tally.cases = 1;
        noHookFailures(e);
        tally.held = `the hook after the append read the 50 MB line in ${Math.round(tally.latencies[2] ?? 0)} ms; 41 responses = clean import`;
      },
    );
  },
);

test('bytes that are not UTF-8 in transcripts: counted where the JSON holds, skipped and counted as malformed where not', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Faults',
    'non-UTF-8 bytes in transcript lines (in text, in ids, whole lines, Latin-1, a lone surrogate)',
    tally,
    async () => {
      const e = hookEnv(t, 'plan: 1000000000000\n');
      const now = Date.now();
      const f = e.transcript('s1');
      const good = (i: number, text: string, id = `msg_u${i}`): Buffer =>
        Buffer.from(assistantLine({ ts: now - 30 * MIN + i * 1000, msgId: id, session: 's1', text }) + '\n');
      /** Every `marker` in the line replaced by raw bytes. */
      const withBytes = (line: Buffer, marker: string, bytes: number[]): Buffer => {
        const out: Buffer[] = [];
        let from = 0;
        for (let at = line.indexOf(marker); at !== -1; at = line.indexOf(marker, from)) {
          out.push(line.subarray(from, at), Buffer.from(bytes));
          from = at + marker.length;
        }
        out.push(line.subarray(from));
        return Buffer.concat(out);
      };
      const parts: Buffer[] = [
        good(0, 'plain'),
        withBytes(good(1, 'BAD'), 'BAD', [0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
        withBytes(good(2, 'x', 'msg_IDX'), 'IDX', [0xe2, 0x28, 0xa1]),
        withBytes(good(3, 'x', 'msg_IDX'), 'IDX', [0xf0, 0x28, 0x8c, 0xbc]),
        Buffer.from(good(4, 'caf\u00e9').toString('utf8'), 'latin1'),
        Buffer.from(good(5, 'lone \ud800 surrogate').toString('utf8')),
        Buffer.concat([
          Buffer.from([0xff, 0xfe, 0xfd]),
          Buffer.from('"usage" garbage \x00\x01'),
          Buffer.from([0xc0, 0xaf, 0x0a]),
        ]),
        withBytes(good(7, 'x'), '"usage"', [0x22, 0x75, 0x73, 0x61, 0x67, 0xff, 0x22]),
        Buffer.from([0xef, 0xbb, 0xbf]), // a byte-order mark before the next line
        good(8, 'after bom'),
      ];
      writeFileSync(f, Buffer.concat(parts));
      tally.faults += 8;
      for (const event of ['PreToolUse', 'UserPromptSubmit', 'SessionStart'] as HookEvent[])
        ok(event, await hook(e, event), tally, event);
      const { entries } = assertSameAsCleanImport(e.env, e.home);
      // 0, 1, 2, 3, 4 (Latin-1 é inside a string), 5: the JSON still holds. 6: malformed. 7: its
      // "usage" key broken, no longer a response. 8, behind a byte-order mark: malformed.
      assert.equal(entries, 6);
      const imp = await runCli(['import', '--json'], { env: { ...e.env, CCGUARD_HOME: join(e.home, 'count-bad') } });
      assert.equal((JSON.parse(imp.stdout) as { bad_lines: number }).bad_lines, 2);
      tally.cases = parts.length;
      noHookFailures(e);
      tally.held = '6 responses counted, 2 malformed lines skipped and counted; hooks answered; totals = clean import';
    },
  );
});

test('timestamps far in the future or past, or not dates: hooks, status and reports answer; totals equal a clean import', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Faults',
    'transcript timestamps in the future, far past, out of range, not dates',
    tally,
    async () => {
      const e = hookEnv(t, 'plan: 1000000000000\n');
      const now = Date.now();
      const stamps = [
        '2999-01-01T00:00:00.000Z',
        '9999-12-31T23:59:59.999Z',
        new Date(now + 3_600_000).toISOString(),
        new Date(now + 400 * 86_400_000).toISOString(),
        '1970-01-01T00:00:00.000Z',
        '0001-01-01T00:00:00.000Z',
        '1900-06-01T12:00:00Z',
        '+275760-09-13T00:00:00.000Z',
        '-000001-01-01T00:00:00Z',
      ];
      const invalid = ['2026-13-45T99:99:99Z', '', 'yesterday', '1e400'];
      const lines: string[] = [responses('s1', 5, now - 20 * MIN)];
      let i = 0;
      for (const ts of [...stamps, ...invalid]) {
        const l = JSON.parse(assistantLine({ ts: now, msgId: `msg_t${i++}`, session: 's1' })) as Record<
          string,
          unknown
        >;
        l.timestamp = ts;
        lines.push(JSON.stringify(l) + '\n');
      }
      const numeric = JSON.parse(assistantLine({ ts: now, msgId: 'msg_num', session: 's1' })) as Record<
        string,
        unknown
      >;
      numeric.timestamp = now;
      lines.push(JSON.stringify(numeric) + '\n');
      writeFileSync(e.transcript('s1'), lines.join(''));
      tally.faults += stamps.length + invalid.length + 1;
      for (const event of ['PreToolUse', 'UserPromptSubmit', 'SessionStart', 'Stop', 'PostToolUse'] as HookEvent[])
        ok(event, await hook(e, event), tally, event);
      for (const args of [
        ['status'],
        ['status', '--json'],
        ['report', 'blocks'],
        ['report', 'daily'],
        ['report', 'sessions'],
        ['events'],
        ['report', '--json'],
      ]) {
        const r = await runCli(args, { env: e.env, killAfterMs: 60_000 });
        tally.processes++;
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, '', args.join(' '));
      }
      assertSameAsCleanImport(e.env, e.home);
      tally.cases = stamps.length + invalid.length + 1;
      noHookFailures(e);
      tally.held =
        'hooks, status, report (blocks, daily, sessions, combined) and events answered; unparsable dates skipped; totals = clean import';
    },
  );
});

test('the clock moving back (and forth) between hooks: every hook answers, nothing new is missed', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Faults',
    'the wall clock moved back 2 h, 2 days, forward 1 day, between hooks (Date.now shifted in the hook process)',
    tally,
    async () => {
      const e = hookEnv(t, 'plan: 1000000000000\n');
      const now = Date.now();
      const f = e.transcript('s1');
      writeFileSync(f, responses('s1', 10, now - 30 * MIN));
      const preload = ['--import', pathToFileURL(CLOCK_SHIFT).href];
      const shifts = [0, -2 * 3_600_000, -2 * 3_600_000, 0, -2 * 86_400_000, 86_400_000, -3_600_000, 0];
      for (const [i, shift] of shifts.entries()) {
        appendFileSync(f, responses('s1', 3, now - 10 * MIN + i * 5000));
        for (const event of ['PreToolUse', 'PostToolUse', 'UserPromptSubmit'] as HookEvent[]) {
          ok(
            event,
            await hook(e, event, 's1', {}, { env: { CCGUARD_TEST_CLOCK_SHIFT_MS: String(shift) }, nodeArgs: preload }),
            tally,
            `${event} at ${shift}`,
          );
        }
        const st = await runCli(['status', '--json'], {
          env: { ...e.env, CCGUARD_TEST_CLOCK_SHIFT_MS: String(shift) },
          nodeArgs: preload,
        });
        tally.processes++;
        assert.equal(st.code, 0, st.stderr);
        tally.faults++;
      }
      // What the hooks imported under the moved clocks is what a clean import finds.
      const shared = await runCli(['report', 'sessions', '--json'], { env: e.env });
      const sessions = JSON.parse(shared.stdout) as { entries: number }[];
      assert.equal(
        sessions.reduce((a, s) => a + s.entries, 0),
        10 + 3 * shifts.length,
      );
      assertSameAsCleanImport(e.env, e.home);
      tally.cases = shifts.length;
      noHookFailures(e);
      tally.held = `all ${tally.calls} hooks and ${shifts.length} status runs answered under the moved clocks; every line appended meanwhile was imported; totals = clean import`;
    },
  );
});

test(
  'claude-monitor and notify-send hanging (30 s), or the notifier missing: no hook waits for them',
  { timeout: 120_000 },
  async (t) => {
    const tally = new Tally('');
    await measured(
      SUITE,
      'Faults',
      'claude-monitor and notify-send on PATH that hang for 30 s; notify-send missing',
      tally,
      async () => {
        const pids: number[] = [];
        const e = hookEnv('plan: 20000\nalerts:\n  token_threshold: 0.5\n');
        try {
          const { bin, pidFile } = sleepyBin(e.home, ['claude-monitor', 'notify-send', 'terminal-notifier'], 30);
          const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
          e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 9000, output: 2000 }]);
          const runs: [HookEvent, ProcRun][] = [];
          // A threshold crossing (a warning and a notification), a bad stdin (an error notification), and the rest.
          for (const event of [
            'PreToolUse',
            'UserPromptSubmit',
            'SessionStart',
            'PostToolUse',
            'Stop',
            'StopFailure',
            'SubagentStop',
            'SessionEnd',
          ] as HookEvent[]) {
            runs.push([event, await hook(e, event, 's1', { error: 'rate_limit' }, { env })]);
          }
          runs.push(['PreToolUse', await hook(e, 'PreToolUse', 's1', {}, { env, stdin: 'not json at all' })]);
          for (const [event, r] of runs) ok(event, r, tally, `${event} with hanging stand-ins`);
          // The notifier was called and is still hanging now that every hook has returned.
          for (let i = 0; i < 100 && readFileSync(pidFile, 'utf8').trim() === ''; i++) await sleep(50);
          pids.push(...readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number));
          assert.ok(pids.length > 0, 'a stand-in was started (the notifier)');
          const alive = pids.filter((p) => {
            try {
              process.kill(p, 0);
              return true;
            } catch {
              return false;
            }
          });
          assert.ok(alive.length > 0, 'the stand-ins still hang after the hooks returned');
          tally.faults += 2;

          // No notify-send at all: delivered nowhere, logged, and the hooks as quick.
          const bare = hookEnv(t, 'plan: 20000\nalerts:\n  token_threshold: 0.5\n');
          bare.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 9000, output: 2000 }]);
          const r = await hook(bare, 'PreToolUse', 's1', {}, { env: { PATH: '/nonexistent' } });
          ok('PreToolUse', r, tally, 'no notifier');
          assert.match(r.stdout, /systemMessage/);
          let log = '';
          for (let i = 0; i < 100 && !/desktop notification not delivered/.test(log); i++) {
            await sleep(50);
            log = bare.log();
          }
          assert.match(log, /desktop notification not delivered/);
          tally.faults++;
          tally.cases = 3;
          tally.held = `every hook (${runs.length}) returned while the stand-ins were still hanging; a missing notifier is logged`;
        } finally {
          // End exactly the stand-ins this case started, by their ids; the notifier worker then logs the
          // failed delivery and exits, and only after that is the folder removed.
          for (const p of pids) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              // already gone
            }
          }
          for (let i = 0; i < 60 && pids.length > 0 && !/desktop notification not delivered/.test(e.log()); i++)
            await sleep(50);
          removeTree(e.home);
        }
      },
    );
  },
);
