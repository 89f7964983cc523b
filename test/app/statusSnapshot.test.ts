// `ccguard status` answers from its snapshot only while nothing it was computed from has changed.
// These run the built CLI: every change a status must see is made, and the next status must show it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ccguard } from '../helpers/cli.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { assistantLine } from '../helpers/lines.ts';
import {
  snapshotFile,
  snapshotUntil,
  SNAPSHOT_MS,
  validSnapshot,
  stampOf,
  writeSnapshot,
  type StatusSnapshot,
} from '../../lib/app/statusSnapshot.ts';
import type { Status } from '../../lib/app/status.ts';

const FRESH = { serverFreshMs: 600_000, monitorMaxAgeMs: 120_000 };

interface StatusJson {
  generated_at: string;
  block: { tokens: { output: number }; entries: number } | null;
  recovery: { state: string };
}

function setup(t: TestContext) {
  const h = tmpHome(t, 'ccguard-status-');
  const dir = join(h.projects, '-work-p');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'sess-1.jsonl');
  const now = Date.now();
  writeFileSync(file, assistantLine({ ts: now - 20 * 60_000, msgId: 'msg_a', output: 100 }) + '\n');
  const env = { HOME: h.home };
  // Folders are listed on every full status here (by default at most every 30 s, as hooks do), so
  // that what a status can see is decided by the snapshot alone.
  mkdirSync(h.stateDir, { recursive: true });
  writeFileSync(join(h.stateDir, 'config.yaml'), 'import:\n  rescan_seconds: 0\n');
  // A preload that reports whether SQLite was loaded: the snapshot's whole point is that it is not.
  const probe = join(h.home, 'probe.cjs');
  writeFileSync(
    probe,
    "const M = require('module'); const orig = M._load; let used = false;\n" +
      "M._load = function (req, ...rest) { if (String(req).includes('better-sqlite3')) used = true; return orig.call(this, req, ...rest); };\n" +
      "process.on('exit', () => process.stderr.write(used ? 'SQLITE-LOADED\\n' : 'SQLITE-NOT-LOADED\\n'));\n",
  );
  const status = (...args: string[]) => {
    const r = ccguard(['status', '--json', ...args], { ...env, NODE_OPTIONS: `--require ${probe}` });
    assert.equal(r.code, 0, r.stderr);
    return { json: JSON.parse(r.stdout) as StatusJson, sqlite: r.stderr.includes('SQLITE-LOADED') };
  };
  // The very first status reads only recent files and lists no folders; the next one scans them.
  // Until a scan has recorded the folders, every status computes afresh.
  const first = status();
  assert.equal(first.sqlite, true);
  assert.equal(status().sqlite, true, 'folders not yet listed: computed again');
  return { h, dir, file, env, status, now };
}

test('status answers from its snapshot while nothing changed, without loading SQLite', (t) => {
  const s = setup(t);
  // setup(t) ran two statuses; the second left a snapshot with every folder recorded.
  const first = s.status();
  assert.equal(first.sqlite, false, 'third status loaded SQLite');
  assert.equal(first.json.block?.tokens.output, 100);
  const again = s.status();
  assert.equal(again.sqlite, false, 'fourth status loaded SQLite');
  assert.deepEqual(again.json, first.json);
  // The text form comes from the same snapshot.
  const text = ccguard(['status'], s.env);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /5-hour block/);
  // --fresh always computes.
  const fresh = s.status('--fresh');
  assert.equal(fresh.sqlite, true);
  assert.notEqual(fresh.json.generated_at, first.json.generated_at);
});

test('a new line, a new file, a state change or a config change is seen by the next status', (t) => {
  const s = setup(t);
  s.status();
  assert.equal(s.status().sqlite, false);
  // A line appended to a live transcript.
  appendFileSync(s.file, assistantLine({ ts: s.now - 10 * 60_000, msgId: 'msg_b', output: 50 }) + '\n');
  const a = s.status();
  assert.equal(a.sqlite, true);
  assert.equal(a.json.block?.tokens.output, 150);
  // A new session's file in the same project.
  writeFileSync(
    join(s.dir, 'sess-2.jsonl'),
    assistantLine({ ts: s.now - 5 * 60_000, msgId: 'msg_c', output: 7, session: 'sess-2' }) + '\n',
  );
  const b = s.status();
  assert.equal(b.json.block?.tokens.output, 157);
  // A new project folder.
  const other = join(s.h.projects, '-work-q');
  mkdirSync(other);
  writeFileSync(
    join(other, 'sess-3.jsonl'),
    assistantLine({ ts: s.now - 4 * 60_000, msgId: 'msg_d', output: 3, session: 'sess-3' }) + '\n',
  );
  assert.equal(s.status().json.block?.tokens.output, 160);
  assert.equal(s.status().sqlite, false);
  // A pause written by another command (a state change, as a hook's would be).
  assert.equal(ccguard(['pause', '--minutes', '30'], s.env).code, 0);
  const p = s.status();
  assert.equal(p.sqlite, true);
  assert.notEqual(p.json.recovery.state, 'normal');
  assert.equal(ccguard(['resume'], s.env).code, 0);
  assert.equal(s.status().json.recovery.state, 'normal');
  // The user's config.
  assert.equal(s.status().sqlite, false);
  writeFileSync(join(s.h.stateDir, 'config.yaml'), 'import:\n  rescan_seconds: 0\nalerts:\n  token_threshold: 0.5\n');
  assert.equal(s.status().sqlite, true);
});

test('a damaged snapshot is ignored, not trusted', (t) => {
  const s = setup(t);
  const first = s.status();
  const file = snapshotFile(s.h.stateDir);
  for (const junk of [
    '',
    '{',
    'null',
    '{"v":1}',
    JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), stamps: 'x' }),
  ]) {
    writeFileSync(file, junk);
    const r = s.status();
    assert.equal(r.sqlite, true, `trusted ${JSON.stringify(junk).slice(0, 40)}`);
    assert.equal(r.json.block?.tokens.output, first.json.block?.tokens.output);
  }
});

test('a snapshot is valid only from its time until the first moment the clock alone changes the answer', (t) => {
  const h = tmpHome(t, 'ccguard-snap-');
  mkdirSync(h.stateDir, { recursive: true });
  const watched = join(h.stateDir, 'watched');
  writeFileSync(watched, 'a');
  const at = Date.UTC(2026, 10, 24, 10, 0, 0);
  const status = {
    generated_at: new Date(at).toISOString(),
    block: { end: new Date(at + 5_000).toISOString(), reset_at: new Date(at + 5_000).toISOString() },
    recovery: { until: null, backoff: null, session_pauses: [] },
    limits: {
      weekly: null,
      reset_at: null,
      server: { five_hour: null, seven_day: null },
      claude_monitor: { snapshot_at: null },
    },
  } as unknown as Status;
  const midnight = Date.UTC(2026, 10, 25);
  // The block ends 5 s after: the snapshot goes then, not SNAPSHOT_MS later.
  assert.equal(snapshotUntil(status, at, midnight, FRESH), at + 5_000);
  const noBlock = { ...status, block: null } as Status;
  assert.equal(snapshotUntil(noBlock, at, midnight, FRESH), at + SNAPSHOT_MS);
  assert.equal(snapshotUntil(noBlock, at, at + 1_000, FRESH), at + 1_000);
  // Readings that go stale, and resets, end it too.
  const withServer = {
    ...noBlock,
    limits: {
      weekly: null,
      reset_at: null,
      server: { five_hour: { seen_at: new Date(at - 595_000).toISOString(), resets_at: null }, seven_day: null },
      claude_monitor: { snapshot_at: null },
    },
  } as unknown as Status;
  assert.equal(snapshotUntil(withServer, at, midnight, FRESH), at + 5_000, 'server reading stale at seen_at + 600 s');
  const withMonitor = {
    ...withServer,
    limits: {
      ...withServer.limits,
      server: { five_hour: null, seven_day: null },
      claude_monitor: { snapshot_at: new Date(at - 110_000).toISOString() },
    },
  } as unknown as Status;
  assert.equal(
    snapshotUntil(withMonitor, at, midnight, FRESH),
    at + 10_000,
    'claude-monitor output stale at snapshot_at + 120 s',
  );
  const paused = {
    ...noBlock,
    recovery: {
      until: null,
      backoff: null,
      session_pauses: [{ session_id: 's', until: new Date(at + 2_000).toISOString(), reason: '' }],
    },
  } as unknown as Status;
  assert.equal(snapshotUntil(paused, at, midnight, FRESH), at + 2_000);

  const file = snapshotFile(h.stateDir);
  const snap: Omit<StatusSnapshot, 'v'> = {
    key: 'k',
    at,
    until: at + 5_000,
    stamps: [stampOf(watched), stampOf(join(h.stateDir, 'absent'))],
    dirs: [],
    status,
  };
  writeSnapshot(file, snap);
  assert.ok(validSnapshot(file, 'k', at));
  assert.ok(validSnapshot(file, 'k', at + 4_999));
  assert.equal(validSnapshot(file, 'k', at + 5_000), null, 'past until');
  assert.equal(validSnapshot(file, 'k', at - 1), null, 'clock set back');
  assert.equal(validSnapshot(file, 'other roots', at), null, 'another key');
  writeFileSync(join(h.stateDir, 'absent'), '');
  assert.equal(validSnapshot(file, 'k', at), null, 'a file that appeared');
  writeSnapshot(file, { ...snap, stamps: [stampOf(watched)] });
  assert.ok(validSnapshot(file, 'k', at));
  appendFileSync(watched, 'b');
  assert.equal(validSnapshot(file, 'k', at), null, 'a file that grew');
  // A folder, by its mtime as recorded.
  const folder = join(h.stateDir, 'folder');
  mkdirSync(folder);
  const m = Math.trunc(statSync(folder).mtimeMs);
  writeSnapshot(file, { ...snap, stamps: [], dirs: [[folder, m]] });
  assert.ok(validSnapshot(file, 'k', at));
  writeSnapshot(file, { ...snap, stamps: [], dirs: [[folder, m - 1]] });
  assert.equal(validSnapshot(file, 'k', at), null, 'a folder changed since it was listed');
});

test('a subagent transcript added to a live session is seen by the next status', (t) => {
  const s = setup(t);
  const sub = join(s.dir, 'sess-1', 'subagents');
  mkdirSync(sub, { recursive: true });
  writeFileSync(
    join(sub, 'agent-1.jsonl'),
    assistantLine({ ts: s.now - 15 * 60_000, msgId: 'msg_s1', output: 5 }) + '\n',
  );
  assert.equal(s.status().json.block?.tokens.output, 105);
  assert.equal(s.status().sqlite, false);
  writeFileSync(
    join(sub, 'agent-2.jsonl'),
    assistantLine({ ts: s.now - 14 * 60_000, msgId: 'msg_s2', output: 1000 }) + '\n',
  );
  const r = s.status();
  assert.equal(r.sqlite, true);
  assert.equal(r.json.block?.tokens.output, 1105);
});

test('a line written while a status computes is not hidden by its snapshot', (t) => {
  const s = setup(t);
  // The status process itself appends a line as it prints: after it read the transcript, before
  // it stamped its snapshot. The next status must see the line.
  const late = join(s.h.home, 'late.cjs');
  writeFileSync(
    late,
    "const fs = require('fs'); const w = process.stdout.write.bind(process.stdout); let done = false;\n" +
      "process.stdout.write = (...a) => { if (!done) { done = true; fs.appendFileSync(process.env.LATE_FILE, process.env.LATE_LINE + '\\n'); } return w(...a); };\n",
  );
  const first = ccguard(['status', '--json'], {
    ...s.env,
    NODE_OPTIONS: `--require ${late}`,
    LATE_FILE: s.file,
    LATE_LINE: assistantLine({ ts: s.now - 60_000, msgId: 'msg_late', output: 7777 }),
  });
  assert.equal(first.code, 0, first.stderr);
  assert.equal((JSON.parse(first.stdout) as StatusJson).block?.tokens.output, 100);
  assert.equal(s.status().json.block?.tokens.output, 7877);
});

test('observe mode shows: status says nothing is enforced and what would be, and so does the status line', (t) => {
  const h = tmpHome(t, 'ccguard-observe-');
  mkdirSync(h.stateDir, { recursive: true });
  writeFileSync(join(h.stateDir, 'config.yaml'), 'mode: observe\n');
  const env = { HOME: h.home };
  assert.equal(ccguard(['pause', '--minutes', '30'], env).code, 0);
  const text = ccguard(['status'], env).stdout;
  assert.match(text, /^Mode {10}observe: decisions are recorded and notified; nothing is blocked or delayed/m);
  assert.match(text, /^Recovery {6}would be paused until /m);
  assert.equal((JSON.parse(ccguard(['status', '--json'], env).stdout) as { mode: string }).mode, 'observe');
  const line = ccguard(['statusline'], env, JSON.stringify({ session_id: 's1' })).stdout;
  assert.match(line, /ccguard observe \(would be paused until (\w{3} )?\d\d:\d\d\)$/m);
});
