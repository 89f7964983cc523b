import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Status } from './status.ts';
import { replaceFile } from '../util/atomic.ts';

/**
 * The last status `ccguard status` computed, with what it was computed from.
 *
 * Why: a status is run again and again (by hand, by `watch`, by scripts) while nothing changes, and
 * most of its cost is loading SQLite and the code around it, not the answer. A snapshot is reused
 * only while every input is as it was:
 * - the state database and its WAL (any write by a hook, the status line, an import or
 *   claude-monitor's refresh changes them), stamped after the status closed it, and written only
 *   when no other connection committed while the status computed (SQLite's data_version);
 * - both config files;
 * - the transcripts within the hot window and the transcript folders, as the database recorded
 *   them when it read them (not as they are later): a byte appended since, or a file added to a
 *   folder, even while the status was computing, is a change;
 * and only for a short while (SNAPSHOT_MS), never past a moment at which the answer changes by the
 * clock alone (the block's end, a pause's end, a reset, a server reading or claude-monitor output
 * going stale, local midnight). Figures that move with the clock (the projection, ages) can so be
 * up to SNAPSHOT_MS old; `generated_at` says when they were computed, `--fresh` recomputes.
 */
export const SNAPSHOT_MS = 15_000;
// 3: Status gained `usage` (the story figure) and the SQLite driver; 4: the account. An older snapshot is computed anew.
const VERSION = 4;

/** One input's identity: path, size, mtime (whole ms), inode (-1 each when it does not exist). */
export type Stamp = [path: string, size: number, mtimeMs: number, ino: number];
/** A folder's mtime (whole ms) as last listed. */
export type DirStamp = [path: string, mtimeMs: number];

export interface StatusSnapshot {
  v: number;
  /** What else the answer depends on: the transcript roots, the time zone, the PATH (claude-monitor). */
  key: string;
  at: number;
  until: number;
  stamps: Stamp[];
  dirs: DirStamp[];
  status: Status;
}

export const snapshotFile = (stateDir: string): string => join(stateDir, 'status.snapshot.json');

export function stampOf(path: string): Stamp {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? [path, st.size, Math.trunc(st.mtimeMs), st.ino] : [path, -1, -1, -1];
}

/** What a snapshot answers for: the transcript roots, zone and PATH, the account of the environment, and the SQLite choice. */
export function snapshotKey(
  roots: readonly string[],
  tz: string | undefined,
  path: string | undefined,
  account: string,
  sqlite: string | undefined,
): string {
  // The SQLite choice is in the key: status names it, and a forced one or another Node may choose otherwise.
  return JSON.stringify([roots, tz ?? '', path ?? '', account, process.versions.node, sqlite ?? ''], null, 0);
}

/** The snapshot's status when it still answers at `now` for this key, else null. */
export function validSnapshot(file: string, key: string, now: number): StatusSnapshot | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!isSnapshot(raw)) return null;
  if (raw.v !== VERSION || raw.key !== key || !(now >= raw.at && now < raw.until)) return null;
  for (const s of raw.stamps) {
    const cur = stampOf(s[0]);
    if (cur[1] !== s[1] || cur[2] !== s[2] || cur[3] !== s[3]) return null;
  }
  for (const [path, mtime] of raw.dirs) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (Math.trunc(st?.mtimeMs ?? -1) !== mtime) return null;
  }
  return raw;
}

/** Shape check of our own private file: enough that a damaged one is ignored rather than trusted. */
function isSnapshot(v: unknown): v is StatusSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.v === 'number' &&
    typeof o.key === 'string' &&
    typeof o.at === 'number' &&
    typeof o.until === 'number' &&
    Array.isArray(o.stamps) &&
    o.stamps.every(
      (s) =>
        Array.isArray(s) &&
        s.length === 4 &&
        typeof s[0] === 'string' &&
        s.slice(1).every((n) => typeof n === 'number'),
    ) &&
    Array.isArray(o.dirs) &&
    o.dirs.every((d) => Array.isArray(d) && d.length === 2 && typeof d[0] === 'string' && typeof d[1] === 'number') &&
    typeof o.status === 'object' &&
    o.status !== null &&
    typeof (o.status as Record<string, unknown>).generated_at === 'string'
  );
}

export interface Freshness {
  /** How long a server reading counts (limits.server_fresh_seconds), in ms. */
  serverFreshMs: number;
  /** How long claude-monitor output counts (its max_age_seconds), in ms. */
  monitorMaxAgeMs: number;
}

/** The first moment after `at` at which the status changes by the clock alone, capped at SNAPSHOT_MS. */
export function snapshotUntil(status: Status, at: number, nextLocalMidnight: number, fresh: Freshness): number {
  let until = Math.min(at + SNAPSHOT_MS, nextLocalMidnight);
  const r = status.recovery;
  const l = status.limits;
  const plus = (t: string | null | undefined, ms: number): number | null => {
    if (typeof t !== 'string') return null;
    const v = Date.parse(t);
    return Number.isFinite(v) ? v + ms : null;
  };
  const times = [
    plus(status.block?.end, 0),
    plus(status.block?.reset_at, 0),
    plus(r.until, 0),
    plus(r.backoff?.until, 0),
    ...r.session_pauses.map((p) => plus(p.until, 0)),
    plus(l.reset_at, 0),
    plus(l.weekly?.reset_at, 0),
    plus(l.server.five_hour?.resets_at, 0),
    plus(l.server.seven_day?.resets_at, 0),
    plus(l.server.five_hour?.seen_at, fresh.serverFreshMs),
    plus(l.server.seven_day?.seen_at, fresh.serverFreshMs),
    plus(l.claude_monitor.snapshot_at, fresh.monitorMaxAgeMs),
  ];
  for (const ms of times) if (ms !== null && ms > at) until = Math.min(until, ms);
  return until;
}

export function writeSnapshot(file: string, snap: Omit<StatusSnapshot, 'v'>): void {
  replaceFile(file, JSON.stringify({ v: VERSION, ...snap }), { fsync: false });
}
