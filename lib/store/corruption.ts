import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** SQLite's own words for a file that is not, or no longer, a sound database. */
const BROKEN = new Set([
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT_INDEX',
  'SQLITE_CORRUPT_SEQUENCE',
  'SQLITE_CORRUPT_VTAB',
]);

export function isCorruption(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 5; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && BROKEN.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Which file a path names (device and inode), or null when there is none. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export function fileIdentity(path: string): FileIdentity | null {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/**
 * Moves a broken database (and its WAL and shared-memory files) aside, keeping it for inspection,
 * so the next open starts a fresh one that is rebuilt from the transcripts. `found`: the file that was
 * found broken. When the path names another file by now, another process has already moved that one
 * aside and started afresh: its new database is left alone, and null is returned.
 */
export function quarantine(dbFile: string, now: number, found: FileIdentity | null = null): string | null {
  if (found) {
    const current = fileIdentity(dbFile);
    if (!current || current.dev !== found.dev || current.ino !== found.ino) return null;
  }
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const dest = `${dbFile}.broken-${stamp}`;
  for (const side of ['', '-wal', '-shm']) {
    if (existsSync(dbFile + side)) renameSync(dbFile + side, dest + side);
  }
  return dest;
}

/** Present once a database has been filled: a later empty one is a rebuild, which reads everything. */
export function initializedMarker(dbFile: string): string {
  return join(dirname(dbFile), '.initialized');
}

export function markInitialized(dbFile: string): void {
  try {
    writeFileSync(initializedMarker(dbFile), '', { mode: 0o600, flag: 'w' });
  } catch {
    // without the marker a rebuild reads only the recent window first; `ccguard import` fills the rest
  }
}
