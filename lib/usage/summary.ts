import type { Store } from '../store/store.ts';
import { BLOCK_MS, isActive, type BlockSpan } from '../util/blocks.ts';
import type { SessionTotals, Totals } from '../store/entries.ts';

export interface TokenKinds {
  input: number;
  output: number;
  cache_creation: number;
  cache_read: number;
}

export interface BlockSummary {
  start: string;
  end: string;
  is_active: boolean;
  entries: number;
  tokens: TokenKinds;
  /** Input + output: what plan limits count. */
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
  /** Some of the cost is an estimate: a model newer than the price table, priced by its family. */
  cost_estimated: boolean;
  models: string[];
  first_entry_at: string | null;
  last_entry_at: string | null;
  /** Over the block's active span so far, as ccusage computes it. Null with under a minute of data. */
  burn_rate: { tokens_per_minute: number; limit_tokens_per_minute: number; cost_per_hour: number } | null;
  /** Where the block ends up at the current rate. Only for the active block. */
  projection: { limit_tokens: number; total_tokens: number; cost_usd: number; remaining_minutes: number } | null;
  /** When usage resets: the time a limit message named, else the block's end. */
  reset_at: string;
  reset_source: 'limit_message' | 'block_end' | 'server';
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function tokensOf(t: Totals): TokenKinds {
  return { input: t.input, output: t.output, cache_creation: t.cache_creation, cache_read: t.cache_read };
}

export function summarizeBlock(store: Store, b: BlockSpan, now: number): BlockSummary {
  const t = store.entries.totals(b.start, b.end);
  const active = isActive(b, now);
  const limitTokens = t.input + t.output;
  const totalTokens = limitTokens + t.cache_creation + t.cache_read;
  const spanMin = t.first_ts !== null && t.last_ts !== null ? (t.last_ts - t.first_ts) / 60_000 : 0;
  const burn =
    spanMin >= 1
      ? {
          tokens_per_minute: totalTokens / spanMin,
          limit_tokens_per_minute: limitTokens / spanMin,
          cost_per_hour: (t.cost_usd / spanMin) * 60,
        }
      : null;
  const remaining = Math.max(0, (b.end - now) / 60_000);
  const projection =
    active && burn
      ? {
          limit_tokens: Math.round(limitTokens + burn.limit_tokens_per_minute * remaining),
          total_tokens: Math.round(totalTokens + burn.tokens_per_minute * remaining),
          cost_usd: t.cost_usd + (burn.cost_per_hour / 60) * remaining,
          remaining_minutes: remaining,
        }
      : active
        ? { limit_tokens: limitTokens, total_tokens: totalTokens, cost_usd: t.cost_usd, remaining_minutes: remaining }
        : null;
  const msg = store.limitMessages.latestWithReset(b.start, b.end);
  return {
    start: iso(b.start),
    end: iso(b.end),
    is_active: active,
    entries: t.entries,
    tokens: tokensOf(t),
    limit_tokens: limitTokens,
    total_tokens: totalTokens,
    cost_usd: t.cost_usd,
    cost_estimated: t.cost_estimated === 1,
    models: store.entries.models(b.start, b.end),
    first_entry_at: t.first_ts === null ? null : iso(t.first_ts),
    last_entry_at: t.last_ts === null ? null : iso(t.last_ts),
    burn_rate: burn,
    projection,
    reset_at: iso(msg?.reset_at ?? b.end),
    reset_source: msg?.reset_at ? 'limit_message' : 'block_end',
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
export function startOfLocalDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

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
