// The hot path of every tool call. Keep imports light: no SQLite, no YAML and no zod here (why, and
// which inputs are checked by hand instead: ARCHITECTURE.md "zod, and the inputs checked by hand").
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from '../util/atomic.ts';
import { fastDir, readGeneration, readPublishedReadings, type PublishedReading } from '../store/generation.ts';
import { TROUBLE_MARKERS } from '../transcripts/markers.ts';
import { costOf, priceFor, type PriceOverrides } from '../transcripts/prices.ts';
import { parseLine } from '../transcripts/line.ts';
import { anchoredShare, projectedAtReset, readingPace, risePerToken } from '../usage/readingMath.ts';
import type { Lease, ReadingBound } from './lease.ts';
import { isObj } from '../util/guards.ts';

function asLease(v: unknown): Lease | null {
  if (!isObj(v) || v.v !== 3 || typeof v.account !== 'string') return null;
  const ok =
    typeof v.gen === 'string' &&
    typeof v.until === 'number' &&
    typeof v.at === 'number' &&
    typeof v.configMtime === 'number' &&
    typeof v.state === 'string' &&
    (v.tokens === null || typeof v.tokens === 'number') &&
    (v.cost === null || typeof v.cost === 'number') &&
    isObj(v.prices) &&
    (v.transcript === null || typeof v.transcript === 'string') &&
    Array.isArray(v.files) &&
    Array.isArray(v.dirs) &&
    isObj(v.seen) &&
    isObj(v.bounds);
  return ok ? (v as unknown as Lease) : null;
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

export function writeLease(stateDir: string, session: string, lease: Lease): void {
  const dir = fastDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  replaceFile(join(dir, `${safeName(session)}.json`), JSON.stringify(lease), { fsync: false });
}

export function removeLease(stateDir: string, session: string): void {
  try {
    unlinkSync(join(fastDir(stateDir), `${safeName(session)}.json`));
  } catch {
    // none there
  }
}

/** Bytes that mean the API pushed back: the one list the transcript readers use too. */
const TROUBLE = TROUBLE_MARKERS.map((m) => Buffer.from(m));
/** More new transcript than this since the full check: take the full path rather than read it here. */
const MAX_TAIL = 1024 * 1024;
const NL = 0x0a;
const ASSISTANT = Buffer.from('"assistant"');

/** One response's usage, as the fast path counts it. */
interface Counted {
  ts: number;
  tokens: number;
  cost: number;
}

/**
 * The responses in complete lines of `tail`, each once by its key, read by the transcript reader the
 * import uses (lib/transcripts/line.ts): the same tokens, cache split, model and key the full check
 * will count. A response split across the lease's offset is counted again: more, never less.
 */
function countUsage(tail: Buffer, seen: Set<string>, prices: PriceOverrides, out: Counted[]): void {
  let start = 0;
  for (;;) {
    const end = tail.indexOf(NL, start);
    if (end < 0) return; // a partial last line is not counted by the full check either
    const line = tail.subarray(start, end);
    const at = start;
    start = end + 1;
    if (line.indexOf(ASSISTANT) < 0) continue;
    // Limit messages never reach here (trouble ends the lease first), so no time zone is needed.
    const records = parseLine(line.toString('latin1'), {
      fallbackKey: `tail#${at}`,
      timeZone: () => 'UTC',
      latin1: true,
    });
    if (!Array.isArray(records)) continue;
    for (const r of records) {
      if (r.kind !== 'usage' || seen.has(r.key)) continue;
      seen.add(r.key);
      out.push({ ts: r.ts, tokens: r.input + r.output, cost: costOf(r, priceFor(r.model, prices).price) });
    }
  }
}

/**
 * What was appended to the watched transcripts since the lease, or null when something there means
 * the full check must look: trouble (an API error, a limit line), a file replaced, truncated or gone,
 * or more than MAX_TAIL to read.
 */
function appended(lease: Lease): Counted[] | null {
  const out: Counted[] = [];
  const seen = new Set<string>();
  let budget = MAX_TAIL;
  for (const f of lease.files) {
    const [path, offset, ino] = f;
    let fd: number;
    try {
      // Non-blocking: the path came from hook stdin once, and opening a FIFO would wait forever.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return null;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.ino !== ino || st.size < offset) return null;
      if (st.size === offset) continue;
      const len = st.size - offset;
      budget -= len;
      if (budget < 0) return null;
      const buf = Buffer.allocUnsafe(len);
      const tail = buf.subarray(0, readSync(fd, buf, 0, len, offset));
      if (TROUBLE.some((m) => tail.includes(m))) return null;
      countUsage(tail, seen, lease.prices, out);
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

/**
 * Whether a reading newer than the lease keeps the figure under its bound: its share, plus the local
 * usage since it at the highest ratio it could imply, and the pace from the first reading of the last
 * hour to it, by the sources' own arithmetic (lib/usage/readingMath.ts).
 */
function readingWithin(
  b: ReadingBound,
  r: PublishedReading,
  counted: readonly Counted[],
  lease: Lease,
  now: number,
): boolean {
  if (r.resetsAt !== b.resetsAt || typeof r.pct !== 'number' || typeof r.firstSeen !== 'number') return false;
  let since = 0;
  // A minute's slack for the clocks of the status line and the transcript writer.
  for (const c of counted) if (c.ts >= r.firstSeen - 60_000) since += c.tokens;
  // The ratio over the tokens counted up to the lease's last reading: more tokens by the new one only lower it.
  const share = anchoredShare(r.pct, risePerToken(b.ratioFirstPct, r.pct, b.ratioTokens), since);
  if (!(share < b.ceil)) return false;
  const pace = readingPace(b.burnFirstPct ?? r.pct, b.burnFirstAt ?? lease.at, r.pct, r.firstSeen);
  if (pace === null) return true; // too short a span for the full check to project from
  if (b.burnFirstPct === null || b.resetsAt === null) return false;
  // The lease's ceiling was found with no projection: a projected crossing is the full check's to say.
  return projectedAtReset(share, pace.perMinute, b.resetsAt, now) < 1;
}

/** The lease of a session, if one is on file. */
export function readLease(stateDir: string, session: string): Lease | null {
  try {
    return asLease(JSON.parse(readFileSync(join(fastDir(stateDir), `${safeName(session)}.json`), 'utf8')));
  } catch {
    return null;
  }
}

/**
 * The state to record when the session's lease lets this call go ahead untouched; null sends it to
 * the full check.
 */
export function leaseAllows(
  stateDir: string,
  userConfigFile: string,
  session: string,
  now: number,
  transcript: string | null,
): string | null {
  const e = readLease(stateDir, session);
  if (!e) return null;
  if (now >= e.until || now < e.at - 60_000) return null; // run out, or the clock jumped back
  if (transcript !== null && e.transcript !== transcript) return null;
  if (e.gen !== readGeneration(stateDir)) return null;
  if (e.configMtime !== configMtime(userConfigFile)) return null;
  for (const [dir, mtime] of e.dirs) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if ((st ? st.mtimeMs : -1) !== mtime) return null;
  }
  const counted = appended(e);
  if (!counted) return null;
  let tokens = 0;
  let cost = 0;
  for (const c of counted) {
    tokens += c.tokens;
    cost += c.cost;
  }
  if (e.tokens !== null && tokens > e.tokens) return null;
  if (e.cost !== null && cost > e.cost) return null;
  // No file at all: no reading was ever published, which is news only to a lease that saw one.
  const pub =
    readPublishedReadings(stateDir, e.account) ?? (e.seen.five_hour === 0 && e.seen.seven_day === 0 ? {} : null);
  if (pub === null) return null;
  for (const w of ['five_hour', 'seven_day'] as const) {
    const r = pub[w];
    if ((r?.id ?? 0) === e.seen[w]) continue;
    const b = e.bounds[w];
    if (!r || !b || !readingWithin(b, r, counted, e, now)) return null;
  }
  return e.state;
}

/** The fields the fast path needs; null sends the call down the full path, which says what is wrong. */
export function parseFastInput(
  text: string,
): { session_id: string; tool_name: string | null; transcript_path: string | null } | null {
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
