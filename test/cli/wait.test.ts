import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ccguard, CLI } from '../helpers/cli.ts';
import { hookEnv } from '../helpers/hookEnv.ts';
import { openStore } from '../../lib/store/store.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { startManualPause, recordApiFailure, resumeAccount } from '../../lib/app/recovery.ts';
import { shortReason, waitLoop, type WaitCheck, type WaitIo } from '../../lib/cli/commands/wait.ts';
import { whatIsInForce } from '../../lib/app/recoveryNow.ts';
import { fmtDuration } from '../../lib/util/format.ts';
import { accountOf } from '../../lib/util/account.ts';

const S = 1000;
const MIN = 60 * S;

/** A fake clock: sleeping moves it; `check` answers from a script of (time → state). */
function fakeIo(start: number, check: (now: number) => WaitCheck, opts: Partial<WaitIo> = {}) {
  let now = start;
  const out: string[] = [];
  const err: string[] = [];
  const ac = new AbortController();
  let checks = 0;
  const io: WaitIo = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    check: (t) => {
      checks++;
      return check(t);
    },
    signal: ac.signal,
    out: { write: (s) => void out.push(s) },
    err: { write: (s) => void err.push(s), isTTY: false },
    json: true,
    ...opts,
  };
  return { io, out, err, ac, checks: () => checks, now: () => now };
}

/** A CLI command that must succeed. */
function run(args: string[], env: Record<string, string>): void {
  const r = ccguard(args, env);
  assert.equal(r.code, 0, `ccguard ${args.join(' ')}: ${r.stderr}`);
}

const paused = (until: number): WaitCheck => ({
  in_force: true,
  state: 'paused',
  until: new Date(until).toISOString(),
  reason: 'paused by hand',
});
const normal: WaitCheck = { in_force: false, state: 'normal', until: null, reason: null };

test('waitLoop: nothing in force returns at once with one JSON line', async () => {
  const f = fakeIo(0, () => normal);
  const r = await waitLoop(f.io);
  assert.deepEqual(r, { code: 0, ended: 'nothing', waitedMs: 0 });
  assert.deepEqual(
    f.out.map((l) => JSON.parse(l) as unknown),
    [{ in_force: false, state: 'normal', until: null, reason: null }],
  );
});

test('waitLoop: a 10-minute pause is waited out to the millisecond, re-checked every 2 s, a plain line every 30 s', async () => {
  const t0 = Date.parse('2026-11-24T12:00:00Z');
  const until = t0 + 10 * MIN;
  const f = fakeIo(t0, (now) => (now < until ? paused(until) : normal));
  const r = await waitLoop(f.io);
  assert.equal(r.code, 0);
  assert.equal(r.ended, 'expired');
  assert.equal(f.now(), until, 'ends exactly at the pause end');
  assert.equal(r.waitedMs, 10 * MIN);
  assert.equal(f.err.length, 20, 'one progress line per 30 s');
  assert.match(f.err[0]!, /^ccguard: paused · 10:00 left, until (\w{3} )?\d\d:\d\d · paused by hand\n$/);
  assert.ok(f.checks() >= 300 && f.checks() <= 302, `${f.checks()} checks`);
  const [first, last] = f.out.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(first, {
    in_force: true,
    state: 'paused',
    until: new Date(until).toISOString(),
    reason: 'paused by hand',
  });
  assert.equal(last!.in_force, false);
  assert.equal(last!.ended, 'expired');
  assert.equal(last!.until, new Date(until).toISOString());
});

test('waitLoop: lifted early (ccguard resume elsewhere), on a terminal one updating line', async () => {
  const t0 = 1_000_000;
  const until = t0 + 60 * MIN;
  const liftAt = t0 + 95 * S;
  const f = fakeIo(t0, (now) => (now < liftAt ? paused(until) : normal), {
    err: { write: (s) => void errs.push(s), isTTY: true },
    json: false,
    columns: 60,
  });
  const errs: string[] = [];
  const r = await waitLoop(f.io);
  assert.equal(r.ended, 'lifted');
  assert.ok(f.now() >= liftAt && f.now() <= liftAt + 2 * S, 'noticed within one re-check');
  assert.ok(errs.length >= 90, 'redrawn every second');
  assert.ok(
    errs.every((s) => s.startsWith('\r\x1b[2K')),
    'each redraw overwrites the line',
  );
  assert.ok(
    errs.every((s) => s.length <= '\r\x1b[2K'.length + 59),
    'fits the terminal',
  );
  assert.match(f.out.join(''), /^ccguard: the pause was lifted; go ahead\.\n$/);
});

test('waitLoop: Ctrl-C (abort) returns 130 with a closing JSON line', async () => {
  const f = fakeIo(0, () => paused(60 * MIN));
  f.io.sleep = async (ms) => {
    if (f.checks() >= 3) f.ac.abort();
    await Promise.resolve(ms);
  };
  let now = 0;
  f.io.now = () => (now += 1000);
  const r = await waitLoop(f.io);
  assert.equal(r.code, 130);
  assert.equal(r.ended, 'interrupted');
  const last = JSON.parse(f.out.at(-1)!) as Record<string, unknown>;
  assert.equal(last.in_force, true);
  assert.equal(last.ended, 'interrupted');
});

test('countdown and the reason as the countdown line shows it', () => {
  assert.equal(
    shortReason(
      'ccguard: paused by hand (ccguard pause). Paused until 05:53 (2s from now). Run `ccguard resume` to lift it.',
    ),
    'paused by hand (ccguard pause)',
  );
  assert.equal(
    shortReason(
      'ccguard: rate limited by the API (2 in a row); backing off until 14:05, 10 min from now. Wait, then retry.',
    ),
    'rate limited by the API (2 in a row); backing off until 14:05',
  );
  assert.equal(shortReason(null), null);
  assert.equal(fmtDuration(9_001, 'countdown'), '0:10');
  assert.equal(fmtDuration(10 * MIN, 'countdown'), '10:00');
  assert.equal(fmtDuration(3_723_000, 'countdown'), '1:02:03');
});

test('whatIsInForce: pause, backoff, a used-up limit; nothing otherwise', (t) => {
  const e = hookEnv(t, 'plan: 1000\n');
  const config = loadConfig(join(e.stateDir, 'config.yaml')).config;
  const store = openStore(join(e.stateDir, 'state.db'));
  e.beforeCleanup(async () => store.close());
  const A = accountOf(e.env).key;
  const now = Date.now();
  assert.equal(whatIsInForce(store, config, A, now).inForce, false);
  startManualPause(store, A, now, now + 5 * MIN, 'paused by hand (ccguard pause)');
  assert.deepEqual(
    { ...whatIsInForce(store, config, A, now), reason: null },
    { inForce: true, state: 'paused', until: now + 5 * MIN, reason: null },
  );
  store.recovery.delete(`pause@${A}`);
  const b = recordApiFailure(store, config, A, 'rate_limit', now)!;
  assert.deepEqual(
    { ...whatIsInForce(store, config, A, now), reason: null },
    { inForce: true, state: 'backoff', until: b.until, reason: null },
  );
  assert.equal(whatIsInForce(store, config, A, b.until + 1).inForce, false, 'a backoff ends at its time');
  store.recovery.delete(`backoff@${A}`);
  // The 5-hour limit used up: in force until the block resets.
  store.entries.upsert({
    key: 'm1',
    ts: now - 10 * MIN,
    session_id: 's1',
    project: 'p',
    model: 'claude-sonnet-4-5-20250929',
    input: 900,
    output: 300,
    cache_write_5m: 0,
    cache_write_1h: 0,
    cache_read: 0,
    cost_usd: 0.01,
    cost_estimated: 0,
    file_path: '/x',
  });
  store.blocks.rebuild();
  const w = whatIsInForce(store, config, A, now);
  assert.equal(w.inForce, true);
  assert.equal(w.state, 'held');
  assert.equal(w.until, store.blocks.latest()?.end ?? null);
  assert.match(w.reason ?? '', /the hold on the used-up 5-hour limit \(120%, local:config\)/);
  // `ccguard resume` lifts the hold for the rest of the window: nothing to wait for.
  resumeAccount(store, A, now, { five_hour: store.blocks.latest()!.end });
  assert.equal(whatIsInForce(store, config, A, now).inForce, false, 'lifted by resume');
});

interface Proc {
  lines: Promise<string>[];
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill: (sig: NodeJS.Signals) => void;
}

/** `ccguard wait --json` as a child process; `lines[i]` resolves with the i-th stdout line. */
function startWait(env: Record<string, string>): Proc {
  const p = spawn(process.execPath, [CLI, 'wait', '--json'], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const resolvers: ((s: string) => void)[] = [];
  const lines = [0, 1].map((i) => new Promise<string>((res) => (resolvers[i] = res)));
  let buf = '';
  let n = 0;
  let err = '';
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      resolvers[n++]?.(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((res) =>
    p.on('close', (code, signal) => res({ code, signal, at: Date.now() })),
  );
  return { lines, stderr: () => err, done, kill: (sig) => p.kill(sig) };
}

test('ccguard wait: nothing in force exits 0 at once', (t) => {
  const e = hookEnv(t);
  const r = ccguard(['wait', '--json'], e.env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { in_force: false, state: 'normal', until: null, reason: null });
  const plain = ccguard(['wait'], e.env);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /nothing in force/);
});

test('ccguard wait: a pause ending in about 2 s ends the wait then, exit 0', async (t) => {
  const e = hookEnv(t);
  run(['pause', '--minutes', '0.04'], e.env);
  const w = startWait(e.env);
  const first = JSON.parse(await w.lines[0]!) as WaitCheck;
  assert.equal(first.in_force, true);
  assert.equal(first.state, 'paused');
  const until = Date.parse(first.until!);
  const end = await w.done;
  assert.equal(end.code, 0, w.stderr());
  assert.ok(end.at >= until, `ended ${until - end.at} ms before the pause end`);
  assert.ok(end.at - until < 1500, `ended ${end.at - until} ms after the pause end`);
  const last = JSON.parse(await w.lines[1]!) as Record<string, unknown>;
  assert.equal(last.in_force, false);
  assert.equal(last.ended, 'expired');
});

test('ccguard wait: ccguard resume from another process ends it early; Ctrl-C exits 130', async (t) => {
  const e = hookEnv(t);
  run(['pause', '--minutes', '10'], e.env);
  const w = startWait(e.env);
  assert.equal((JSON.parse(await w.lines[0]!) as WaitCheck).state, 'paused');
  const t0 = Date.now();
  run(['resume'], e.env);
  const end = await w.done;
  assert.equal(end.code, 0, w.stderr());
  assert.ok(end.at - t0 < 4000, `noticed the resume after ${end.at - t0} ms`);
  assert.equal((JSON.parse(await w.lines[1]!) as Record<string, unknown>).ended, 'lifted');

  run(['pause', '--minutes', '10'], e.env);
  const w2 = startWait(e.env);
  await w2.lines[0];
  w2.kill('SIGINT');
  const end2 = await w2.done;
  assert.equal(end2.code, 130, w2.stderr());
  assert.equal((JSON.parse(await w2.lines[1]!) as Record<string, unknown>).ended, 'interrupted');
});
