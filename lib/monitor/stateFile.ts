import { readFileSync, statSync } from 'node:fs';
import { parseSnapshot, SnapshotError, type MonitorSnapshot } from './snapshot.ts';

export type StateFileRead =
  | { kind: 'fresh'; snapshot: MonitorSnapshot; ageMs: number }
  | { kind: 'stale'; ageMs: number }
  | { kind: 'missing' }
  | { kind: 'invalid'; error: string };

/** Past this, a file bigger than any snapshot is not read at all. */
const MAX_BYTES = 1024 * 1024;

/**
 * The snapshot claude-monitor keeps in a file (`--write-state --state-file PATH`), validated like its
 * printed output. Its mtime is looked at first (an old file is not read), then its generated_at.
 */
export function readStateFile(path: string, now: number, maxAgeMs: number): StateFileRead {
  let mtime: number;
  let size: number;
  try {
    const st = statSync(path);
    mtime = st.mtimeMs;
    size = st.size;
  } catch {
    return { kind: 'missing' };
  }
  if (now - mtime > maxAgeMs) return { kind: 'stale', ageMs: now - mtime };
  if (size > MAX_BYTES) return { kind: 'invalid', error: `${path} is ${size} bytes, too big for a snapshot` };
  let snapshot: MonitorSnapshot;
  try {
    snapshot = parseSnapshot(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof SnapshotError) return { kind: 'invalid', error: `${path}: ${e.message}` };
    return { kind: 'missing' };
  }
  // A generated_at ahead of the clock (another machine's clock, say) is judged by the file's mtime.
  const ageMs = snapshot.generatedAt > now + 60_000 ? now - mtime : now - snapshot.generatedAt;
  if (ageMs > maxAgeMs || snapshot.stale) return { kind: 'stale', ageMs };
  return { kind: 'fresh', snapshot, ageMs: Math.max(0, ageMs) };
}
