// Output fits the terminal: with COLUMNS (or a terminal's width) no line of status, the reports or
// events is wider, measured in display columns (wide characters two). Without either, a pipe gets
// whole lines, as before.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ccguard } from '../helpers/cli.ts';
import { assistantLine } from '../helpers/lines.ts';
import { makeHistory } from '../helpers/history.ts';
import { openStore } from '../../lib/store/store.ts';
import { displayWidth } from '../../lib/cli/width.ts';

const MIN = 60_000;
const h = makeHistory();
after(() => h.cleanup());

// A project folder and a reason with wide characters and emoji, active now.
const WIDE_PROJECT = '-home-開発者-プロジェクト-データ分析-ダッシュボード';
const WIDE_SESSION = 'c0ffee00-2222-4a1b-8c2d-wide00000003';
{
  const dir = join(h.env.projects, WIDE_PROJECT);
  mkdirSync(dir, { recursive: true });
  const lines = [40, 30, 20, 10].map((m, i) =>
    assistantLine({ ts: h.now - m * MIN, msgId: `msg_wide_${i}`, session: WIDE_SESSION, input: 400, output: 900 }),
  );
  appendFileSync(join(dir, `${WIDE_SESSION}.jsonl`), lines.join('\n') + '\n');
  const store = openStore(join(h.env.stateDir, 'state.db'));
  store.events.insert({
    ts: h.now - 2 * MIN,
    session_id: WIDE_SESSION,
    hook: 'PreToolUse',
    tool: 'WebFetch',
    decision: 'warn',
    state: 'warned',
    reason: 'ccguard: 使用量が上限の80%に達しました 🚦 (local:config); このセッションは長時間実行されています 👨‍👩‍👧 🇯🇵',
    source: 'local:config',
    sleep_ms: 0,
    duration_ms: 2,
    detail: null,
  });
  store.close();
}

const COMMANDS: string[][] = [
  ['status'],
  ['status', '--fresh'],
  ['report'],
  ['report', 'blocks'],
  ['report', 'daily'],
  ['report', 'sessions'],
  ['events'],
  ['events', '--decisions'],
  ['import'],
];

function widest(out: string): { width: number; line: string } {
  let best = { width: 0, line: '' };
  for (const line of out.split('\n')) {
    const w = displayWidth(line);
    if (w > best.width) best = { width: w, line };
  }
  return best;
}

test('COLUMNS=60: no line of status, report or events wider than 60 display columns', () => {
  for (const args of COMMANDS) {
    const r = ccguard(args, { ...h.env.env, COLUMNS: '60' });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stdout.length > 0, args.join(' '));
    const w = widest(r.stdout);
    assert.ok(w.width <= 60, `${args.join(' ')}: ${w.width} columns: ${JSON.stringify(w.line)}`);
  }
});

test('what is fitted is still all there: the wide project, the reason, every session', () => {
  const status = ccguard(['status'], { ...h.env.env, COLUMNS: '60' }).stdout;
  assert.match(status, /c0ffee00 +…?\S*ダッシュボード/, 'the project is cut at its start, its end kept');
  const events = ccguard(['events', '--session', 'c0ffee00'], { ...h.env.env, COLUMNS: '60' }).stdout;
  assert.equal(events.replace(/\s+/g, ' ').includes('このセッションは長時間実行されています 👨‍👩‍👧 🇯🇵'), true, events);
  const sessions = ccguard(['report', 'sessions'], { ...h.env.env, COLUMNS: '60' }).stdout;
  const ids = (JSON.parse(ccguard(['report', 'sessions', '--json'], h.env.env).stdout) as { session_id: string }[]).map(
    (s) => s.session_id.slice(0, 8),
  );
  for (const id of ids) assert.ok(sessions.includes(id), id);
});

test('other widths fit too, and a table that fits stays a table', () => {
  for (const cols of [40, 80, 100, 132, 200]) {
    for (const args of COMMANDS) {
      const r = ccguard(args, { ...h.env.env, COLUMNS: String(cols) });
      assert.equal(r.code, 0, r.stderr);
      const w = widest(r.stdout);
      assert.ok(w.width <= cols, `${cols}: ${args.join(' ')}: ${w.width} columns: ${JSON.stringify(w.line)}`);
    }
  }
  const daily = ccguard(['report', 'daily'], { ...h.env.env, COLUMNS: '200' }).stdout;
  assert.match(daily.split('\n')[0]!, /^date +responses +input +output +cache write +cache read +cost +models$/);
});

test('with no COLUMNS and no terminal, lines are left whole', () => {
  const r = ccguard(['report', 'blocks'], h.env.env);
  assert.equal(r.code, 0);
  assert.ok(widest(r.stdout).width > 120, 'the blocks table on one line a row');
  assert.match(
    r.stdout.split('\n')[0]!,
    /^block start +end +responses +input +output +cache write +cache read +cost +models$/,
  );
});
