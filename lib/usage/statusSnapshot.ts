import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Status } from './status.ts';
import { replaceFile } from '../util/atomic.ts';

/**
 * The last status `ccguard status` computed, with what it was computed from.
 *
 * Why: a status is run again and again (by hand, by `watch`, by scripts) while nothing changes, and
 * most of its cost is loading SQLite and the code around it, not the answer. A snapshot is reused
 * only while every input is as it was: the state database and its WAL (any write by a hook, the
 * status line, an import or claude-monitor's refresh changes them), the config files, the
 * transcript folders (a new file changes its folder) and every transcript written within the hot
 * window (the ones a status would read), all by size, mtime and inode; and only for a short while
 * (SNAPSHOT_MS), never past a moment at which the answer changes by the clock alone (the block's
 * end, a pause's end, local midnight). Figures that move with the clock (the projection, ages) can
 * so be up to SNAPSHOT_MS old; `generated_at` says when they were computed, `--fresh` recomputes.
 */
export const SNAPSHOT_MS = 15_000;
const VERSION = 1;

/** One input's identity: path, size, mtime, inode (-1 each when it does not exist). */
export type Stamp = [path: string, size: number, mtimeMs: number, ino: number];

export interface StatusSnapshot {
  v: number;
  /** What else the answer depends on: the transcript roots and the time zone. */
  key: string;
  at: number;
  until: number;
  stamps: Stamp[];
  status: Status;
}

export const snapshotFile = (stateDir: string): string => join(stateDir, 'status.snapshot.json');

export function stampOf(path: string): Stamp {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? [path, st.size, st.mtimeMs, st.ino] : [path, -1, -1, -1];
}

export function snapshotKey(roots: readonly string[], tz: string | undefined): string {
  return JSON.stringify([roots, tz ?? ''], null, 0);
}

/** The transcript folders whose mtime tells that a file was added: each root and its project folders. */
export function transcriptDirs(roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    out.push(root);
    let names: string[] = [];
    try {
      names = readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      continue;
    }
    for (const n of names) out.push(join(root, n));
  }
  return out;
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
      (s) => Array.isArray(s) && s.length === 4 && typeof s[0] === 'string' && s.slice(1).every((n) => typeof n === 'number'),
    ) &&
    typeof o.status === 'object' &&
    o.status !== null &&
    typeof (o.status as Record<string, unknown>).generated_at === 'string'
  );
}

/** The first moment after `at` at which the status changes by the clock alone, capped at SNAPSHOT_MS. */
export function snapshotUntil(status: Status, at: number, nextLocalMidnight: number): number {
  let until = Math.min(at + SNAPSHOT_MS, nextLocalMidnight);
  const r = status.recovery;
  const times = [
    status.block?.end,
    status.block?.reset_at,
    r.until,
    r.backoff?.until,
    ...r.session_pauses.map((p) => p.until),
    status.limits.weekly?.reset_at,
  ];
  for (const t of times) {
    if (typeof t !== 'string') continue;
    const ms = Date.parse(t);
    if (Number.isFinite(ms) && ms > at) until = Math.min(until, ms);
  }
  return until;
}

export function writeSnapshot(file: string, snap: Omit<StatusSnapshot, 'v'>): void {
  replaceFile(file, JSON.stringify({ v: VERSION, ...snap }), { fsync: false });
}
