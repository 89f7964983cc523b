// The fast path's journal: each run the lease serves leaves a line here (appendJournal, on the hot
// path: keep this module light, node:fs and types only), and the next full check folds them into the
// events table (ingestJournal).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.ts';

/** What a fast-path run leaves behind; folded into the events table by the next full run. */
export interface JournalLine {
  ts: number;
  session_id: string;
  hook: string;
  tool: string | null;
  duration_ms: number;
  /** The state the lease was granted in, when not `normal`. */
  state?: string;
}

/** One file per fast-path run, published whole by rename, so a reader never sees one half-written. */
export const JOURNAL_DIR = 'journal.d';

/**
 * Leaves one fast-path run's line for the next full run to fold in. Each run writes its own file
 * under a dot-name and renames it into place: an ingest that lists the folder sees whole entries
 * only, and one it has claimed can no longer receive a late write (with a shared appended file, a
 * run that opened it just before an ingest moved it wrote its line into a file already read).
 */
export function appendJournal(stateDir: string, line: JournalLine): void {
  const dir = join(stateDir, JOURNAL_DIR);
  const name = `${line.ts}-${process.pid}-${process.hrtime.bigint()}.json`;
  const tmp = join(dir, `.${name}`);
  const text = JSON.stringify(line) + '\n';
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  }
  renameSync(tmp, join(dir, name));
}

/** A journal line as a fast-path run wrote it (checked by hand: the full check loads no zod). */
function asRow(v: unknown): JournalLine | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.ts !== 'number' || typeof o.session_id !== 'string' || typeof o.hook !== 'string') return null;
  if (!(o.tool === null || typeof o.tool === 'string') || typeof o.duration_ms !== 'number') return null;
  if (o.state !== undefined && typeof o.state !== 'string') return null;
  return {
    ts: o.ts,
    session_id: o.session_id,
    hook: o.hook,
    tool: o.tool,
    duration_ms: o.duration_ms,
    ...(o.state !== undefined ? { state: o.state } : {}),
  };
}

function rowsOf(text: string): JournalLine[] {
  return text.split('\n').flatMap((l) => {
    if (!l) return [];
    try {
      const r = asRow(JSON.parse(l));
      return r ? [r] : [];
    } catch {
      return [];
    }
  });
}

function insertRows(store: Store, rows: readonly JournalLine[]): void {
  if (rows.length === 0) return;
  store.write(() => {
    for (const r of rows) {
      store.events.insert({
        ts: r.ts,
        session_id: r.session_id,
        hook: r.hook,
        tool: r.tool,
        decision: 'allow',
        state: r.state ?? 'normal',
        source: 'fast-path',
        duration_ms: r.duration_ms,
      });
    }
  });
}

/**
 * Folds the fast path's journal into the events table, so every hook run shows in `ccguard events`
 * and in latency figures without the fast path touching SQLite. Entries (one file per run, whole
 * once visible) are claimed one by one by rename, so each is folded in by exactly one process, at
 * once.
 */
export function ingestJournal(stateDir: string, store: Store, now: number): number {
  const dir = join(stateDir, JOURNAL_DIR);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir).filter(
      (e) => !e.startsWith('.') || (e.startsWith('.claimed-') && abandoned(dir, e, now)),
    );
  } catch {
    // no fast-path runs yet
  }
  const rows: JournalLine[] = [];
  const claimedFiles: string[] = [];
  for (const e of entries) {
    const claimed = join(dir, claimedName(e, process.pid, now));
    try {
      renameSync(join(dir, e), claimed); // only one process wins each entry
    } catch {
      continue;
    }
    try {
      rows.push(...rowsOf(readFileSync(claimed, 'utf8')));
    } catch {
      // unreadable: dropped below
    }
    claimedFiles.push(claimed);
  }
  insertRows(store, rows);
  for (const f of claimedFiles) rmSync(f, { force: true });
  return rows.length;
}

/** How long a claimed entry is its claimer's before it counts as abandoned (the claimer died). */
const CLAIM_MS = 60_000;
/** `.claimed-<pid>@<claimed at>-<entry>`; before the claim time was in the name, `.claimed-<pid>-<entry>`. */
const CLAIMED = /^\.claimed-\d+(?:@(\d+))?-(.+)$/;

/**
 * The name an entry takes when `pid` claims it at `now`. The claim time is in the name because a
 * rename keeps the file's mtime: an entry written minutes before its claim would look abandoned the
 * moment it was claimed, and a second ingest would take it from its live claimer and fold it in twice.
 */
export function claimedName(entry: string, pid: number, now: number): string {
  return `.claimed-${pid}@${now}-${CLAIMED.exec(entry)?.[2] ?? entry}`;
}

/** An entry claimed more than CLAIM_MS ago and still there: its claimer died before folding it in. */
function abandoned(dir: string, entry: string, now: number): boolean {
  const at = CLAIMED.exec(entry)?.[1];
  if (at !== undefined) return now - Number(at) > CLAIM_MS;
  // A claim from before the time was in its name: its mtime is all there is.
  const st = statSync(join(dir, entry), { throwIfNoEntry: false });
  return st !== undefined && now - st.mtimeMs > CLAIM_MS;
}
