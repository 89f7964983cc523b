import type { Store } from '../store/store.ts';
import { localDaySpans } from '../util/time.ts';
import { sessionSpan, summarizeBlock, tokensOf, type BlockUsage, type TokenKinds } from './summary.ts';

export interface Range {
  since: number;
  until: number;
}

export interface DailyRow {
  date: string;
  entries: number;
  tokens: TokenKinds;
  total_tokens: number;
  cost_usd: number;
  models: string[];
}

export interface SessionRow {
  session_id: string;
  project: string;
  started_at: string;
  last_activity_at: string;
  active_hours: number;
  entries: number;
  tokens: TokenKinds;
  total_tokens: number;
  cost_usd: number;
  models: string[];
}

export function blocksReport(store: Store, r: Range, now: number): BlockUsage[] {
  return store.blocks.between(r.since, r.until).map((b) => summarizeBlock(store, b, now));
}

/** Per local calendar day (lib/util/time.ts): the days with usage. */
export function dailyReport(store: Store, r: Range): DailyRow[] {
  const span = store.entries.timeSpan(r.since, r.until);
  if (span === null) return [];
  return store.entries
    .daily(localDaySpans(span.first, span.last + 1))
    .filter((x) => x.entries > 0)
    .map((x) => {
      const tokens = { input: x.input, output: x.output, cache_creation: x.cache_creation, cache_read: x.cache_read };
      return {
        date: x.date,
        entries: x.entries,
        tokens,
        total_tokens: x.input + x.output + x.cache_creation + x.cache_read,
        cost_usd: x.cost_usd,
        models: x.models,
      };
    });
}

export function sessionsReport(store: Store, r: Range): SessionRow[] {
  const models = store.entries.sessionModels(r.since, r.until);
  return store.entries.sessions(r.since, r.until).map((s) => {
    const tokens = tokensOf(s);
    return {
      ...sessionSpan(s),
      entries: s.entries,
      tokens,
      total_tokens: tokens.input + tokens.output + tokens.cache_creation + tokens.cache_read,
      cost_usd: s.cost_usd,
      models: models.get(s.session_id) ?? [],
    };
  });
}
