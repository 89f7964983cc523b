import type { Store } from '../store/store.ts';
import { BLOCK_MS, isActive, type BlockSpan } from '../util/blocks.ts';
import type { SessionTotals, Totals } from '../store/entries.ts';
import { iso } from '../util/time.ts';

export interface TokenKinds {
  input: number;
  output: number;
  cache_creation: number;
  cache_read: number;
}

/** One 5-hour block's usage, as ccguard works with it: epoch ms and plain numbers (blockJson prints it). */
export interface BlockUsage {
  start: number;
  end: number;
  isActive: boolean;
  entries: number;
  tokens: TokenKinds;
  /** Input + output: what plan limits count. */
  limitTokens: number;
  totalTokens: number;
  costUsd: number;
  /** Some of the cost is an estimate: a model newer than the price table, priced by its family. */
  costEstimated: boolean;
  models: string[];
  firstEntryAt: number | null;
  lastEntryAt: number | null;
  /** Over the block's active span so far, as ccusage computes it. Null with under a minute of data. */
  burnRate: { tokensPerMinute: number; limitTokensPerMinute: number; costPerHour: number } | null;
  /** Where the block ends up at the current rate. Only for the active block. */
  projection: { limitTokens: number; totalTokens: number; costUsd: number; remainingMinutes: number } | null;
  /** When usage resets: the time a limit message named, else the block's end (the server's, where a caller knows it). */
  resetAt: number;
  resetSource: ResetSource;
}

export type ResetSource = 'limit_message' | 'block_end' | 'server';

export function tokensOf(t: Totals): TokenKinds {
  return { input: t.input, output: t.output, cache_creation: t.cache_creation, cache_read: t.cache_read };
}

export function summarizeBlock(store: Store, b: BlockSpan, now: number): BlockUsage {
  const t = store.entries.totals(b.start, b.end);
  const active = isActive(b, now);
  const limitTokens = t.input + t.output;
  const totalTokens = limitTokens + t.cache_creation + t.cache_read;
  const spanMin = t.first_ts !== null && t.last_ts !== null ? (t.last_ts - t.first_ts) / 60_000 : 0;
  const burn =
    spanMin >= 1
      ? {
          tokensPerMinute: totalTokens / spanMin,
          limitTokensPerMinute: limitTokens / spanMin,
          costPerHour: (t.cost_usd / spanMin) * 60,
        }
      : null;
  const remaining = Math.max(0, (b.end - now) / 60_000);
  const projection =
    active && burn
      ? {
          limitTokens: Math.round(limitTokens + burn.limitTokensPerMinute * remaining),
          totalTokens: Math.round(totalTokens + burn.tokensPerMinute * remaining),
          costUsd: t.cost_usd + (burn.costPerHour / 60) * remaining,
          remainingMinutes: remaining,
        }
      : active
        ? { limitTokens, totalTokens, costUsd: t.cost_usd, remainingMinutes: remaining }
        : null;
  const msg = store.limitMessages.latestWithReset(b.start, b.end);
  return {
    start: b.start,
    end: b.end,
    isActive: active,
    entries: t.entries,
    tokens: tokensOf(t),
    limitTokens,
    totalTokens,
    costUsd: t.cost_usd,
    costEstimated: t.cost_estimated === 1,
    models: store.entries.models(b.start, b.end),
    firstEntryAt: t.first_ts,
    lastEntryAt: t.last_ts,
    burnRate: burn,
    projection,
    resetAt: msg?.reset_at ?? b.end,
    resetSource: msg?.reset_at ? 'limit_message' : 'block_end',
  };
}

/** The block in force at `now`, if any. */
export function activeBlock(store: Store, now: number): BlockSpan | null {
  // The latest block that has begun: a line dated in the future (clock skew) must not hide this one.
  const latest = store.blocks.latestStartedBy(now);
  return latest && isActive(latest, now) ? latest : null;
}

/** Token totals (input + output) of every finished block: the P90 rule's input. */
export function finishedBlockTokens(store: Store, now: number): number[] {
  return store.blocks.finishedTokens(now, now - BLOCK_MS);
}

/** Local midnight of the day holding `now`, in the process's time zone. */
/** Who a session is and when it ran: the part every session listing shares. */
export function sessionSpan(t: SessionTotals, fallbackMs = 0) {
  const first = t.first_ts ?? fallbackMs;
  const last = t.last_ts ?? fallbackMs;
  return {
    session_id: t.session_id,
    project: t.project,
    started_at: iso(first),
    last_activity_at: iso(last),
    active_hours: (last - first) / 3_600_000,
  };
}
