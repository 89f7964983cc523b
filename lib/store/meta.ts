import type { DB } from './db.ts';
import { isObj } from '../util/guards.ts';

/**
 * Every key the meta table holds, with the kind of its value. The names are what is stored: renaming
 * one orphans the value in every existing database. Times are ms since the epoch.
 */
interface MetaKinds {
  /** When the transcript folders were last listed for new files (lib/transcripts/import.ts). */
  last_scan_at: 'number';
  /** When a full import (every file, no time window) last finished (lib/transcripts/import.ts). */
  last_full_import_at: 'number';
  /** The earliest entry time an import changed since the blocks were last rescanned; absent when none (lib/transcripts/import.ts). */
  blocks_dirty_from: 'number';
  /** The fingerprint of the price overrides the stored costs were computed with (lib/transcripts/import.ts syncPrices). */
  prices_fp: 'text';
  /** The last api_errors rowid folded into the recovery state (lib/app/recovery.ts syncRecovery). */
  recovery_seen_error_rowid: 'number';
  /** The last limit_messages rowid folded into the recovery state (lib/app/recovery.ts syncRecovery). */
  recovery_seen_limit_rowid: 'number';
  /** When `ccguard resume` last lifted everything: session clocks restart from it (lib/app/recovery.ts resumeAll). */
  resumed_all_at: 'number';
  /** The account that adopted the rows stored before accounts existed (lib/app/accounts.ts adoptLegacy). */
  legacy_adopted: 'text';
  /** When old events, marks and recovery rows were last pruned (lib/app/recovery.ts housekeeping). */
  housekeeping_at: 'number';
  /** The token limit inferred from the server's readings, {limitTokens, samples, updatedAt} (lib/usage/calibration.ts). */
  calibration: 'json';
  /** How far the local estimate was from the last server reading (lib/usage/calibration.ts). */
  calibration_error: 'json';
  /** The last rate_limits id folded into the calibration (lib/usage/calibration.ts). */
  calibration_seen_id: 'number';
  /** The P90 token limit and the newest block it was computed for, {key, tokens, source} (lib/usage/local.ts). */
  p90_cache: 'json';
  /** Before accounts: the usage endpoint's last attempt, answer and lock (no longer read; see usage_api_accounts). */
  usage_api_attempt: 'json';
  usage_api_ok: 'json';
  usage_api_lock: 'json';
  /** The usage endpoint's state per account: {attempt, ok, lock} (lib/store/usageApiState.ts). */
  usage_api_accounts: 'json';
}

export type MetaKey = keyof MetaKinds;
type KeysOf<K> = { [P in MetaKey]: MetaKinds[P] extends K ? P : never }[MetaKey];
export type NumberKey = KeysOf<'number'>;
export type TextKey = KeysOf<'text'>;
export type JsonKey = KeysOf<'json'>;

/** Small named values: scan times, the price fingerprint, watermarks, JSON state (see MetaKinds). */
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

  private get(key: MetaKey): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  private put(key: MetaKey, value: string): void {
    this.putStmt.run(key, value);
  }

  has(key: MetaKey): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: MetaKey): void {
    this.delStmt.run(key);
  }

  /** The number stored under `key`; undefined when absent or not a finite number. */
  getNumber(key: NumberKey): number | undefined {
    const v = this.get(key);
    const n = v === undefined ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  }

  putNumber(key: NumberKey, value: number): void {
    this.put(key, String(value));
  }

  getText(key: TextKey): string | undefined {
    return this.get(key);
  }

  putText(key: TextKey, value: string): void {
    this.put(key, value);
  }

  /**
   * The JSON object stored under `key`, for the caller to check field by field. A damaged value, or
   * one that is not an object (an older format), reads as none: the next write replaces it.
   */
  getJson(key: JsonKey): Record<string, unknown> | undefined {
    const raw = this.get(key);
    if (raw === undefined) return undefined;
    try {
      const v: unknown = JSON.parse(raw);
      return isObj(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  putJson(key: JsonKey, value: object): void {
    this.put(key, JSON.stringify(value));
  }
}
