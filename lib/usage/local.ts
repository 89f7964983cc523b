// ccguard's own usage picture of the current 5-hour block: its tokens against the plan's, P90 or the
// configured limit. An estimate: it warns, and only a token number the user wrote in `plan` may act.
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { UsageConfidence, UsageView } from './types.ts';
import { activeBlock, finishedBlockTokens, summarizeBlock } from './summary.ts';
import { tokenLimitFor, type TokenLimit } from './limits.ts';
import { BLOCK_MS } from '../util/blocks.ts';

/** The token limit, with P90 cached until another block finishes. */
export function tokenLimit(store: Store, config: Config, now: number): TokenLimit {
  if (config.plan !== 'custom') return tokenLimitFor(config.plan, () => []);
  const latest = store.blocks.latest();
  const key = `${latest?.start ?? 0}:${latest && (latest.end <= now || now - latest.lastTs >= BLOCK_MS) ? 'done' : 'open'}`;
  // A value of another shape (the older "key|tokens|source" string, or a damaged one) is a miss.
  const cached = store.meta.getJson('p90_cache');
  if (
    cached &&
    cached.key === key &&
    typeof cached.tokens === 'number' &&
    Number.isFinite(cached.tokens) &&
    typeof cached.source === 'string' &&
    cached.source
  ) {
    return { tokens: cached.tokens, source: cached.source };
  }
  const lim = tokenLimitFor('custom', () => finishedBlockTokens(store, now));
  try {
    store.write(() => store.meta.putJson('p90_cache', { key, tokens: lim.tokens, source: lim.source }));
  } catch {
    // a cache that cannot be written is recomputed next time
  }
  return lim;
}

/** The usage picture from ccguard's own records, against `lim` (the plan's, P90 or calibrated). */
export function localUsage(
  store: Store,
  config: Config,
  now: number,
  lim: TokenLimit = tokenLimit(store, config, now),
): UsageView {
  const span = activeBlock(store, now);
  const base = { window: 'five_hour' as const, ageMs: 0, confidence: limitConfidence(lim) };
  if (!span) {
    return {
      ...base,
      projectionBasis: null,
      source: `local:${lim.source}`,
      limitTokens: lim.tokens,
      usedTokens: 0,
      share: 0,
      projectedShare: 0,
      costUsd: 0,
      blockStart: null,
      resetAt: null,
      tokensPerCall: 0,
      burnPerMinute: null,
    };
  }
  const b = summarizeBlock(store, span, now);
  return {
    ...base,
    projectionBasis: b.projection ? { kind: 'local_block' } : null,
    source: `local:${lim.source}`,
    limitTokens: lim.tokens,
    usedTokens: b.limitTokens,
    share: b.limitTokens / lim.tokens,
    projectedShare: b.projection ? b.projection.limitTokens / lim.tokens : null,
    costUsd: b.costUsd,
    blockStart: span.start,
    resetAt: b.resetAt,
    tokensPerCall: b.entries > 0 ? b.limitTokens / b.entries : 0,
    burnPerMinute: b.burnRate?.limitTokensPerMinute ?? null,
  };
}

/** What a local figure may do depends on its limit: the user's own number acts, a plan or P90 warns. */
export function limitConfidence(lim: TokenLimit): UsageConfidence {
  return lim.source === 'config' ? 'configured' : lim.source === 'custom-default' ? 'unknown' : 'local_estimate';
}
