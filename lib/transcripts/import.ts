// Reading transcripts into the store: the orchestration. `importAll` (the first import, `ccguard
// import`, install) and `importRecent` (the incremental catch-up of hooks and status) decide which
// files to read; importer.ts reads one file; parallel.ts spreads a large import over reading threads.
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { isSubagentFile, listDir, statOrNull, subagentsDirOf, walkTranscripts, type FoundFile } from './discover.ts';
import {
  emptyStats,
  Importer,
  loadParser,
  mayHaveNew,
  refreshBlocks,
  syncPrices,
  type ImportContext,
  type ImportStats,
} from './importer.ts';

export type { ImportContext, ImportStats } from './importer.ts';

export interface ImportAllOptions {
  /** Only files modified at or after this time (the first, quick import of a hook or status). */
  modifiedSince?: number;
  onProgress?: (done: number, total: number, bytes: number) => void;
}

/** Walks every transcript root and imports what is new. */
export async function importAll(ctx: ImportContext, opts: ImportAllOptions = {}): Promise<ImportStats> {
  syncPrices(ctx);
  // A full import lists every folder: what it saw is recorded, so later catch-ups (and the status
  // snapshot) know a folder whose mtime moved has something new. A windowed first run records none,
  // so the next rescan lists everything and finds what it left.
  const listed: [string, number][] = [];
  const found = walkTranscripts(ctx.roots, 4, opts.modifiedSince === undefined ? listed : undefined).filter(
    (f) => opts.modifiedSince === undefined || f.stat.mtimeMs >= opts.modifiedSince,
  );
  const imp = new Importer(ctx, await loadParser());
  let done = 0;
  let bytes = 0;
  const fileDone = (f: FoundFile): void => {
    done++;
    bytes += f.stat.size;
    opts.onProgress?.(done, found.length, bytes);
  };
  const tx = ctx.store.writeGroup();
  const par = ctx.parallel?.();
  // The threads' code (and node:worker_threads) is loaded only when threads may be used: a hook's
  // first catch-up on a fresh install is the one catch-up that comes here.
  const threads =
    par && par.threads > 0 ? await Promise.all([import('./parallel.ts'), import('./readerThreads.ts')]) : null;
  try {
    const plan = threads ? threads[0].planTasks(ctx.store, found, fileDone) : null;
    if (threads && plan && par && plan.bytes >= (par.minBytes ?? threads[0].PARALLEL_MIN_BYTES)) {
      threads[0].importParallel(imp, plan, par, tx, fileDone);
    } else {
      threads?.[1].dropEarlyReaders();
      const todo = plan ? plan.states.map((s) => s.file) : found;
      for (const f of todo) {
        tx.begin();
        imp.importFile(f.path, f.stat);
        tx.maybeCommit();
        fileDone(f);
      }
    }
    tx.commit();
  } finally {
    tx.abort();
  }
  imp.stats.filesSeen = found.length;
  imp.finish();
  const { meta } = ctx.store;
  ctx.store.write(() => {
    for (const [d, m] of listed) ctx.store.dirs.put(d, m);
    meta.putNumber('last_scan_at', ctx.now);
    if (opts.modifiedSince === undefined) meta.putNumber('last_full_import_at', ctx.now);
  });
  return imp.stats;
}

export interface ImportRecentOptions {
  /** Files the caller knows are live (the hook's own transcript). */
  files?: readonly string[];
  /** Files written within this window are watched by stat alone. */
  hotWindowMs: number;
  /** How often folders are listed for new files. */
  rescanMs: number;
  /** A first run on an empty database reads only files modified within this window... */
  initialWindowMs: number;
  /** ...unless this is a rebuild (a database existed before): then it reads everything. */
  rebuild?: boolean;
}

/**
 * The incremental import that hooks and `status` run: its cost follows what is new, not the size of
 * the history. It stats the caller's files and the recently written ones, and at most every
 * `rescanMs` lists the folders whose mtime changed to find new files.
 */
export async function importRecent(ctx: ImportContext, opts: ImportRecentOptions): Promise<ImportStats> {
  const { meta, files, dirs } = ctx.store;
  const lastScan = meta.getNumber('last_scan_at');
  if (lastScan === undefined) {
    return importAll(ctx, opts.rebuild ? {} : { modifiedSince: ctx.now - opts.initialWindowMs });
  }
  syncPrices(ctx);
  // First only stat: which files may have new lines. Reading (and loading the parser) comes after.
  const seen = new Set<string>();
  const todo: [string, Stats][] = [];
  const visit = (p: string): void => {
    if (seen.has(p)) return;
    seen.add(p);
    const st = statOrNull(p);
    if (st && st.isFile() && mayHaveNew(ctx.store, p, st)) todo.push([p, st]);
  };
  for (const f of opts.files ?? []) {
    visit(f);
    const sub = subagentsDirOf(f);
    for (const e of listDir(sub)) if (e.isFile && e.name.endsWith('.jsonl')) visit(join(sub, e.name));
  }
  const hot = files.recent(ctx.now - opts.hotWindowMs);
  for (const row of hot) visit(row.path);

  const clockWentBack = ctx.now < lastScan;
  if (clockWentBack || ctx.now - lastScan >= opts.rescanMs) {
    const changedDirs: [string, number][] = [];
    const checkDir = (dir: string, onChange: () => void): void => {
      const st = statOrNull(dir);
      if (!st || !st.isDirectory()) return;
      const m = Math.trunc(st.mtimeMs);
      if (dirs.mtime(dir) === m) return;
      onChange();
      changedDirs.push([dir, m]);
    };
    // Live sessions elsewhere may have started subagents since the last look.
    for (const row of hot) {
      if (isSubagentFile(row.path)) continue;
      const sub = subagentsDirOf(row.path);
      checkDir(sub, () => {
        for (const s of listDir(sub)) if (s.isFile && s.name.endsWith('.jsonl')) visit(join(sub, s.name));
      });
    }
    for (const root of ctx.roots) {
      checkDir(root, () => undefined);
      for (const p of listDir(root)) {
        if (!p.isDir) continue;
        const pdir = join(root, p.name);
        checkDir(pdir, () => {
          for (const e of listDir(pdir)) {
            if (e.isFile && e.name.endsWith('.jsonl')) {
              const fp = join(pdir, e.name);
              if (!files.get(fp)) visit(fp);
            } else if (e.isDir) {
              const sub = join(pdir, e.name, 'subagents');
              checkDir(sub, () => {
                for (const s of listDir(sub)) if (s.isFile && s.name.endsWith('.jsonl')) visit(join(sub, s.name));
              });
            }
          }
        });
      }
    }
    ctx.store.write(() => {
      for (const [d, m] of changedDirs) dirs.put(d, m);
      meta.putNumber('last_scan_at', ctx.now);
    });
  }
  const stats = emptyStats();
  stats.filesSeen = seen.size;
  if (todo.length > 0) {
    const imp = new Importer(ctx, await loadParser());
    for (const [p, st] of todo) imp.importFile(p, st);
    Object.assign(stats, imp.stats, { filesSeen: seen.size });
  }
  refreshBlocks(ctx.store);
  return stats;
}
