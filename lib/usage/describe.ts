// The usage sources in words and in the shape `ccguard status` prints: source selection (sources.ts)
// hands over values and codes, and every sentence about them is written here.
import { iso } from '../util/time.ts';
import { mayEnforce, type ProjectionBasis, type UsageConfidence, type UsageWindow } from './types.ts';
import type { LimitsFacts, MonitorState, ServerNote } from './sources.ts';
import type { UsageApiStatus } from './usageApiTrigger.ts';

/** "5-hour limit" / "weekly limit": how every message and view names a window. */
export function windowName(w: UsageWindow): string {
  return w === 'seven_day' ? 'weekly limit' : '5-hour limit';
}

/** How a projection's pace was measured, as it follows "at the pace measured". */
export function projectionBasisText(b: ProjectionBasis): string {
  switch (b.kind) {
    case 'server_readings':
      return `from the server's readings over ${b.spanMin} min`;
    case 'monitor_burn':
      return "by claude-monitor's burn rate";
    case 'local_block':
      return 'over this block';
  }
}

/** Why no server figure is in use, in plain words. */
export function serverNoteText(n: ServerNote): string {
  switch (n.kind) {
    case 'no_reading':
      return "no server reading yet: Claude Code hands the server's figures to the status line (ccguard install sets it up) in interactive sessions of claude.ai subscribers, after the first response; API-key users never get one. Until then ccguard's own figures warn but never hold anything back.";
    case 'window_reset':
      return 'the last server reading was for a window that has reset since';
    case 'too_old':
      return `the last server reading is ${Math.round(n.ageMs / 60_000)} min old: too old to act on`;
  }
}

/** claude-monitor's state in the words `ccguard status` uses. */
export function monitorStateText(s: MonitorState): string {
  switch (s.kind) {
    case 'disabled':
      return 'disabled';
    case 'not_installed':
      return 'not installed';
    case 'v3':
      return 'v3 (no JSON output: not used until upgraded to v4)';
    case 'ran':
      return s.outcome;
    case 'not_run':
      return 'not run yet';
  }
}

/** The sources as `ccguard status` shows them. */
export interface LimitsStatus {
  source: string;
  confidence: UsageConfidence;
  /** Whether this figure may delay or deny (the server's, or a limit in the config), or only warn. */
  may_hold: boolean;
  age_seconds: number | null;
  used_share: number | null;
  limit_tokens: number | null;
  reset_at: string | null;
  weekly: {
    source: string;
    confidence: UsageConfidence;
    may_hold: boolean;
    age_seconds: number | null;
    used_share: number | null;
    reset_at: string | null;
  } | null;
  server: Record<
    UsageWindow,
    {
      used_percentage: number;
      resets_at: string | null;
      seen_at: string;
      fresh: boolean;
      via: 'statusline' | 'usage_api';
    } | null
  >;
  /** Why no server figure is in use, in words, when none is. */
  server_note: string | null;
  /** The usage endpoint's state (limits.usage_api). */
  usage_api: UsageApiStatus;
  calibrated: { limit_tokens: number; samples: number; updated_at: string } | null;
  /** At the last server reading: ccguard's own estimate of the same window against the server's figure. */
  last_error: {
    at: string;
    server_percentage: number;
    local_percentage: number;
    difference_points: number;
    local_limit_source: string;
  } | null;
  claude_monitor: {
    enabled: 'auto' | 'true' | 'false';
    state: string;
    detail: string | null;
    last_run_at: string | null;
    snapshot_at: string | null;
    state_file: string | null;
  };
}

const secs = (ms: number | null | undefined): number | null =>
  ms === null || ms === undefined ? null : Math.round(ms / 1000);

/** The facts in the shape (and key order) `ccguard status --json` prints. */
export function limitsStatus(f: LimitsFacts): LimitsStatus {
  const { view } = f;
  const server = (w: UsageWindow): LimitsStatus['server'][UsageWindow] => {
    const s = f.server[w];
    if (!s) return null;
    const r = s.row;
    return {
      used_percentage: r.used_pct,
      resets_at: r.resets_at === null ? null : iso(r.resets_at),
      seen_at: iso(r.last_seen),
      fresh: s.fresh,
      via: r.source,
    };
  };
  const w = view.weekly ?? null;
  const cal = f.calibrated;
  const err = f.lastError;
  const m = f.monitor;
  return {
    source: view.source,
    confidence: view.confidence,
    may_hold: mayEnforce(view.confidence),
    age_seconds: secs(view.ageMs),
    used_share: view.share,
    limit_tokens: view.limitTokens,
    reset_at: view.resetAt === null ? null : iso(view.resetAt),
    weekly: w
      ? {
          source: w.source,
          confidence: w.confidence,
          may_hold: mayEnforce(w.confidence),
          age_seconds: secs(w.ageMs),
          used_share: w.share,
          reset_at: w.resetAt === null ? null : iso(w.resetAt),
        }
      : null,
    server: { five_hour: server('five_hour'), seven_day: server('seven_day') },
    server_note: f.serverNote ? serverNoteText(f.serverNote) : null,
    usage_api: f.usageApi,
    calibrated: cal ? { limit_tokens: cal.limitTokens, samples: cal.samples, updated_at: iso(cal.updatedAt) } : null,
    last_error: err
      ? {
          at: iso(err.at),
          server_percentage: err.serverPct,
          local_percentage: Math.round(err.localPct * 10) / 10,
          difference_points: Math.round((err.localPct - err.serverPct) * 10) / 10,
          local_limit_source: err.localSource,
        }
      : null,
    claude_monitor: {
      enabled: m.enabled === 'auto' ? 'auto' : m.enabled ? 'true' : 'false',
      state: monitorStateText(m.state),
      detail: 'detail' in m.state ? m.state.detail : null,
      last_run_at: m.lastRunAt === null ? null : iso(m.lastRunAt),
      snapshot_at: m.snapshotAt ? iso(m.snapshotAt) : null,
      state_file: m.stateFile,
    },
  };
}
