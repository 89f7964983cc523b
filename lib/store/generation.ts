// The generation of the shared decision inputs: one small file whose content changes whenever
// something a decision rests on changes (pauses, backoff, holds, resumes, limit lines, claude-monitor
// snapshots). A lease (lib/hook/lease.ts) remembers the generation it was granted under and is void
// once it differs. Server readings are the exception: they arrive every few seconds, so instead of
// voiding every lease they are published in `fast/READINGS` (the newest reading of each window of each
// account), and each lease checks a new reading of its own account against its own bounds: another
// account's reading neither voids nor extends it. Light on purpose: the fast path reads both on every
// tool call.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crypto } from '../util/builtins.ts';
import { replaceFile } from '../util/atomic.ts';

export function fastDir(stateDir: string): string {
  return join(stateDir, 'fast');
}

export function readGeneration(stateDir: string): string {
  try {
    return readFileSync(join(fastDir(stateDir), 'GEN'), 'utf8');
  } catch {
    return '';
  }
}

/** Invalidates every cached decision. Called by the store once a write that changed an input commits. */
export function bumpGeneration(stateDir: string): void {
  const dir = fastDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  replaceFile(join(dir, 'GEN'), crypto().randomBytes(8).toString('hex'), { fsync: false });
}

/** The newest server reading of one window as the fast path sees it. Times in ms. */
export interface PublishedReading {
  id: number;
  pct: number;
  resetsAt: number | null;
  firstSeen: number;
}

export type PublishedReadings = Partial<Record<'five_hour' | 'seven_day', PublishedReading | null>>;

/** The file: `{"v": 2, "accounts": {"<account>": PublishedReadings}}`. */
interface ReadingsFile {
  v: 2;
  accounts: Record<string, PublishedReadings>;
}

function readFile(stateDir: string): ReadingsFile | 'missing' | 'bad' {
  let text: string;
  try {
    text = readFileSync(join(fastDir(stateDir), 'READINGS'), 'utf8');
  } catch {
    return 'missing';
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return 'bad';
    const f = v as Partial<ReadingsFile>;
    // The file of a version before accounts: as if there were none.
    if (f.v !== 2 || typeof f.accounts !== 'object' || f.accounts === null) return 'missing';
    return f as ReadingsFile;
  } catch {
    return 'bad';
  }
}

/**
 * Publishes the newest reading of each window of one account, the others' left as they are. Written
 * inside the transaction that recorded the reading, so writers (serialized by SQLite's write lock)
 * publish in the order they commit.
 */
export function publishReadings(stateDir: string, account: string, r: PublishedReadings): void {
  const dir = fastDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cur = readFile(stateDir);
  const accounts = typeof cur === 'object' ? { ...cur.accounts } : {};
  accounts[account] = r;
  replaceFile(join(dir, 'READINGS'), JSON.stringify({ v: 2, accounts } satisfies ReadingsFile), { fsync: false });
}

/** The account's published readings; null when none were published for it (or no file at all). */
export function readPublishedReadings(stateDir: string, account: string): PublishedReadings | null {
  const f = readFile(stateDir);
  // A file that does not parse publishes nothing trustworthy: every lease that saw a reading is void.
  if (f === 'bad') return {};
  if (f === 'missing') return null;
  const r = f.accounts[account];
  return typeof r === 'object' && r !== null ? r : null;
}
