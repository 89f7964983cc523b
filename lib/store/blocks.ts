import type { DB } from './db.ts';
import type { EntriesTable } from './entries.ts';
import type { Write } from './store.ts';
import { scanBlocks, type BlockSpan } from '../util/blocks.ts';

interface BlockRow {
  start: number;
  end: number;
  last_ts: number;
}

const toSpan = (r: BlockRow): BlockSpan => ({ start: r.start, end: r.end, lastTs: r.last_ts });

/**
 * The 5-hour blocks, kept up to date incrementally. A block depends only on the entries from its own
 * start on, so new entries at time t change nothing before the block that holds (or precedes) t: the
 * table is rescanned from there, which after a hook is just the current block.
 */
export class BlocksTable {
  private readonly lastAtOrBeforeStmt;
  private readonly deleteFromStmt;
  private readonly insertStmt;
  private readonly rangeStmt;
  private readonly latestStmt;

  constructor(
    private readonly db: DB,
    private readonly entries: EntriesTable,
    private readonly write: Write,
  ) {
    this.lastAtOrBeforeStmt = db.prepare<[number], BlockRow>(
      'SELECT * FROM blocks WHERE start <= ? ORDER BY start DESC LIMIT 1',
    );
    this.deleteFromStmt = db.prepare<[number]>('DELETE FROM blocks WHERE start >= ?');
    this.insertStmt = db.prepare<[number, number, number]>('INSERT INTO blocks (start, end, last_ts) VALUES (?, ?, ?)');
    this.rangeStmt = db.prepare<[number, number], BlockRow>(
      'SELECT * FROM blocks WHERE end > ? AND start < ? ORDER BY start',
    );
    this.latestStmt = db.prepare<[], BlockRow>('SELECT * FROM blocks ORDER BY start DESC LIMIT 1');
  }

  /** Rebuilds the blocks affected by entries at or after `minTs`. Call inside the import's transaction. */
  refreshFrom(minTs: number): void {
    const anchor = this.lastAtOrBeforeStmt.get(minTs);
    const from = anchor ? anchor.start : Number.MIN_SAFE_INTEGER;
    this.deleteFromStmt.run(from);
    for (const b of scanBlocks(this.entries.timestampsFrom(from))) this.insertStmt.run(b.start, b.end, b.lastTs);
  }

  rebuild(): void {
    this.write(() => this.refreshFrom(Number.MIN_SAFE_INTEGER));
  }

  /** Blocks overlapping [from, to), oldest first. */
  between(fromMs: number, toMs: number): BlockSpan[] {
    return this.rangeStmt.all(fromMs, toMs).map(toSpan);
  }

  /** The latest block that starts at or before `now`. */
  latestStartedBy(now: number): BlockSpan | undefined {
    const r = this.lastAtOrBeforeStmt.get(now);
    return r ? toSpan(r) : undefined;
  }

  /**
   * The input + output tokens of every finished block: one that ended by `endedBy`, or whose last
   * entry is at or before `idleSince`. Prepared when asked (once per finished block, P90 cached).
   */
  finishedTokens(endedBy: number, idleSince: number): number[] {
    return this.db
      .prepare<[number, number], number>(
        `SELECT (SELECT COALESCE(SUM(e.input + e.output), 0) FROM entries e WHERE e.ts >= b.start AND e.ts < b.end) AS tokens
         FROM blocks b WHERE b.end <= ? OR b.last_ts <= ?`,
      )
      .pluck()
      .all(endedBy, idleSince);
  }

  latest(): BlockSpan | undefined {
    const r = this.latestStmt.get();
    return r ? toSpan(r) : undefined;
  }
}
