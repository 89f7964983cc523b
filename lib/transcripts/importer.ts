// Reading one transcript file into the store, from where the last read stopped (Importer), and what
// every import shares: its context, its counts, the price sync and the block refresh.
import { basename, dirname, relative, sep } from 'node:path';
import type { Stats } from 'node:fs';
import type { Store } from '../store/store.ts';
import type { FileRow } from '../store/files.ts';
import { costOf, priceFor, pricesFingerprint, type PriceOverrides, type PriceLookup } from './prices.ts';
import type { LineRecord } from './line.ts';
import { headHash, withFd } from './fileBytes.ts';
import { parseChunks, type LineParser, type ParsedChunk } from './chunks.ts';
import { statOrNull } from './discover.ts';
import type { ReaderOptions } from './readerThreadOptions.ts';

export interface ImportContext {
  store: Store;
  roots: readonly string[];
  prices: PriceOverrides;
  /** IANA zone for limit messages that name none: the user's own. */
  timeZone: () => string;
  now: number;
  /**
   * The account a transcript's rows belong to (lib/app/accounts.ts): its session's, else its config
   * folder's subscription. 'legacy' when absent.
   */
  accountFor?: (path: string, sessionId: string) => string;
  /** Reading threads for a large import (`importAll`), asked for only then; none when absent. */
  parallel?: () => (ReaderOptions & { minBytes?: number; stallMs?: number; storeOnly?: boolean }) | undefined;
}

export interface ImportStats {
  filesSeen: number;
  filesRead: number;
  bytesRead: number;
  entriesAdded: number;
  apiErrorsAdded: number;
  limitMessagesAdded: number;
  badLines: number;
  filesReset: number;
}

export const emptyStats = (): ImportStats => ({
  filesSeen: 0,
  filesRead: 0,
  bytesRead: 0,
  entriesAdded: 0,
  apiErrorsAdded: 0,
  limitMessagesAdded: 0,
  badLines: 0,
  filesReset: 0,
});

/** The project a transcript belongs to: its folder under `projects/` (Claude Code's encoded cwd). */
export function projectOf(path: string, roots: readonly string[]): string {
  for (const r of roots) {
    const rel = relative(r, path);
    if (!rel.startsWith('..') && rel !== path) {
      const first = rel.split(sep)[0];
      if (first && first !== rel) return first;
    }
  }
  return basename(dirname(path));
}

/** `<session>.jsonl`, or `<session>/subagents/agent-x.jsonl`: the session a file belongs to. */
export function sessionOfPath(path: string): string {
  const dir = dirname(path);
  if (basename(dir) === 'subagents') return basename(dirname(dir));
  return basename(path, '.jsonl');
}

class Pricer {
  private readonly memo = new Map<string, PriceLookup>();
  constructor(private readonly overrides: PriceOverrides) {}
  lookup(model: string): PriceLookup {
    let p = this.memo.get(model);
    if (!p) {
      p = priceFor(model, this.overrides);
      this.memo.set(model, p);
    }
    return p;
  }
}

/** Re-prices stored entries when the user's price overrides changed since they were computed. */
export function syncPrices(ctx: ImportContext): void {
  const fp = pricesFingerprint(ctx.prices);
  const { meta, entries } = ctx.store;
  if (meta.getText('prices_fp') === fp) return;
  const pricer = new Pricer(ctx.prices);
  entries.reprice((row) => {
    const p = pricer.lookup(row.model);
    const cost = costOf(
      {
        input: row.input,
        output: row.output,
        cacheWrite5m: row.cache_write_5m,
        cacheWrite1h: row.cache_write_1h,
        cacheRead: row.cache_read,
      },
      p.price,
    );
    return { cost, estimated: p.estimated };
  });
  ctx.store.write(() => meta.putText('prices_fp', fp));
}

/**
 * The line parser is loaded only when some file has new bytes: a status or hook with nothing new to
 * read never pays for it.
 */
export async function loadParser(): Promise<LineParser> {
  return (await import('./line.ts')).parseLine;
}

/** True when a file's size, mtime or identity differ from what was last read: it may have new lines. */
export function mayHaveNew(store: Store, path: string, st: Stats): boolean {
  const row = store.files.get(path);
  return !(
    row &&
    row.ino === st.ino &&
    row.dev === st.dev &&
    row.size === st.size &&
    row.mtime_ms === Math.trunc(st.mtimeMs)
  );
}

/** Where reading a file starts: after what was read before, or from 0 when the file was replaced. */
export interface StartState {
  offset: number;
  reset: boolean;
  head: string | null;
  badTotal: number;
}

export function startOf(fd: number, st: Stats, row: FileRow | undefined): StartState {
  if (!row) return { offset: 0, reset: false, head: null, badTotal: 0 };
  const replaced =
    row.ino !== st.ino ||
    row.dev !== st.dev ||
    st.size < row.offset ||
    (row.offset > 0 && headHash(fd, row.offset) !== row.head_hash);
  if (replaced) return { offset: 0, reset: true, head: null, badTotal: 0 };
  return { offset: row.offset, reset: false, head: row.head_hash, badTotal: row.bad_lines };
}

export class Importer {
  readonly stats = emptyStats();
  private readonly pricer: Pricer;
  private readonly chunkTx;

  constructor(
    private readonly ctx: ImportContext,
    private readonly parse: LineParser,
  ) {
    this.pricer = new Pricer(ctx.prices);
    this.chunkTx = ctx.store.prepareWrite(
      (path: string, expectedOffset: number, records: LineRecord[], next: FileRow, reset: boolean) =>
        this.applyChunk(path, expectedOffset, records, next, reset),
    );
  }

  /** Imports whatever is new in one file. Returns false when it had nothing new. */
  importFile(path: string, st: Stats | null = statOrNull(path)): boolean {
    this.stats.filesSeen++;
    if (!st || !st.isFile()) return false;
    const row = this.ctx.store.files.get(path);
    if (!mayHaveNew(this.ctx.store, path, st)) return false;
    try {
      return withFd(path, (fd) => this.readFile(path, fd, st, row));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Vanished, or not ours to read (left by `sudo claude`): skip it rather than fail every hook.
      // These come from opening the file, before anything of it is stored: a chunk stored without a
      // transaction of its own (inside a group) is never followed by an error caught here.
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') return false;
      throw err;
    }
  }

  private readFile(path: string, fd: number, st: Stats, row: FileRow | undefined): boolean {
    const { files } = this.ctx.store;
    const size = st.size;
    let { offset, reset, head, badTotal } = startOf(fd, st, row);
    if (reset) this.stats.filesReset++;
    let progressed = false;
    for (let races = 0; races < 1_000_000; races++) {
      let raced = false;
      for (const chunk of parseChunks(fd, path, offset, size, head, this.parse, this.ctx.timeZone)) {
        if (this.applyParsed(path, st, chunk, reset, badTotal) === 'raced') {
          raced = true;
          break;
        }
        progressed = true;
        offset = chunk.nextOffset;
        badTotal += chunk.bad;
        reset = false;
      }
      if (!raced) break;
      // Another process imported this part first: continue from where it got to.
      const now = files.get(path);
      if (!now) return progressed;
      offset = now.offset;
      badTotal = now.bad_lines;
      head = now.head_hash;
      reset = false;
    }
    this.finishFile(path, fd, st, offset, progressed, reset);
    return progressed;
  }

  /**
   * Stores one parsed chunk of a file, if the file is still where the chunk began (`reset`: the file
   * was replaced, and what it gave before goes first). `badBefore` counts the file's malformed lines
   * before this chunk.
   */
  applyParsed(path: string, st: Stats, chunk: ParsedChunk, reset: boolean, badBefore: number): 'ok' | 'raced' {
    const next: FileRow = {
      path,
      dev: st.dev,
      ino: st.ino,
      // The file's size only with its last chunk: a file stored part way (an import stopped, a
      // reading thread that failed) must not look read to the next look, which compares the size.
      size: chunk.last ? st.size : chunk.nextOffset,
      mtime_ms: Math.trunc(st.mtimeMs),
      offset: chunk.nextOffset,
      head_hash: chunk.head,
      bad_lines: badBefore + chunk.bad,
      updated_at: this.ctx.now,
    };
    const outcome = this.applyAtomically(path, reset ? -1 : chunk.offset, chunk.records, next, reset);
    if (outcome === 'ok') {
      this.stats.badLines += chunk.bad;
      this.stats.bytesRead += chunk.nextOffset - chunk.offset;
    }
    return outcome;
  }

  /** After a file's last chunk: what a file with nothing complete to read still needs recorded. */
  private finishFile(path: string, fd: number, st: Stats, offset: number, progressed: boolean, reset: boolean): void {
    const { files } = this.ctx.store;
    const size = st.size;
    if (!progressed && reset) {
      // Replaced by a file with no complete line yet (emptied, say): what the old one gave goes now,
      // not when a line next arrives, and reading starts again from 0.
      const next: FileRow = {
        path,
        dev: st.dev,
        ino: st.ino,
        size,
        mtime_ms: Math.trunc(st.mtimeMs),
        offset: 0,
        head_hash: headHash(fd, 0),
        bad_lines: 0,
        updated_at: this.ctx.now,
      };
      this.applyAtomically(path, -1, [], next, true);
      return;
    }
    if (!progressed) {
      // Nothing complete to read (a partial line): remember the size so the next look is a stat only.
      const cur = files.get(path);
      if (cur && cur.offset === offset && (cur.size !== size || cur.mtime_ms !== Math.trunc(st.mtimeMs))) {
        this.ctx.store.write(() => {
          const again = files.get(path);
          if (again && again.offset === offset) files.put({ ...again, size, mtime_ms: Math.trunc(st.mtimeMs) });
        });
      }
    } else {
      this.stats.filesRead++;
    }
  }

  /**
   * A chunk's records and its file's new offset are stored together or not at all. Alone, that is a
   * transaction of its own. Inside a bulk import's group transaction (GroupTx) it is not nested as a
   * savepoint: a savepoint copies each page the chunk first touches aside, which doubled the cost of
   * every insert; a failure there ends the import and rolls the whole group back instead.
   */
  private applyAtomically(
    path: string,
    expectedOffset: number,
    records: LineRecord[],
    next: FileRow,
    reset: boolean,
  ): 'ok' | 'raced' {
    if (this.ctx.store.inTransaction) return this.applyChunk(path, expectedOffset, records, next, reset);
    return this.chunkTx(path, expectedOffset, records, next, reset);
  }

  private applyChunk(
    path: string,
    expectedOffset: number,
    records: LineRecord[],
    next: FileRow,
    reset: boolean,
  ): 'ok' | 'raced' {
    const { files, entries, apiErrors, limitMessages, meta } = this.ctx.store;
    const cur = files.get(path);
    if (reset) {
      entries.deleteFile(path);
      apiErrors.deleteFile(path);
      limitMessages.deleteFile(path);
      markDirty(meta, Number.MIN_SAFE_INTEGER);
    } else if ((cur?.offset ?? 0) !== expectedOffset) {
      return 'raced';
    }
    const project = projectOf(path, this.ctx.roots);
    const pathSession = sessionOfPath(path);
    let minTs = Infinity;
    const accountOf = this.ctx.accountFor ?? ((): string => 'legacy');
    for (const r of records) {
      const session = r.sessionId ?? pathSession;
      switch (r.kind) {
        case 'usage': {
          const p = this.pricer.lookup(r.model);
          const changed = entries.upsert({
            key: r.key,
            ts: r.ts,
            session_id: session,
            project,
            model: r.model,
            input: r.input,
            output: r.output,
            cache_write_5m: r.cacheWrite5m,
            cache_write_1h: r.cacheWrite1h,
            cache_read: r.cacheRead,
            cost_usd: costOf(r, p.price),
            cost_estimated: p.estimated ? 1 : 0,
            file_path: path,
            account: accountOf(path, session),
          });
          if (changed !== null) {
            if (changed.inserted) this.stats.entriesAdded++;
            if (changed.from < minTs) minTs = changed.from;
          }
          break;
        }
        case 'api_error':
          if (
            apiErrors.insert({
              key: r.key,
              ts: r.ts,
              session_id: session,
              project,
              kind: r.error,
              status: r.status,
              message: r.message,
              file_path: path,
              account: accountOf(path, session),
            })
          )
            this.stats.apiErrorsAdded++;
          break;
        case 'limit':
          if (
            limitMessages.insert({
              key: r.key,
              ts: r.ts,
              session_id: session,
              project,
              scope: r.scope,
              reset_at: r.resetAt,
              text: r.text,
              file_path: path,
              account: accountOf(path, session),
            })
          )
            this.stats.limitMessagesAdded++;
          break;
        default: {
          const never: never = r;
          throw new Error(`unhandled record ${String(never)}`);
        }
      }
    }
    if (minTs !== Infinity) markDirty(meta, minTs);
    files.put(next);
    return 'ok';
  }

  /** Brings the 5-hour blocks up to date with everything imported so far (by any process). */
  finish(): void {
    refreshBlocks(this.ctx.store);
  }
}

function markDirty(meta: Store['meta'], fromTs: number): void {
  const cur = meta.getNumber('blocks_dirty_from');
  if (cur === undefined || fromTs < cur) meta.putNumber('blocks_dirty_from', fromTs);
}

/** Rescans the blocks from the earliest entry any import added since the last refresh. */
export function refreshBlocks(store: Store): void {
  if (!store.meta.has('blocks_dirty_from')) return;
  store.write(() => {
    const from = store.meta.getNumber('blocks_dirty_from');
    if (from === undefined) return;
    store.blocks.refreshFrom(from);
    store.meta.delete('blocks_dirty_from');
  });
}
