import type { Store } from '../store/store.ts';
import { localDaySpans } from '../util/time.ts';
import { sessionSpan, summarizeBlock, tokensOf, type BlockUsage, type TokenKinds } from './summary.ts';
import { SYNTHETIC_MODEL } from '../transcripts/markers.ts';

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
  const span = store.db
    .prepare<[number, number], { first: number | null; last: number | null }>('SELECT MIN(ts) AS first, MAX(ts) AS last FROM entries WHERE ts >= ? AND ts < ?')
    .get(r.since, r.until);
  if (!span || span.first === null || span.last === null) return [];
  const day = store.db.prepare<
    [number, number],
    { entries: number; input: number; output: number; cache_creation: number; cache_read: number; cost_usd: number; models: string | null }
  >(
    `SELECT COUNT(*) AS entries, SUM(input) AS input,
       SUM(output) AS output, SUM(cache_write_5m + cache_write_1h) AS cache_creation, SUM(cache_read) AS cache_read,
       SUM(cost_usd) AS cost_usd, GROUP_CONCAT(DISTINCT NULLIF(model, '${SYNTHETIC_MODEL}')) AS models
     FROM entries WHERE ts >= ? AND ts < ?`,
  );
  const out: DailyRow[] = [];
  for (const d of localDaySpans(span.first, span.last + 1)) {
    const x = day.get(d.start, d.end);
    if (!x || x.entries === 0) continue;
    const tokens = { input: x.input, output: x.output, cache_creation: x.cache_creation, cache_read: x.cache_read };
    out.push({
      date: d.date,
      entries: x.entries,
      tokens,
      total_tokens: x.input + x.output + x.cache_creation + x.cache_read,
      cost_usd: x.cost_usd,
      models: x.models ? x.models.split(',').sort() : [],
    });
  }
  return out;
}

export function sessionsReport(store: Store, r: Range): SessionRow[] {
  const models = new Map<string, string[]>();
  for (const m of store.db
    .prepare<[number, number], { session_id: string; models: string | null }>(
      `SELECT session_id, GROUP_CONCAT(DISTINCT NULLIF(model, '${SYNTHETIC_MODEL}')) AS models FROM entries WHERE ts >= ? AND ts < ? GROUP BY session_id`,
    )
    .all(r.since, r.until)) {
    models.set(m.session_id, m.models ? m.models.split(',').sort() : []);
  }
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
