// The generation of the shared decision inputs: one small file whose content changes whenever
// something a decision rests on changes (pauses, backoff, holds, resumes, limit lines, claude-monitor
// snapshots). A lease (lib/hook/lease.ts) remembers the generation it was granted under and is void
// once it differs. Server readings are the exception: they arrive every few seconds, so instead of
// voiding every lease they are published in `fast/READINGS` (the newest reading of each window), and
// each lease checks a new one against its own bounds. Light on purpose: the fast path reads both on
// every tool call.
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

/**
 * Publishes the newest reading of each window. Written inside the transaction that recorded the
 * reading, so writers (serialized by SQLite's write lock) publish in the order they commit.
 */
export function publishReadings(stateDir: string, r: PublishedReadings): void {
  const dir = fastDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  replaceFile(join(dir, 'READINGS'), JSON.stringify(r), { fsync: false });
}

/** The published readings; null when there is no such file (no reading recorded since it was introduced). */
export function readPublishedReadings(stateDir: string): PublishedReadings | null {
  let text: string;
  try {
    text = readFileSync(join(fastDir(stateDir), 'READINGS'), 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    // A file that does not parse publishes nothing trustworthy: every lease that saw a reading is void.
    return {};
  }
}
