import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assistantLine, userLine } from '../helpers/lines.ts';
import { generateHistory } from '../../bench/generate.ts';
import { openStore, type Store } from '../../lib/store/store.ts';
import { importAll, type ImportContext } from '../../lib/transcripts/import.ts';
import { packChunk, unpackChunk } from '../../lib/transcripts/packing.ts';
import { SIG_FRONT, SIG_LOCK, SIG_STATE } from '../../lib/transcripts/parallelProtocol.ts';
import type { LineRecord } from '../../lib/transcripts/line.ts';
import { packageRoot } from '../../lib/config/root.ts';
import { tmpHome } from '../helpers/tmp.ts';

const SCRIPT = join(packageRoot(), 'dist', 'import', 'lib', 'transcripts', 'parseWorker.js');
const NOW = Date.UTC(2026, 9, 1);

/** Every row an import leaves, in a fixed order. */
function dump(store: Store): unknown {
  const all = (sql: string): unknown[] => store.db.prepare(sql).raw().all();
  return {
    entries: all('SELECT * FROM entries ORDER BY key'),
    apiErrors: all('SELECT * FROM api_errors ORDER BY key'),
    limits: all('SELECT * FROM limit_messages ORDER BY key'),
    files: all('SELECT path, size, offset, head_hash, bad_lines FROM files ORDER BY path'),
    blocks: all('SELECT * FROM blocks ORDER BY start'),
  };
}

function ctxFor(store: Store, root: string, parallel?: ImportContext['parallel']): ImportContext {
  return { store, roots: [root], prices: {}, timeZone: () => 'UTC', now: NOW, ...(parallel ? { parallel } : {}) };
}

async function history(home: string): Promise<{ root: string; files: string[] }> {
  const root = join(home, 'claude');
  const res = await generateHistory({
    root,
    targetBytes: 4_000_000,
    seed: 11,
    start: new Date('2026-09-01T00:00:00Z'),
    days: 4,
  });
  // And one transcript of several read chunks (8 MB each), malformed lines spread through it.
  const big = join(root, 'projects', '-work-big', 'big-session.jsonl');
  mkdirSync(dirname(big), { recursive: true });
  const lines: string[] = [];
  const T = Date.UTC(2026, 8, 2, 8);
  for (let i = 0; i < 600; i++) {
    lines.push(userLine(T + i * 30_000, 'x'.repeat(40_000), 'big-session'));
    lines.push(
      assistantLine({ ts: T + i * 30_000 + 1000, msgId: `big_${i}`, session: 'big-session', input: i, output: 7 }),
    );
    if (i % 50 === 0) lines.push('{"type":"assistant","message":{"usage":');
  }
  writeFileSync(big, lines.join('\n') + '\n');
  return { root, files: [big, ...res.files.filter((f) => f.endsWith('.jsonl'))] };
}

test('an import with reading threads stores exactly what a one-thread import does, before and after the history changes', async (t) => {
  assert.ok(existsSync(SCRIPT), 'the reading thread is built (npm test builds first)');
  const h = tmpHome(t);
  const { root, files } = await history(h.home);
  const one = openStore(join(h.home, 'one.db'));
  const two = openStore(join(h.home, 'two.db'));
  const three = openStore(join(h.home, 'three.db'));
  const threaded =
    (threads: number, storeOnly: boolean): ImportContext['parallel'] =>
    () => ({
      script: SCRIPT,
      threads,
      tz: 'UTC',
      minBytes: 0,
      storeOnly,
    });
  const round = async (): Promise<void> => {
    const a = await importAll(ctxFor(one, root));
    // One reader reads every file; then two readers and this thread share them.
    const b = await importAll(ctxFor(two, root, threaded(1, true)));
    const c = await importAll(ctxFor(three, root, threaded(2, false)));
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    assert.deepEqual(dump(two), dump(one));
    assert.deepEqual(dump(three), dump(one));
  };
  await round();
  const first = dump(one) as { entries: unknown[]; apiErrors: unknown[]; limits: unknown[]; files: unknown[][] };
  assert.ok(first.entries.length > 500 && first.apiErrors.length > 0 && first.limits.length > 0);
  assert.ok(
    first.files.some((f) => (f[4] as number) > 0),
    'the history has malformed lines',
  );
  assert.ok(
    (first.files.find((f) => String(f[0]).endsWith('big-session.jsonl'))?.[4] as number) >= 12,
    'in every chunk of the big file',
  );

  // Changes: a file replaced by a shorter one, files that grow (one by a partial line), one emptied.
  const victim = files[1]!;
  writeFileSync(victim + '.tmp', readFileSync(victim, 'utf8').split('\n').slice(0, 4).join('\n') + '\n');
  truncateSync(victim, 0);
  writeFileSync(victim, readFileSync(victim + '.tmp'));
  for (const f of [files[0]!, ...files.slice(2, 6)]) {
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n').filter((l) => l.includes('"usage"'));
    appendFileSync(
      f,
      (text.endsWith('\n') ? '' : '\n') +
        lines.slice(-3).join('\n').replaceAll('msg_', 'msg_again_') +
        '\n{"type":"assi',
    );
  }
  truncateSync(files[6]!, 0);
  await round();
});

test('a reading thread that fails to start, or dies holding a file, leaves its files to the storing thread', async (t) => {
  const h = tmpHome(t);
  const { root } = await history(h.home);
  const clean = openStore(join(h.home, 'clean.db'));
  await importAll(ctxFor(clean, root));

  const broken = join(h.home, 'broken.mjs');
  writeFileSync(broken, "throw new Error('a reader that cannot start');\n");
  // Waits for the task list, claims the largest file, and stops without a word.
  const vanishing = join(h.home, 'vanishing.mjs');
  writeFileSync(
    vanishing,
    `import { workerData } from 'node:worker_threads';
const sig = new Int32Array(workerData.signals);
while (Atomics.load(sig, ${SIG_STATE}) === 0) Atomics.wait(sig, ${SIG_STATE}, 0, 1000);
while (Atomics.compareExchange(sig, ${SIG_LOCK}, 0, 1) !== 0);
Atomics.add(sig, ${SIG_FRONT}, 1);
Atomics.store(sig, ${SIG_LOCK}, 0);
`,
  );
  for (const script of [broken, vanishing]) {
    const store = openStore(join(h.home, `${script.endsWith('broken.mjs') ? 'b' : 'v'}.db`));
    // The import ends (its own stall bound, not a reader that never reports) with every row stored.
    await importAll(
      ctxFor(store, root, () => ({ script, threads: 1, tz: 'UTC', minBytes: 0, stallMs: 300, storeOnly: true })),
    );
    assert.deepEqual(dump(store), dump(clean), script);
  }
});

test('records cross between threads unchanged, whatever their strings hold', () => {
  const usage = (key: string, over: Partial<LineRecord> = {}): LineRecord =>
    ({
      kind: 'usage',
      key,
      ts: 1.7e12 + 0.5,
      sessionId: 's',
      cwd: '/w',
      model: 'claude-sonnet-4-5',
      input: 1,
      output: 2,
      cacheWrite5m: 3,
      cacheWrite1h: 4,
      cacheRead: 2 ** 40,
      ...over,
    }) as LineRecord;
  const records: LineRecord[] = [
    usage('a:1'),
    usage('b:2', { sessionId: null, cwd: null }),
    usage('c:3', { sessionId: '', cwd: '' }),
    usage('line\nbreak'),
    usage('d:4', { model: 'm\n' }),
    usage('é:ü', { cwd: '/Users/José' }),
    {
      kind: 'api_error',
      key: 'e',
      ts: 1,
      sessionId: null,
      cwd: null,
      error: 'retry:overloaded_error',
      status: 529,
      message: '',
    },
    {
      kind: 'limit',
      key: 'l',
      ts: 2,
      sessionId: 's',
      cwd: null,
      scope: 'five_hour',
      resetAt: 3,
      text: 'limit reached',
    },
  ];
  const chunk = { offset: 10, nextOffset: 99, bad: 2, head: 'h', last: true, records };
  const packed = packChunk(chunk);
  assert.equal(packed.others.length, 4, 'two with a newline in a string, one API error, one limit message');
  const back = unpackChunk(structuredClone(packed));
  const byKey = (rs: LineRecord[]): LineRecord[] => [...rs].sort((x, y) => (x.key < y.key ? -1 : 1));
  assert.deepEqual(byKey(back.records), byKey(records));
  assert.deepEqual({ ...back, records: [] }, { ...chunk, records: [] });
});
