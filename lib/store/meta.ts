import type { DB } from './db.ts';

/** Small named values: scan times, the price fingerprint, the last import. */
export class MetaTable {
  private readonly getStmt;
  private readonly putStmt;
  private readonly delStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.putStmt = db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.delStmt = db.prepare<[string]>('DELETE FROM meta WHERE key = ?');
  }

  delete(key: string): void {
    this.delStmt.run(key);
  }

  get(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  getNumber(key: string): number | undefined {
    const v = this.get(key);
    const n = v === undefined ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  }

  put(key: string, value: string | number): void {
    this.putStmt.run(key, String(value));
  }
}
