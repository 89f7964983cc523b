// `ccguard events`: --session takes the 8 characters the tables show; --decisions keeps what it says.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ccguard, CLI } from '../helpers/cli.ts';
import { makeHistory } from '../helpers/history.ts';
import { openStore } from '../../lib/store/store.ts';

const h = makeHistory();
after(() => h.cleanup());

interface Ev {
  session_id: string | null;
  decision: string;
  reason: string | null;
}

const events = (...args: string[]): Ev[] => {
  const r = ccguard(['events', '--json', ...args], h.env.env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Ev[];
};

test('--session takes the 8-character prefix the tables show, and gives what the full ID gives', () => {
  const full = h.currentSessions[0]!;
  const short = full.slice(0, 8);
  const byId = events('--session', full);
  assert.ok(byId.length > 0);
  assert.ok(byId.every((e) => e.session_id === full));
  assert.deepEqual(events('--session', short), byId);
  // The table's own line for it starts with the prefix the user copies.
  const text = ccguard(['events', '--session', short], h.env.env);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(
    text.stdout
      .trim()
      .split('\n')
      .every((l) => l.includes(`  ${short}  `)),
  );
});

test('--session with a prefix several sessions share is refused; one that fits none says so', () => {
  // Another session whose ID starts like the current one's.
  const store = openStore(join(h.env.stateDir, 'state.db'));
  const twin = `${h.currentSessions[0]!.slice(0, 6)}ff-twin`;
  store.events.insert({
    ts: h.now - 1000,
    session_id: twin,
    hook: 'PreToolUse',
    tool: 'Bash',
    decision: 'warn',
    state: null,
    reason: 'twin',
    source: null,
    sleep_ms: 0,
    duration_ms: 1,
    detail: null,
  });
  store.close();
  const r = ccguard(['events', '--session', h.currentSessions[0]!.slice(0, 4)], h.env.env);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^ccguard events: --session f3e1 fits 2 sessions \(f3e1c0de-[^,]+, f3e1c0ff-twin\): give more of the ID\n$/,
  );
  // Eight characters tell them apart.
  assert.ok(events('--session', h.currentSessions[0]!.slice(0, 8)).every((e) => e.session_id === h.currentSessions[0]));
  const none = ccguard(['events', '--session', 'deadbeef'], h.env.env);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, 'No events for session deadbeef yet.\n');
  assert.deepEqual(events('--session', 'deadbeef'), []);
});

test('--decisions keeps where ccguard acted or spoke, and leaves out silent allows and plain records', () => {
  const store = openStore(join(h.env.stateDir, 'state.db'));
  store.events.insert({
    ts: h.now - 500,
    session_id: h.currentSessions[1]!,
    hook: 'Stop',
    tool: null,
    decision: 'record',
    state: null,
    reason: null,
    source: null,
    sleep_ms: 0,
    duration_ms: 1,
    detail: null,
  });
  store.close();
  const all = events('--limit', '1000');
  const kept = events('--decisions', '--limit', '1000');
  assert.ok(all.some((e) => e.decision === 'allow') && all.some((e) => e.decision === 'record'));
  assert.ok(kept.length > 0);
  assert.ok(kept.every((e) => e.decision !== 'allow' && e.decision !== 'record'));
  assert.deepEqual(
    kept,
    all.filter((e) => e.decision !== 'allow' && e.decision !== 'record'),
  );
  for (const d of ['warn', 'delay', 'deny', 'notify', 'pause', 'resume', 'alert'])
    assert.ok(
      kept.some((e) => e.decision === d),
      d,
    );
});

test('--limit N: the last N', () => {
  const last3 = events('--limit', '3');
  assert.equal(last3.length, 3);
  assert.deepEqual(last3, events('--limit', '1000').slice(-3));
});

test('--follow --session with a prefix no session has yet shows that session once it comes', async () => {
  const p = spawn(process.execPath, [CLI, 'events', '--follow', '--json', '--session', 'beef0000'], {
    env: { ...h.env.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number | null>((resolve) => p.on('close', resolve));
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const store = openStore(join(h.env.stateDir, 'state.db'));
    store.events.insert({
      ts: Date.now(),
      session_id: 'beef0000-late-session',
      hook: 'PreToolUse',
      tool: 'Bash',
      decision: 'warn',
      state: null,
      reason: 'late',
      source: null,
      sleep_ms: 0,
      duration_ms: 1,
      detail: null,
    });
    store.close();
    const deadline = Date.now() + 10_000;
    while (!out.includes('beef0000-late-session') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal((JSON.parse(out.trim().split('\n').at(-1)!) as Ev).session_id, 'beef0000-late-session');
  } finally {
    p.kill('SIGINT');
    await closed;
  }
});
