import type { DB } from './db.ts';

/**
 * Many small write transactions as one group, committed once it has held the write lock for `maxMs`
 * (checked between the units of work: a file, or a reading thread's chunk). Committing once per
 * group, not once per file, is most of a bulk import's SQLite cost; the cap keeps other writers'
 * waits short. What runs inside stores directly (see Importer.applyAtomically), not in savepoints.
 */
export class GroupTx {
  private open = false;
  private startedAt = 0;

  constructor(
    private readonly db: DB,
    private readonly maxMs = 250,
  ) {}

  begin(): void {
    if (this.open) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.open = true;
    this.startedAt = performance.now();
  }

  maybeCommit(): void {
    if (this.open && performance.now() - this.startedAt > this.maxMs) this.commit();
  }

  commit(): void {
    if (!this.open) return;
    this.db.exec('COMMIT');
    this.open = false;
  }

  /** After a failure: whatever the group holds is dropped (each file's own progress with it). */
  abort(): void {
    if (this.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    this.open = false;
  }
}
