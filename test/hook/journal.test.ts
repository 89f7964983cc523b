// The fast path's journal: entries written by many processes while others fold them in are each
// folded in exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tmpHome } from '../helpers/tmp.ts';
import { openStore } from '../../lib/store/store.ts';
import { appendJournal, claimedName, ingestJournal, JOURNAL_DIR } from '../../lib/hook/journal.ts';

const WRITER = join(import.meta.dirname, '..', 'helpers', 'journalWriter.ts');

test('entries written by 6 processes while folded in concurrently: each lands once', async (t) => {
  const h = tmpHome('ccguard-journal-');
  mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
  const store = openStore(join(h.stateDir, 'state.db'));
  // One hook, the store first: Node runs a test's `after` hooks in the order registered.
  t.after(() => {
    store.close();
    h.cleanup();
  });
  const WRITERS = 6;
  const EACH = 150;
  const writers = Array.from(
    { length: WRITERS },
    (_, i) =>
      new Promise<number>((resolve, reject) => {
        const p = spawn(process.execPath, [...process.execArgv, WRITER, h.stateDir, String(EACH), `w${i}`], {
          stdio: 'ignore',
        });
        p.on('error', reject);
        p.on('close', (code) => resolve(code ?? -1));
      }),
  );
  let running = true;
  const codes = Promise.all(writers).finally(() => (running = false));
  let folded = 0;
  while (running) {
    folded += ingestJournal(h.stateDir, store, Date.now());
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.deepEqual(await codes, Array(WRITERS).fill(0));
  folded += ingestJournal(h.stateDir, store, Date.now());
  assert.equal(folded, WRITERS * EACH);
  const rows = store.db
    .prepare("SELECT session_id, COUNT(*) AS n FROM events WHERE source = 'fast-path' GROUP BY session_id")
    .all() as { session_id: string; n: number }[];
  assert.deepEqual(
    rows.map((r) => r.n),
    Array(WRITERS).fill(EACH),
  );
  assert.deepEqual(readdirSync(join(h.stateDir, JOURNAL_DIR)), [], 'nothing left behind');
  assert.equal(statSync(join(h.stateDir, JOURNAL_DIR)).mode & 0o777, 0o700);
});

test("an entry written minutes before its claim stays its claimer's; a claim left for over a minute is taken over", (t) => {
  const h = tmpHome(t, 'ccguard-journal-');
  mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
  const store = openStore(join(h.stateDir, 'state.db'));
  t.after(() => store.close());
  const dir = join(h.stateDir, JOURNAL_DIR);
  const now = Date.now();
  const line = (tool: string) => ({ ts: now - 5 * 60_000, session_id: 's', hook: 'PreToolUse', tool, duration_ms: 1 });
  const count = () =>
    (store.db.prepare("SELECT COUNT(*) AS n FROM events WHERE source = 'fast-path'").get() as { n: number }).n;
  // Written five minutes ago (the lease served calls, no full check ran since), claimed now by a live
  // process: a rename keeps the old mtime, which must not make the claim look abandoned.
  appendJournal(h.stateDir, line('a'));
  const [entry] = readdirSync(dir);
  const old = new Date(now - 5 * 60_000);
  utimesSync(join(dir, entry!), old, old);
  renameSync(join(dir, entry!), join(dir, claimedName(entry!, 999_999, now)));
  assert.equal(ingestJournal(h.stateDir, store, now + 1000), 0, 'a live claim is left to its claimer');
  assert.equal(count(), 0);
  assert.equal(ingestJournal(h.stateDir, store, now + 61_000), 1, 'its claimer died: taken over after a minute');
  assert.equal(count(), 1);
  assert.deepEqual(readdirSync(dir), []);

  // A claim named before the claim time was in the name: its mtime decides, as it did then.
  appendJournal(h.stateDir, line('b'));
  const [second] = readdirSync(dir);
  const legacy = join(dir, `.claimed-999999-${second!}`);
  renameSync(join(dir, second!), legacy);
  utimesSync(legacy, new Date(now), new Date(now));
  assert.equal(ingestJournal(h.stateDir, store, now + 1000), 0, 'claimed a second ago, by its mtime');
  assert.equal(ingestJournal(h.stateDir, store, now + 61_000), 1);
  assert.equal(count(), 2);
});
