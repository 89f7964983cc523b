// The 5-hour block arithmetic (ccusage's rule), pure: the store keeps the blocks table with it, usage reads it.
import { HOUR_MS } from './time.ts';

export const BLOCK_MS = 5 * HOUR_MS;

export interface BlockSpan {
  start: number;
  end: number;
  /** Time of the block's last entry. */
  lastTs: number;
}

export function floorToHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * Splits sorted entry times into 5-hour blocks, as ccusage and claude-monitor do: a block starts at its
 * first entry's time floored to the UTC hour and lasts 5 hours; an entry at or past the block's end, or
 * 5 hours or more after the previous entry, starts the next block.
 */
export function scanBlocks(sortedTs: readonly number[]): BlockSpan[] {
  const out: BlockSpan[] = [];
  let cur: BlockSpan | null = null;
  for (const ts of sortedTs) {
    if (cur === null || ts >= cur.end || ts - cur.lastTs >= BLOCK_MS) {
      const start = floorToHour(ts);
      cur = { start, end: start + BLOCK_MS, lastTs: ts };
      out.push(cur);
    } else {
      cur.lastTs = ts;
    }
  }
  return out;
}

/** A block is active while its window is open and its last entry is less than 5 hours old. */
export function isActive(b: BlockSpan, now: number): boolean {
  return now < b.end && now - b.lastTs < BLOCK_MS;
}
