// `ccguard import`: the summary agrees with the progress it showed on a terminal (files checked vs
// files read), piped it shows none, and its JSON uses snake_case keys like every other command's JSON.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ccguard } from '../helpers/cli.ts';
import { openApp } from '../../lib/app/context.ts';
import { runImport } from '../../lib/cli/commands/import.ts';
import type { Out } from '../../lib/cli/format.ts';
import { assistantLine } from '../helpers/lines.ts';
import { makeHistory } from '../helpers/history.ts';

const h = makeHistory();
after(() => h.cleanup());

const KEYS = [
  'files_seen',
  'bytes_seen',
  'files_read',
  'bytes_read',
  'entries_added',
  'api_errors_added',
  'limit_messages_added',
  'bad_lines',
  'files_reset',
  'duration_ms',
];

/** Every key of every object in `v`, however deep. */
function keys(v: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keys(x, into);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      into.add(k);
      keys(x, into);
    }
  }
  return into;
}

/** `ccguard import` in this process, its stderr a terminal: what it printed on each. */
async function importOnTerminal(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out: Out = { write: (x) => void (stdout += x), isTTY: false, color: false, columns: Infinity };
  const err: Out = { write: (x) => void (stderr += x), isTTY: true, color: false, columns: 80 };
  const app = await openApp({ ...env });
  try {
    return { code: await runImport(app, [], out, err), stdout, stderr };
  } finally {
    app.store.close();
  }
}

/** The last state of the terminal progress bar: "done/total files checked". */
function lastProgress(stderr: string): { done: number; total: number } {
  const m = [...stderr.matchAll(/\r\[[#-]+\] (\d+)\/(\d+) files checked, /g)].at(-1);
  assert.ok(m, JSON.stringify(stderr));
  return { done: Number(m[1]), total: Number(m[2]) };
}

test('the summary says what was checked and what was read, in agreement with the progress on a terminal', async () => {
  const files = readdirSync(h.env.projects, { recursive: true }).filter((f) => String(f).endsWith('.jsonl')).length;
  const first = await importOnTerminal(h.env.env);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(lastProgress(first.stderr), { done: files, total: files });
  assert.match(
    first.stdout,
    new RegExp(
      `^Imported [\\d,]+ new responses, 2 API errors and 2 limit messages from ${files} transcript files \\(0\\.\\d MB\\) in [\\d,]+ ms\\.\\n$`,
    ),
  );

  // Nothing new: the progress still checked every file; the summary says so instead of "from 0 of N".
  const again = await importOnTerminal(h.env.env);
  assert.deepEqual(lastProgress(again.stderr), { done: files, total: files });
  assert.match(
    again.stdout,
    new RegExp(
      `^Nothing new: all ${files} transcript files \\(0\\.\\d MB\\) were imported before; checked in [\\d,]+ ms\\.\\n$`,
    ),
  );
  assert.doesNotMatch(again.stdout, /from 0 of/);

  // One file grew: read from it alone, out of all those checked.
  appendFileSync(
    join(h.env.projects, '-work-app', `${h.currentSessions[0]}.jsonl`),
    assistantLine({ ts: h.now - 30_000, msgId: 'msg_new_1', session: h.currentSessions[0] }) + '\n',
  );
  const one = ccguard(['import'], h.env.env);
  assert.match(
    one.stdout,
    new RegExp(
      `^Imported 1 new response, 0 API errors and 0 limit messages from the new lines of 1 of ${files} transcript files \\(0\\.0 MB of 0\\.\\d MB; the rest were imported before\\) in [\\d,]+ ms\\.\\n$`,
    ),
  );
  assert.equal(one.stderr, '', 'piped, no progress');
});

test('import --json: snake_case keys, the same counts', () => {
  const r = ccguard(['import', '--json'], h.env.env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'no progress lines with --json');
  const j = JSON.parse(r.stdout) as Record<string, number>;
  assert.deepEqual(Object.keys(j), KEYS);
  assert.ok(j.files_seen! > 0 && j.bytes_seen! > 0);
  assert.equal(j.files_read, 0);
  assert.equal(j.entries_added, 0);
});

test('snake_case everywhere in JSON: status, reports, events, doctor, import', () => {
  for (const args of [
    ['status', '--json'],
    ['report', '--json'],
    ['report', 'blocks', '--json'],
    ['report', 'daily', '--json'],
    ['report', 'sessions', '--json'],
    ['events', '--json'],
    ['doctor', '--json'],
    ['import', '--json'],
  ]) {
    const r = ccguard(args, h.env.env);
    assert.ok(r.code === 0 || (args[0] === 'doctor' && r.code === 1), `${args.join(' ')}: ${r.stderr}`);
    const bad = [...keys(JSON.parse(r.stdout))].filter((k) => !/^[a-z0-9]+(_[a-z0-9]+)*$/.test(k));
    assert.deepEqual(bad, [], args.join(' '));
  }
});
