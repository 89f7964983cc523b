// The printed form of a block (`ccguard report blocks --json`, `ccguard status --json`'s block, the
// report's): snake_case keys and ISO times, built from the domain BlockUsage only where it is printed.
// The key order is part of the format: scripts and the README read these documents.
import { iso } from '../util/time.ts';
import type { BlockUsage, ResetSource, TokenKinds } from './summary.ts';

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
  reset_source: ResetSource;
}

export function blockJson(u: BlockUsage): BlockSummary {
  const p = u.projection;
  const r = u.burnRate;
  return {
    start: iso(u.start),
    end: iso(u.end),
    is_active: u.isActive,
    entries: u.entries,
    tokens: u.tokens,
    limit_tokens: u.limitTokens,
    total_tokens: u.totalTokens,
    cost_usd: u.costUsd,
    cost_estimated: u.costEstimated,
    models: u.models,
    first_entry_at: u.firstEntryAt === null ? null : iso(u.firstEntryAt),
    last_entry_at: u.lastEntryAt === null ? null : iso(u.lastEntryAt),
    burn_rate: r
      ? {
          tokens_per_minute: r.tokensPerMinute,
          limit_tokens_per_minute: r.limitTokensPerMinute,
          cost_per_hour: r.costPerHour,
        }
      : null,
    projection: p
      ? {
          limit_tokens: p.limitTokens,
          total_tokens: p.totalTokens,
          cost_usd: p.costUsd,
          remaining_minutes: p.remainingMinutes,
        }
      : null,
    reset_at: iso(u.resetAt),
    reset_source: u.resetSource,
  };
}
