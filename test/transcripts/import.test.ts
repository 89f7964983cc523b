import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../lib/store/store.ts';
import { importAll, importRecent, type ImportContext } from '../../lib/transcripts/import.ts';
import { Importer } from '../../lib/transcripts/importer.ts';
import { parseChunks } from '../../lib/transcripts/chunks.ts';
import { parseLine } from '../../lib/transcripts/line.ts';
import { withFd } from '../../lib/transcripts/fileBytes.ts';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { assistantLine, apiErrorLine, limitLine, userLine } from '../helpers/lines.ts';
import { summarizeBlock } from '../../lib/usage/summary.ts';
import { tmpHome } from '../helpers/tmp.ts';

const T0 = Date.UTC(2026, 10, 20, 9, 15);
const MIN = 60_000;

function setup() {
  const h = tmpHome();
  const dir = join(h.projects, '-work-p');
  mkdirSync(dir, { recursive: true });
  const store = openStore(join(h.stateDir, 'state.db'));
  const ctx = (now = T0 + 60 * MIN): ImportContext => ({
    store,
    roots: [h.projects],
    prices: {},
    timeZone: () => 'UTC',
    now,
  });
  return { h, dir, store, ctx, done: () => (store.close(), h.cleanup()) };
}

function totals(store: Store) {
  return store.entries.totals(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

test('counts each response once across its content-block lines and reads only new bytes', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'sess-1.jsonl');
  const a = { ts: T0, msgId: 'msg_1', input: 100, output: 50, cacheWrite: 1000, cacheWrite1h: 400, cacheRead: 3000 };
  writeFileSync(f, [userLine(T0 - MIN, 'hi'), assistantLine(a), assistantLine(a), assistantLine(a)].join('\n') + '\n');
  let s = await importAll(ctx());
  assert.equal(s.entriesAdded, 1);
  let t = totals(store);
  assert.deepEqual([t.entries, t.input, t.output, t.cache_creation, t.cache_read], [1, 100, 50, 1000, 3000]);
  // Sonnet 4.5: 3 / 15 / 3.75 (5m) / 6 (1h) / 0.30 per million.
  const expected = (100 * 3 + 50 * 15 + 600 * 3.75 + 400 * 6 + 3000 * 0.3) / 1e6;
  assert.ok(Math.abs(t.cost_usd - expected) < 1e-12, `${t.cost_usd} vs ${expected}`);

  const before = store.files.get(f)!.offset;
  appendFileSync(f, assistantLine({ ts: T0 + MIN, msgId: 'msg_2', input: 1, output: 2 }) + '\n');
  s = await importAll(ctx());
  assert.equal(s.entriesAdded, 1);
  assert.ok(s.bytesRead > 0 && s.bytesRead < before, `read ${s.bytesRead} new bytes, file had ${before}`);
  s = await importAll(ctx());
  assert.equal(s.bytesRead, 0);
  assert.equal(s.filesRead, 0);
  t = totals(store);
  assert.equal(t.entries, 2);
  done();
});

test('a partial last line waits until it is complete', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'sess-1.jsonl');
  const line = assistantLine({ ts: T0, msgId: 'msg_p', input: 7 });
  writeFileSync(f, assistantLine({ ts: T0 - MIN, msgId: 'msg_0' }) + '\n' + line.slice(0, 40));
  await importAll(ctx());
  assert.equal(totals(store).entries, 1);
  assert.equal(store.files.get(f)!.bad_lines, 0);
  appendFileSync(f, line.slice(40) + '\n');
  await importAll(ctx());
  const t = totals(store);
  assert.equal(t.entries, 2);
  assert.equal(t.input, 17);
  assert.equal(store.files.get(f)!.bad_lines, 0);
  done();
});

test('malformed lines are skipped and counted, never fatal', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'sess-1.jsonl');
  writeFileSync(
    f,
    [
      '{"type":"assistant","usage": broken',
      '[1,2,"usage"]',
      JSON.stringify({
        type: 'assistant',
        timestamp: 'not a date',
        message: { usage: { input_tokens: 1, output_tokens: 1 } },
      }),
      JSON.stringify({
        type: 'assistant',
        timestamp: new Date(T0).toISOString(),
        requestId: 'r',
        message: { id: 'm', model: 'x', usage: 'lots' },
      }),
      '\u0000\u00ff garbage "usage"',
      assistantLine({ ts: T0, msgId: 'msg_ok' }),
    ].join('\n') + '\n',
  );
  const s = await importAll(ctx());
  assert.equal(s.badLines, 5);
  assert.equal(totals(store).entries, 1);
  assert.equal(store.files.totals().badLines, 5);
  done();
});

test('a file truncated and rewritten is read again from the start, without double counting', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'sess-1.jsonl');
  writeFileSync(
    f,
    [1, 2, 3].map((i) => assistantLine({ ts: T0 + i * MIN, msgId: `m${i}`, input: 10 })).join('\n') + '\n',
  );
  await importAll(ctx());
  assert.equal(totals(store).input, 30);
  truncateSync(f, 0);
  writeFileSync(f, [7, 8].map((i) => assistantLine({ ts: T0 + i * MIN, msgId: `n${i}`, input: 1 })).join('\n') + '\n');
  const s = await importAll(ctx());
  assert.equal(s.filesReset, 1);
  const t = totals(store);
  assert.equal(t.entries, 2);
  assert.equal(t.input, 2);

  // Replaced by rename (a new inode) with the same first bytes and more after: read from the start again.
  const g = join(dir, 'tmp.jsonl.new');
  writeFileSync(
    g,
    [7, 8, 9].map((i) => assistantLine({ ts: T0 + i * MIN, msgId: `n${i}`, input: 1 })).join('\n') + '\n',
  );
  renameSync(g, f);
  await importAll(ctx());
  assert.equal(totals(store).entries, 3);
  done();
});

test('subagent transcripts, API errors and limit messages are recorded', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'sess-1.jsonl');
  const sub = join(dir, 'sess-1', 'subagents');
  mkdirSync(sub, { recursive: true });
  writeFileSync(
    f,
    [
      assistantLine({ ts: T0, msgId: 'm1' }),
      apiErrorLine(T0 + MIN, 'e1'),
      limitLine(T0 + 2 * MIN, 'l1', '5-hour limit reached ∙ resets 3pm'),
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(sub, 'agent-a1.jsonl'),
    assistantLine({ ts: T0 + 3 * MIN, msgId: 'm2', model: 'claude-haiku-4-5-20251001' }) + '\n',
  );
  await importAll(ctx());
  // Two responses plus the two synthetic zero-usage lines, which ccusage counts as entries too.
  const t = totals(store);
  assert.equal(t.entries, 4);
  assert.equal(t.input, 20);
  assert.deepEqual(store.entries.models(0, Number.MAX_SAFE_INTEGER), [
    'claude-haiku-4-5-20251001',
    'claude-sonnet-4-5-20250929',
  ]);
  const errs = store.apiErrors.since(0);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.kind, 'rate_limit');
  assert.equal(errs[0]!.status, 429);
  const lim = store.limitMessages.since(0);
  assert.equal(lim.length, 1);
  assert.equal(lim[0]!.scope, 'five_hour');
  assert.equal(lim[0]!.reset_at, Date.UTC(2026, 10, 20, 15, 0));
  done();
});

test("importRecent finds new files in changed folders and follows the hook's own transcript", async () => {
  const { h, dir, store, ctx, done } = setup();
  const f = join(dir, 'sess-1.jsonl');
  writeFileSync(f, assistantLine({ ts: T0, msgId: 'm1' }) + '\n');
  const opts = { hotWindowMs: 6 * 60 * MIN, rescanMs: 30_000, initialWindowMs: 24 * 60 * MIN };
  await importRecent(ctx(Date.now()), opts);
  assert.equal(totals(store).entries, 1);
  // A new project folder and session appear; the next rescan finds them.
  const dir2 = join(h.projects, '-work-q');
  mkdirSync(dir2);
  writeFileSync(join(dir2, 'sess-2.jsonl'), assistantLine({ ts: T0 + MIN, msgId: 'm2', session: 'sess-2' }) + '\n');
  await importRecent(ctx(Date.now() + 31_000), opts);
  assert.equal(totals(store).entries, 2);
  // Appends to a hot file are seen on every call, rescan or not.
  appendFileSync(f, assistantLine({ ts: T0 + 2 * MIN, msgId: 'm3' }) + '\n');
  await importRecent(ctx(Date.now() + 32_000), opts);
  assert.equal(totals(store).entries, 3);
  done();
});

test('blocks kept incrementally equal a full rebuild', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'sess-1.jsonl');
  const g = join(dir, 'sess-2.jsonl');
  const H = 60 * MIN;
  writeFileSync(
    f,
    [0, 1, 4.9, 5.2, 12, 12.5].map((x, i) => assistantLine({ ts: T0 + x * H, msgId: `a${i}` })).join('\n') + '\n',
  );
  await importAll(ctx());
  // An older file arrives later, filling a gap: blocks after it must change.
  writeFileSync(
    g,
    [8, 9.5].map((x, i) => assistantLine({ ts: T0 + x * H, msgId: `b${i}`, session: 'sess-2' })).join('\n') + '\n',
  );
  await importAll(ctx());
  const incremental = store.blocks.between(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  store.blocks.rebuild();
  const full = store.blocks.between(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(incremental, full);
  assert.deepEqual(
    full.map((b) => new Date(b.start).toISOString().slice(11, 16)),
    ['09:00', '14:00', '21:00'],
  );
  done();
});

test('a file larger than one read chunk is read whole, then followed as it grows', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'big.jsonl');
  const pad = userLine(T0, 'x'.repeat(100_000));
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    lines.push(pad);
    lines.push(assistantLine({ ts: T0 + i * 1000, msgId: `big${i}`, input: 1 }));
  }
  writeFileSync(f, lines.join('\n') + '\n'); // ~20 MB: three chunks
  const s = await importAll(ctx());
  assert.equal(s.entriesAdded, 200);
  appendFileSync(f, assistantLine({ ts: T0 + 300_000, msgId: 'big-last', input: 5 }) + '\n');
  const again = await importAll(ctx());
  assert.equal(again.entriesAdded, 1);
  assert.equal(again.filesReset, 0, 'a grown file is not mistaken for a replaced one');
  assert.equal(totals(store).input, 205);
  done();
});

test('a model newer than the price table is priced by family and its block is marked estimated', async () => {
  const { dir, store, ctx, done } = setup();
  writeFileSync(
    join(dir, 'sess-1.jsonl'),
    [
      assistantLine({ ts: T0, msgId: 'k1', model: 'claude-sonnet-4-5-20250929', input: 1000 }),
      assistantLine({ ts: T0 + MIN, msgId: 'k2', model: 'claude-haiku-9-20300101', input: 1_000_000, output: 0 }),
    ].join('\n') + '\n',
  );
  await importAll(ctx());
  const [span] = store.blocks.between(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const b = summarizeBlock(store, span!, T0 + 2 * MIN);
  assert.equal(b.costEstimated, true, JSON.stringify(b));
  // Haiku by family: the newest Haiku in the table (5.5, $0.10 per million input).
  assert.ok(Math.abs(b.costUsd - (1000 * 3 + 20 * 15 + 1_000_000 * 0.1) / 1e6) < 1e-12, String(b.costUsd));
  done();
});

test('a file stored part way (an import stopped after its first chunk) is finished by the next import', async () => {
  const { dir, store, ctx, done } = setup();
  const f = join(dir, 'big.jsonl');
  const pad = userLine(T0, 'x'.repeat(100_000));
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) lines.push(pad, assistantLine({ ts: T0 + i * 1000, msgId: `part${i}`, input: 1 }));
  writeFileSync(f, lines.join('\n') + '\n'); // ~20 MB: three chunks
  // What an import (or a reading thread) that stops after storing one chunk leaves behind.
  const imp = new Importer(ctx(), parseLine);
  const st = statSync(f);
  withFd(f, (fd) => {
    const first = parseChunks(fd, f, 0, st.size, null, parseLine, () => 'UTC').next();
    assert.ok(!first.done && !first.value.last && first.value.records.length > 0);
    assert.equal(imp.applyParsed(f, st, first.value, false, 0), 'ok');
  });
  const stored = totals(store).entries;
  assert.ok(stored > 0 && stored < 200, `part stored: ${stored}`);
  const s = await importAll(ctx());
  assert.equal(s.entriesAdded, 200 - stored, 'the rest is read, not skipped as unchanged');
  assert.equal(totals(store).entries, 200);
  done();
});

test('a file shorter than its size said (cut since it was looked at) ends the read instead of spinning', () => {
  const { h, dir, done } = setup();
  const f = join(dir, 'cut.jsonl');
  writeFileSync(f, assistantLine({ ts: T0, msgId: 'whole', input: 1 }) + '\n{"type":"assistant","partial');
  // In a child, so that a read that never ends fails this test instead of hanging the run.
  const script = join(h.home, 'cut.ts');
  writeFileSync(
    script,
    `import { openSync, statSync } from 'node:fs';
import { readChunk, LINE_MARKERS } from ${JSON.stringify(join(process.cwd(), 'lib/transcripts/fileBytes.ts'))};
const fd = openSync(${JSON.stringify(f)}, 'r');
const claimed = statSync(${JSON.stringify(f)}).size + 50_000;
const a = readChunk(fd, 0, claimed, LINE_MARKERS);
const b = readChunk(fd, a.nextOffset, claimed, LINE_MARKERS);
console.log(JSON.stringify([a.lines.length, a.atEnd, b.nextOffset === a.nextOffset, b.lines.length, b.atEnd]));
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr || `timed out: ${String(r.error)}`);
  assert.deepEqual(JSON.parse(r.stdout), [1, true, true, 0, true]);
  done();
});
