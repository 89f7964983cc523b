/**
 * The combined report: everything `ccguard report --html` draws, as one plain object. `report --json`
 * prints exactly this object, and the HTML carries the same numbers in data attributes, so what the
 * page shows can be checked against the JSON.
 */
import { waitingSessions, type WaitingSession } from '../app/unattended.ts';
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import { activeBlock, summarizeBlock } from '../usage/summary.ts';
import { sessionsReport } from '../usage/reports.ts';
import { tokenLimit } from '../usage/local.ts';
import { limitWindow } from '../transcripts/limitMessage.ts';
import { recoveryJson, type RecoveryStatus } from '../app/recoveryNow.ts';
import { figureJson, usageStory, type FigureJson } from '../app/story.ts';
import { isRateLimit } from '../policy/backoff.ts';
import type { BlockSpan } from '../util/blocks.ts';
import { iso, isoOrNull, localDaySpans, localWindowStart, localZoneName, MINUTE_MS } from '../util/time.ts';

export const REPORT_VERSION = 1;
/** Kinds of ccguard decisions that mark the block chart. */
export const MARKER_KINDS = ['warn', 'delay', 'deny', 'pause'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export interface Point {
  t: string;
  tokens: number;
}

export interface Marker {
  /** The first decision of its kind in that minute. */
  t: string;
  kind: MarkerKind;
  /** How many decisions of this kind fell in that minute. */
  count: number;
  /** Cumulative limit tokens of the block at `t`: where the marker sits on the usage line. */
  tokens: number;
  sessions: string[];
  reason: string | null;
}

export interface Band {
  from: string;
  to: string;
  kind: 'pause' | 'backoff';
  reason: string;
}

export interface CurrentBlock {
  start: string;
  end: string;
  reset_at: string;
  reset_source: 'limit_message' | 'block_end' | 'server';
  is_active: boolean;
  entries: number;
  /** Input + output tokens so far: what the limit counts. */
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
  used_share: number;
  projection: { limit_tokens: number; share: number; cost_usd: number } | null;
  /** Cumulative limit tokens: 0 at the block start, then one point per minute with responses (and `now` when active). */
  series: Point[];
  /** Straight from 0 at the block start to the limit at the reset. */
  pace: [Point, Point];
  /** From now and the tokens so far to the block end at the current burn rate. */
  projection_line: [Point, Point] | null;
  markers: Marker[];
  bands: Band[];
}

export interface BlockBar {
  start: string;
  end: string;
  is_active: boolean;
  entries: number;
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
  share: number;
}

export interface LimitMessageItem {
  t: string;
  scope: string;
  reset_at: string | null;
  text: string;
  session_id: string;
}

export interface DayRow {
  date: string;
  entries: number;
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface ProjectRow {
  project: string;
  sessions: number;
  entries: number;
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface ModelRow {
  model: string;
  entries: number;
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
  cost_share: number;
}

export type TimelineKind =
  | 'warn'
  | 'delay'
  | 'deny'
  | 'defer'
  | 'limit_stop'
  | 'notify'
  | 'pause'
  | 'resume'
  | 'alert'
  | 'error'
  | 'rate_limit'
  | 'api_error'
  | 'limit_message'
  | 'backoff'
  | 'other';

export interface TimelineItem {
  t: string;
  kind: TimelineKind;
  session_id: string | null;
  /** hook (PreToolUse...), cli, transcript or recovery. */
  origin: string;
  tool: string | null;
  text: string;
  /** When what it names ends: a limit's reset, a pause's or backoff's end. */
  until: string | null;
}

export interface SessionItem {
  session_id: string;
  project: string;
  started_at: string;
  last_activity_at: string;
  duration_ms: number;
  entries: number;
  limit_tokens: number;
  total_tokens: number;
  cost_usd: number;
  models: string[];
  /** Hook decisions other than silent allows, by decision. */
  decisions: Record<string, number>;
}

export interface FullReport {
  version: number;
  generated_at: string;
  time_zone: string;
  window: { since: string; until: string; days: number };
  limit: { tokens: number; source: string };
  /**
   * The figure the hooks decide on (lib/app/story.ts): the window the recovery state speaks of, its
   * share, source and reset. The block's bars are ccguard's own tokens against `limit`; this is the
   * usage the page names, as the hook, `status` and the status line name it.
   */
  usage: FigureJson;
  recovery: RecoveryStatus;
  /** Unattended sessions deferred or stopped on the limit, still waiting, with their resume commands. */
  waiting: WaitingSession[];
  current_block: CurrentBlock | null;
  blocks: BlockBar[];
  weekly: {
    /** The window's own totals (the same as `totals`), even when its first block began before it. */
    limit_tokens: number;
    total_tokens: number;
    cost_usd: number;
    blocks: number;
    blocks_over_limit: number;
    /** The first block began before the window: its bar shows all of it, the totals only the window's part. */
    first_block_before_window: boolean;
    /** Claude's own 7-day utilization, as the status line last reported it (null when never seen). */
    server: { used_pct: number; resets_at: string | null; seen_at: string } | null;
    /** Weekly-limit messages seen in the window. */
    limit_messages: LimitMessageItem[];
  };
  totals: { entries: number; limit_tokens: number; total_tokens: number; cost_usd: number; sessions: number };
  daily: DayRow[];
  projects: ProjectRow[];
  models: ModelRow[];
  timeline: { items: TimelineItem[]; total: number; truncated: boolean };
  sessions: { items: SessionItem[]; total: number; truncated: boolean };
}

export interface ReportOptions {
  now: number;
  /** Whose limits, readings and holds the page shows (lib/util/account.ts). */
  account: string;
  /** Local calendar days covered, today included. */
  days?: number;
  timeZone?: string;
  maxTimeline?: number;
  maxSessions?: number;
  /** The words that start ccguard, for the resume commands of waiting sessions (default `ccguard`). */
  cli?: string;
}

export function buildReport(store: Store, config: Config, o: ReportOptions): FullReport {
  const now = o.now;
  const days = o.days ?? 7;
  const since = localWindowStart(now, days);
  const until = now + MINUTE_MS;
  // The token limit the bars are drawn against: ccguard's own (the server gives shares, not tokens).
  const story = usageStory(store, config, o.account, now);
  const picture = story.picture;
  const view = picture.view;
  const local = tokenLimit(store, config, now);
  const limit =
    view.limitTokens !== null && view.limitTokens > 0 ? { tokens: view.limitTokens, source: view.source } : local;

  const spans = store.blocks.between(since, until);
  const blocks: BlockBar[] = spans.map((b) => {
    const s = summarizeBlock(store, b, now);
    return {
      start: iso(s.start),
      end: iso(s.end),
      is_active: s.isActive,
      entries: s.entries,
      limit_tokens: s.limitTokens,
      total_tokens: s.totalTokens,
      cost_usd: s.costUsd,
      share: s.limitTokens / limit.tokens,
    };
  });

  const span = activeBlock(store, now) ?? store.blocks.latest() ?? null;
  const current = span ? currentBlock(store, span, now, limit.tokens, picture.serverResetAt) : null;

  // The account's own limit lines: another account's weekly limit is not this one's.
  const limitMessages = store.limitMessages.since(since).filter((m) => m.account === o.account);
  const weeklyMessages = limitMessages
    .map((m) => ({ ...m, scope: limitWindow(m.scope, m.reset_at, m.ts) }))
    .filter((m) => m.scope === 'weekly' || m.scope === 'opus' || m.scope === 'sonnet')
    .map((m) => ({
      t: iso(m.ts),
      scope: m.scope,
      reset_at: isoOrNull(m.reset_at),
      text: m.text,
      session_id: m.session_id,
    }));

  const daily = dailyRows(store, since, until, now);
  const projects = projectRows(store, since, until);
  const models = modelRows(store, since, until);
  const totals = store.entries.totals(since, until);
  const sessions = sessionItems(store, since, until, o.maxSessions ?? 200);

  return {
    version: REPORT_VERSION,
    generated_at: iso(now),
    time_zone: o.timeZone ?? localZoneName(),
    window: { since: iso(since), until: iso(now), days },
    limit: { tokens: limit.tokens, source: limit.source },
    usage: figureJson(story.figure),
    recovery: recoveryJson(story.recovery),
    waiting: waitingSessions(store, o.account, now, o.cli ?? 'ccguard'),
    current_block: current,
    blocks,
    weekly: {
      // One total for the window everywhere on the page: the blocks' own sums would count the part of a
      // block that began before the window too.
      limit_tokens: totals.input + totals.output,
      total_tokens: totals.input + totals.output + totals.cache_creation + totals.cache_read,
      cost_usd: totals.cost_usd,
      first_block_before_window: blocks.length > 0 && blocks[0]!.start < iso(since),
      blocks: blocks.length,
      blocks_over_limit: blocks.filter((b) => b.share >= 1).length,
      server: serverWeekly(store, o.account),
      limit_messages: weeklyMessages,
    },
    totals: {
      entries: totals.entries,
      limit_tokens: totals.input + totals.output,
      total_tokens: totals.input + totals.output + totals.cache_creation + totals.cache_read,
      cost_usd: totals.cost_usd,
      sessions: sessions.total,
    },
    daily,
    projects,
    models,
    timeline: timeline(store, since, until, o.maxTimeline ?? 400),
    sessions,
  };
}

function currentBlock(
  store: Store,
  b: BlockSpan,
  now: number,
  limitTokens: number,
  serverResetAt: number | null,
): CurrentBlock {
  const summary = summarizeBlock(store, b, now);
  // One reset time everywhere: the server's, when it named one for the block now running.
  const s =
    summary.isActive && serverResetAt !== null
      ? { ...summary, resetAt: serverResetAt, resetSource: 'server' as const }
      : summary;
  const startMs = b.start;
  const series: Point[] = [{ t: iso(startMs), tokens: 0 }];
  const rows = store.entries.perMinute(b.start, b.end);
  let cum = 0;
  for (const r of rows) {
    cum += r.tokens;
    series.push({ t: iso(r.last_ts), tokens: cum });
  }
  const lastT = Date.parse(series.at(-1)!.t);
  if (s.isActive && now > lastT) series.push({ t: iso(now), tokens: cum });

  const at = (ms: number): number => {
    let v = 0;
    for (const p of series) {
      if (Date.parse(p.t) <= ms) v = p.tokens;
      else break;
    }
    return v;
  };

  const events = store.events
    .actedBetween(b.start, b.end)
    .filter((e) => (MARKER_KINDS as readonly string[]).includes(e.decision));
  const byKey = new Map<string, Marker>();
  for (const e of events) {
    const kind = e.decision as MarkerKind;
    const key = `${kind}:${Math.floor(e.ts / MINUTE_MS)}`;
    const m = byKey.get(key);
    if (m) {
      m.count++;
      if (e.session_id && !m.sessions.includes(e.session_id)) m.sessions.push(e.session_id);
    } else {
      byKey.set(key, {
        t: iso(e.ts),
        kind,
        count: 1,
        tokens: at(e.ts),
        sessions: e.session_id ? [e.session_id] : [],
        reason: e.reason,
      });
    }
  }
  const markers = [...byKey.values()].sort((x, y) => Date.parse(x.t) - Date.parse(y.t));

  const bands: Band[] = store.recovery
    .all()
    .filter(
      (r) => (r.kind === 'pause' || r.kind === 'backoff') && r.until !== null && r.until > b.start && r.since < b.end,
    )
    .map((r) => ({
      from: iso(Math.max(r.since, b.start)),
      to: iso(Math.min(r.until!, b.end)),
      kind: r.kind as 'pause' | 'backoff',
      reason: r.reason,
    }));

  const projection = s.projection
    ? {
        limit_tokens: s.projection.limitTokens,
        share: s.projection.limitTokens / limitTokens,
        cost_usd: s.projection.costUsd,
      }
    : null;
  return {
    start: iso(s.start),
    end: iso(s.end),
    reset_at: iso(s.resetAt),
    reset_source: s.resetSource,
    is_active: s.isActive,
    entries: s.entries,
    limit_tokens: s.limitTokens,
    total_tokens: s.totalTokens,
    cost_usd: s.costUsd,
    used_share: s.limitTokens / limitTokens,
    projection,
    series,
    pace: [
      { t: iso(startMs), tokens: 0 },
      { t: iso(s.resetAt), tokens: limitTokens },
    ],
    projection_line:
      s.isActive && projection && now < b.end
        ? [
            { t: iso(now), tokens: s.limitTokens },
            { t: iso(s.end), tokens: projection.limit_tokens },
          ]
        : null,
    markers,
    bands,
  };
}

/** The latest 7-day reading (the status line's or the usage endpoint's). */
function serverWeekly(store: Store, account: string): FullReport['weekly']['server'] {
  const r = store.rateLimits.latest(account, 'seven_day');
  return r ? { used_pct: r.used_pct, resets_at: isoOrNull(r.resets_at), seen_at: iso(r.last_seen) } : null;
}

function dailyRows(store: Store, since: number, until: number, now: number): DayRow[] {
  const days = localDaySpans(since, until).filter((d) => d.start <= now);
  return store.entries.daily(days).map((r) => ({
    date: r.date,
    entries: r.entries,
    limit_tokens: r.input + r.output,
    total_tokens: r.input + r.output + r.cache_creation + r.cache_read,
    cost_usd: r.cost_usd,
  }));
}

function projectRows(store: Store, since: number, until: number): ProjectRow[] {
  return store.entries.byProject(since, until);
}

function modelRows(store: Store, since: number, until: number): ModelRow[] {
  const rows = store.entries.byModel(since, until);
  const total = rows.reduce((a, r) => a + r.cost_usd, 0);
  return rows.map((r) => ({ ...r, cost_share: total > 0 ? r.cost_usd / total : 0 }));
}

function sessionItems(store: Store, since: number, until: number, max: number): FullReport['sessions'] {
  const decisions = new Map<string, Record<string, number>>();
  for (const r of store.events.decisionCounts(since, until)) {
    const d = decisions.get(r.session_id) ?? {};
    d[r.decision] = r.n;
    decisions.set(r.session_id, d);
  }
  const all = sessionsReport(store, { since, until }).sort(
    (a, b) =>
      Date.parse(b.last_activity_at) - Date.parse(a.last_activity_at) || a.session_id.localeCompare(b.session_id),
  );
  const items = all.slice(0, max).map((s) => ({
    session_id: s.session_id,
    project: s.project,
    started_at: s.started_at,
    last_activity_at: s.last_activity_at,
    duration_ms: Date.parse(s.last_activity_at) - Date.parse(s.started_at),
    entries: s.entries,
    limit_tokens: s.tokens.input + s.tokens.output,
    total_tokens: s.total_tokens,
    cost_usd: s.cost_usd,
    models: s.models,
    decisions: decisions.get(s.session_id) ?? {},
  }));
  return { items, total: all.length, truncated: all.length > items.length };
}

const EVENT_KINDS: ReadonlySet<string> = new Set([
  'warn',
  'delay',
  'deny',
  'defer',
  'limit_stop',
  'notify',
  'pause',
  'resume',
  'alert',
  'error',
]);

function timeline(store: Store, since: number, until: number, max: number): FullReport['timeline'] {
  const items: TimelineItem[] = [];
  const events = store.events.actedBetween(since, until);
  const pauseEventTs = new Set<number>();
  for (const e of events) {
    if (e.decision === 'pause') pauseEventTs.add(e.ts);
    const slept = e.decision === 'delay' && e.sleep_ms > 0 ? `slept ${(e.sleep_ms / 1000).toFixed(1)} s` : '';
    const text = [slept, (e.reason ?? '').replace(/^ccguard: /, '')].filter(Boolean).join(' · ');
    items.push({
      t: iso(e.ts),
      kind: EVENT_KINDS.has(e.decision) ? (e.decision as TimelineKind) : 'other',
      session_id: e.session_id,
      origin: e.hook,
      tool: e.tool,
      text: text || e.decision,
      until: null,
    });
  }
  for (const a of store.apiErrors.since(since)) {
    if (a.ts >= until) continue;
    items.push({
      t: iso(a.ts),
      kind: isRateLimit(a.kind, a.status) ? 'rate_limit' : 'api_error',
      session_id: a.session_id,
      origin: 'transcript',
      tool: null,
      text: `${a.status !== null ? `API ${a.status} ` : ''}${a.kind}${a.message ? `: ${a.message.slice(0, 200)}` : ''}`,
      until: null,
    });
  }
  for (const m of store.limitMessages.since(since)) {
    if (m.ts >= until) continue;
    items.push({
      t: iso(m.ts),
      kind: 'limit_message',
      session_id: m.session_id,
      origin: 'transcript',
      tool: null,
      text: `${limitWindow(m.scope, m.reset_at, m.ts).replace('_', '-')} limit: ${m.text.slice(0, 200)}`,
      until: isoOrNull(m.reset_at),
    });
  }
  for (const r of store.recovery.all()) {
    if ((r.kind !== 'pause' && r.kind !== 'backoff') || r.since < since || r.since >= until) continue;
    if (r.kind === 'pause' && pauseEventTs.has(r.since)) continue; // `ccguard pause` already logged it
    items.push({
      t: iso(r.since),
      kind: r.kind,
      session_id: r.session_id,
      origin: 'recovery',
      tool: null,
      text: `${r.kind === 'backoff' ? `backoff level ${r.level}` : 'pause'}${r.reason ? `: ${r.reason}` : ''}`,
      until: isoOrNull(r.until),
    });
  }
  items.sort((a, b) => Date.parse(b.t) - Date.parse(a.t));
  return { items: items.slice(0, max), total: items.length, truncated: items.length > max };
}
