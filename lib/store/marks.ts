import type { DB } from './db.ts';

/**
 * One-per-crossing marks, shared by every hook process: `claim` succeeds for exactly one caller,
 * so a warning or notification goes out once per crossing per block, not once per tool call.
 */
export class MarksTable {
  private readonly claimStmt;
  private readonly hasStmt;
  private readonly pruneStmt;

  constructor(db: DB) {
    this.claimStmt = db.prepare<[string, number]>('INSERT OR IGNORE INTO marks (key, ts) VALUES (?, ?)');
    this.hasStmt = db.prepare<[string], { key: string }>('SELECT key FROM marks WHERE key = ?');
    this.pruneStmt = db.prepare<[number]>('DELETE FROM marks WHERE ts < ?');
  }

  claim(key: string, now: number): boolean {
    return this.claimStmt.run(key, now).changes > 0;
  }

  /** Whether the crossing was already told: a lease is granted only once its messages went out. */
  has(key: string): boolean {
    return this.hasStmt.get(key) !== undefined;
  }

  prune(beforeMs: number): void {
    this.pruneStmt.run(beforeMs);
  }
}
