import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface FoundFile {
  path: string;
  stat: Stats;
}

/**
 * Every `projects/**\/*.jsonl` under the roots. Symlinked folders are not followed (no loops).
 * `dirs`, when given, receives each folder listed with its mtime as it was before the listing.
 */
export function walkTranscripts(roots: readonly string[], maxDepth = 4, dirs?: [string, number][]): FoundFile[] {
  const out: FoundFile[] = [];
  const visit = (dir: string, depth: number): void => {
    let entries;
    try {
      const st = dirs ? statSync(dir) : null;
      entries = readdirSync(dir, { withFileTypes: true });
      if (st && st.isDirectory()) dirs?.push([dir, Math.trunc(st.mtimeMs)]);
    } catch {
      return; // vanished or unreadable: nothing to import from it
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth) visit(p, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.jsonl')) {
        try {
          out.push({ path: p, stat: statSync(p) });
        } catch {
          // vanished between readdir and stat
        }
      }
    }
  };
  for (const r of roots) visit(r, 0);
  return out;
}

/** Where a session's subagents write: `<session>/subagents/`, beside `<session>.jsonl`. */
export function subagentsDirOf(sessionFile: string): string {
  return join(sessionFile.slice(0, -'.jsonl'.length), 'subagents');
}

/** A subagent's own transcript (it has no subagents folder of its own). */
export const isSubagentFile = (path: string): boolean => basename(dirname(path)) === 'subagents';

export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Lists a directory's entries, or nothing when it is gone. */
export function listDir(dir: string): { name: string; isDir: boolean; isFile: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((e) => ({
      name: e.name,
      isDir: e.isDirectory(),
      isFile: e.isFile(),
    }));
  } catch {
    return [];
  }
}
