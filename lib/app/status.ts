import { accountLabel, kindOfKey, type AccountKind } from '../util/account.ts';
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { ConfigProblem } from '../config/load.ts';
import { activeBlock, sessionSpan, summarizeBlock } from '../usage/summary.ts';
import { blockJson, type BlockSummary } from '../usage/blockJson.ts';
import { BLOCK_MS } from '../util/blocks.ts';
import { recoveryJson, type RecoveryStatus } from './recoveryNow.ts';
import { figureJson, usageStory, type FigureJson } from './story.ts';
import type { UsageConfidence } from '../policy/types.ts';
import { limitsFacts } from '../usage/sources.ts';
import { limitsStatus, type LimitsStatus } from '../usage/describe.ts';
import { sqliteDriver, type DriverName } from '../store/driver.ts';
import { addLocalDays, iso, localDayKey, startOfLocalDay } from '../util/time.ts';
import { waitingSessions, type WaitingSession } from './unattended.ts';

export interface SessionStatus {
  session_id: string;
  project: string;
  started_at: string;
  last_activity_at: string;
  active_hours: number;
  cost_usd: number;
  tokens: number;
}

export interface Status {
  generated_at: string;
  block:
    | (BlockSummary & {
        limit: {
          tokens: number | null;
          source: string;
          used_share: number;
          projected_share: number | null;
          confidence: UsageConfidence;
        } | null;
      })
    | null;
  /**
   * The figure the hooks decide on and every view names (lib/app/story.ts): the window the recovery
   * state speaks of (the weekly one when it is the one that holds), its share, source and reset.
   */
  usage: FigureJson;
  /** Where the usage figure comes from: the source in use, the server's readings, calibration, claude-monitor. */
  limits: LimitsStatus;
  today: { date: string; cost_usd: number };
  /** `observe`: every decision is recorded and notified, none blocks or delays anything. */
  mode: Config['mode'];
  /** The user's config.yaml is broken: what is wrong, and what ccguard enforces with meanwhile. */
  config_problem: { message: string; fallback: 'last_valid' | 'defaults'; valid_at: string | null } | null;
  recovery: RecoveryStatus;
  /** The account the figures, holds and recovery are of (lib/util/account.ts). */
  account: { key: string; kind: AccountKind; label: string };
  /** With more than one account on this machine (or `--account all`): each one's figures and state. */
  accounts?: AccountStatus[];
  sessions: SessionStatus[];
  /** Unattended sessions deferred by ccguard or stopped on the usage limit, with the command that resumes each. */
  waiting: WaitingSession[];
  data: {
    files: number;
    bytes: number;
    bad_lines: number;
    last_scan_at: string | null;
    newest_entry_at: string | null;
  };
  /** Which SQLite the state database is opened with in this Node, and why that one. */
  sqlite: { driver: DriverName; why: string };
}

/** One account's line in `status`: its figure (the one its hooks decide on) and its recovery state. */
export interface AccountStatus {
  key: string;
  kind: AccountKind;
  label: string;
  source: string;
  used_share: number | null;
  reset_at: string | null;
  weekly_share: number | null;
  weekly_reset_at: string | null;
  state: RecoveryStatus['state'];
  until: string | null;
  reason: string | null;
}

/** Each account's figure and recovery state, as its own sessions meet them now. */
export function accountStatuses(
  store: Store,
  config: Config,
  accounts: readonly string[],
  now: number,
): AccountStatus[] {
  return accounts.map((key) => {
    // The same story the account's own status tells (app/story.ts).
    const story = usageStory(store, config, key, now);
    const v = story.picture.view;
    const r = recoveryJson(story.recovery);
    return {
      key,
      kind: kindOfKey(key),
      label: accountLabel(key),
      source: v.source,
      used_share: v.share,
      reset_at: v.resetAt === null ? null : iso(v.resetAt),
      weekly_share: v.weekly?.share ?? null,
      weekly_reset_at: v.weekly?.resetAt != null ? iso(v.weekly.resetAt) : null,
      state: r.state,
      until: r.until,
      reason: r.reason,
    };
  });
}

/** Everything `ccguard status` shows, from the database alone. */
export function computeStatus(
  store: Store,
  config: Config,
  account: string,
  now: number,
  problem: ConfigProblem | null = null,
  cli = 'ccguard',
): Status {
  const span = activeBlock(store, now);
  // The same figure the hooks decide on (best fresh source), with new server readings calibrated in.
  const story = usageStory(store, config, account, now, { calibrate: true });
  const picture = story.picture;
  const view = picture.view;
  let block: Status['block'] = null;
  if (span) {
    const b = summarizeBlock(store, span, now);
    // One reset time everywhere: the server's, when it named one for the 5-hour window.
    const serverReset =
      view.resetAt !== null &&
      view.resetAt > now &&
      (view.source.startsWith('server:') || picture.serverResetAt === view.resetAt);
    block = {
      ...blockJson(serverReset && view.resetAt !== null ? { ...b, resetAt: view.resetAt, resetSource: 'server' } : b),
      limit:
        view.share !== null
          ? {
              tokens: view.limitTokens,
              source: view.source,
              used_share: view.share,
              projected_share: view.projectedShare,
              confidence: view.confidence ?? 'unknown',
            }
          : null,
    };
  }
  const dayStart = startOfLocalDay(now);
  const today = store.entries.totals(dayStart, addLocalDays(dayStart, 1));
  // Sessions active within the current block window (or the last 5 hours).
  const since = span ? span.start : now - BLOCK_MS;
  const sessions = store.entries.sessions(since, now + 60_000).map((s) => {
    const all = store.entries.session(s.session_id) ?? s;
    return {
      ...sessionSpan({ ...all, project: s.project }, now),
      cost_usd: all.cost_usd,
      tokens: all.input + all.output + all.cache_creation + all.cache_read,
    };
  });
  const ft = store.files.totals();
  const lastScan = store.meta.getNumber('last_scan_at');
  const newest = store.entries.newestTs();
  return {
    generated_at: iso(now),
    block,
    today: { date: localDayKey(dayStart), cost_usd: today.cost_usd },
    mode: config.mode,
    config_problem: problem
      ? {
          message: problem.message,
          fallback: problem.fallback,
          valid_at: problem.validAt === null ? null : iso(problem.validAt),
        }
      : null,
    usage: figureJson(story.figure),
    limits: limitsStatus(limitsFacts(store, config, account, now, view)),
    recovery: recoveryJson(story.recovery),
    account: { key: account, kind: kindOfKey(account), label: accountLabel(account) },
    sessions,
    waiting: waitingSessions(store, account, now, cli),
    data: {
      files: ft.files,
      bytes: ft.bytes,
      bad_lines: ft.badLines,
      last_scan_at: lastScan === undefined ? null : iso(lastScan),
      newest_entry_at: newest === null ? null : iso(newest),
    },
    sqlite: { driver: sqliteDriver().name, why: sqliteDriver().why },
  };
}
