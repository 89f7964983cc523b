// The hot path of every tool call. Keep imports light: no SQLite, no YAML and no zod here. zod's core
// is ~650 KB of JavaScript whose compilation alone costs a hook ~25 ms, more than everything else the
// fast path does; so the three fields it reads are checked by hand, and the full check (loaded by
// dynamic import whenever the cache does not apply) validates stdin with zod as everywhere else.
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from '../util/atomic.ts';
import { fastDir, readGeneration } from '../store/generation.ts';
import { TROUBLE_MARKERS } from '../transcripts/markers.ts';

/** The last full decision for one session, reusable until `until` while `gen` still stands. */
export interface FastEntry {
  gen: string;
  until: number;
  config_mtime: number;
  /** The session's transcript and its size when the full check ran: what was written since is looked at. */
  transcript: string | null;
  offset: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asFastEntry(v: unknown): FastEntry | null {
  if (!isObj(v)) return null;
  const { gen, until, config_mtime, transcript, offset } = v;
  return typeof gen === 'string' &&
    typeof until === 'number' &&
    typeof config_mtime === 'number' &&
    (transcript === null || typeof transcript === 'string') &&
    typeof offset === 'number'
    ? { gen, until, config_mtime, transcript, offset }
    : null;
}

function safeName(session: string): string {
  return session.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 120);
}

export function configMtime(userConfigFile: string): number {
  try {
    return statSync(userConfigFile).mtimeMs;
  } catch {
    return 0;
  }
}

export function writeFastEntry(stateDir: string, session: string, entry: FastEntry): void {
  const dir = fastDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  replaceFile(join(dir, `${safeName(session)}.json`), JSON.stringify(entry), { fsync: false });
}

/** Bytes that mean the API pushed back: the one list the transcript readers use too. */
const TROUBLE = TROUBLE_MARKERS.map((m) => Buffer.from(m));
/** More new transcript than this since the full check: take the full path rather than read it here. */
const MAX_TAIL = 1024 * 1024;

/**
 * Whether the session's transcript gained a sign of trouble since the full check. Only the new bytes
 * are read: a rate limit inside the turn must reach the next tool call, cache or not.
 */
function quietSince(transcript: string, offset: number): boolean {
  let fd: number;
  try {
    // Non-blocking: the path comes from hook stdin, and opening a FIFO there would wait for a writer forever.
    fd = openSync(transcript, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return false;
    const size = st.size;
    if (size < offset || size - offset > MAX_TAIL) return false;
    if (size === offset) return true;
    const buf = Buffer.allocUnsafe(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    const tail = buf.subarray(0, n);
    return !TROUBLE.some((m) => tail.includes(m));
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** True when a cached full decision says this call may go ahead untouched. */
export function fastAllows(stateDir: string, userConfigFile: string, session: string, now: number, transcript: string | null): boolean {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(fastDir(stateDir), `${safeName(session)}.json`), 'utf8'));
  } catch {
    return false;
  }
  const e = asFastEntry(raw);
  if (!e) return false;
  if (now >= e.until || now < e.until - 3_600_000) return false; // expired, or the clock jumped
  if (e.gen !== readGeneration(stateDir)) return false;
  if (e.config_mtime !== configMtime(userConfigFile)) return false;
  if (transcript !== null && e.transcript === transcript) return quietSince(transcript, e.offset);
  return transcript === null;
}

/** What a fast-path run leaves behind; folded into the events table by the next full run. */
export interface JournalLine {
  ts: number;
  session_id: string;
  hook: string;
  tool: string | null;
  duration_ms: number;
}

/** The journal written by older versions: one file all fast-path runs appended to. Still read. */
export const JOURNAL = 'journal.jsonl';
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

/** The fields the fast path needs; null sends the call down the full path, which says what is wrong. */
export function parseFastInput(text: string): { session_id: string; tool_name: string | null; transcript_path: string | null } | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(v) || typeof v.session_id !== 'string' || v.session_id.length === 0) return null;
  return {
    session_id: v.session_id,
    tool_name: typeof v.tool_name === 'string' ? v.tool_name : null,
    transcript_path: typeof v.transcript_path === 'string' ? v.transcript_path : null,
  };
}
