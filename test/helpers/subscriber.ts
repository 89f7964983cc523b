// Makes a temporary HOME a claude.ai subscriber, so the real Claude Code CLI runs offline against the local
// mock as a Max user: it then reads the `anthropic-ratelimit-unified-*` headers, feeds the status line's
// `rate_limits`, and writes its limit line on a 429 `rejected` (/work/shared/docs/claude-code-subscriber.md).
//
//   const env = makeSubscriber({ home, cwd: project, baseUrl: api.url });
//   runClaude({ cwd: project, home, prompt, env })         // headless (ANTHROPIC_API_KEY removed)
//   startTmuxClaude({ cwd: project, env, args: [...] })     // interactive
//
// Also: unifiedHeaders() (the rate-limit headers), rejected429() (the 429 that makes Claude Code write its
// limit line) and usageBody() (the OAuth usage endpoint's answer).
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorReply } from './mockApi.ts';

export const SUBSCRIBER_TOKEN = 'sk-ant-oat01-test';
export const CLAUDE_VERSION = '2.1.330';

export interface SubscriberOptions {
  home: string;
  /** Project directory(ies) the CLI runs in: marked trusted and onboarded in ~/.claude.json. */
  cwd: string | string[];
  /** The mock Messages API (ANTHROPIC_BASE_URL). */
  baseUrl: string;
  /** Default 'max'. */
  subscriptionType?: 'max' | 'pro' | 'team' | 'enterprise';
  rateLimitTier?: string;
  /** Default ['user:inference', 'user:profile', 'user:sessions:claude_code']. */
  scopes?: string[];
  accessToken?: string;
  /** Extra environment, applied last (undefined removes a variable). */
  env?: Record<string, string | undefined>;
}

/** Writes ~/.claude/.credentials.json (0600) with a claude.ai OAuth token valid for 30 days. */
export function writeCredentials(home: string, opts: Partial<SubscriberOptions> = {}): string {
  const dir = join(home, '.claude');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '.credentials.json');
  const creds = {
    claudeAiOauth: {
      accessToken: opts.accessToken ?? SUBSCRIBER_TOKEN,
      refreshToken: 'sk-ant-ort01-test',
      expiresAt: Date.now() + 30 * 24 * 3600_000,
      scopes: opts.scopes ?? ['user:inference', 'user:profile', 'user:sessions:claude_code'],
      subscriptionType: opts.subscriptionType ?? 'max',
      rateLimitTier: opts.rateLimitTier ?? 'default_claude_max_20x',
    },
  };
  writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** Writes (or merges into) ~/.claude.json: onboarding done, each cwd trusted. */
export function writeClaudeJson(home: string, cwds: string[]): string {
  const file = join(home, '.claude.json');
  let cur: Record<string, any> = {};
  if (existsSync(file)) {
    try {
      cur = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
    } catch {
      cur = {};
    }
  }
  const projects: Record<string, unknown> = { ...(cur.projects ?? {}) };
  for (const c of cwds) {
    projects[c] = {
      ...(projects[c] as object | undefined),
      hasTrustDialogAccepted: true,
      hasCompletedProjectOnboarding: true,
      allowedTools: [],
    };
  }
  const out = {
    ...cur,
    hasCompletedOnboarding: true,
    lastOnboardingVersion: CLAUDE_VERSION,
    theme: 'dark',
    // Keep the interactive UI quiet: no tips, no release notes, no IDE/terminal set-up prompts.
    lastReleaseNotesSeen: CLAUDE_VERSION,
    shiftEnterKeyBindingInstalled: true,
    hasIdeOnboardingBeenShown: { vscode: true },
    bypassPermissionsModeAccepted: true,
    projects,
  };
  writeFileSync(file, JSON.stringify(out, null, 2));
  return file;
}

/**
 * Makes `home` a claude.ai Max subscriber and returns the environment for the CLI: ANTHROPIC_BASE_URL,
 * HOME, TZ=UTC, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1, DISABLE_TELEMETRY=1, DISABLE_AUTOUPDATER=1,
 * and ANTHROPIC_API_KEY explicitly undefined (runClaude sets 'test' by default: undefined removes it).
 */
export function makeSubscriber(opts: SubscriberOptions): Record<string, string | undefined> {
  writeCredentials(opts.home, opts);
  writeClaudeJson(opts.home, Array.isArray(opts.cwd) ? opts.cwd : [opts.cwd]);
  return {
    HOME: opts.home,
    TZ: 'UTC',
    ANTHROPIC_BASE_URL: opts.baseUrl,
    ANTHROPIC_API_KEY: undefined,
    ANTHROPIC_AUTH_TOKEN: undefined,
    CLAUDE_CODE_OAUTH_TOKEN: undefined,
    CLAUDE_CONFIG_DIR: undefined,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    ...opts.env,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Rate-limit headers

export type UnifiedStatus = 'allowed' | 'allowed_warning' | 'rejected';
export type UnifiedClaim = 'five_hour' | 'seven_day' | 'seven_day_opus' | 'seven_day_sonnet';

export interface UnifiedWindow {
  /** Fraction 0..1 (may exceed 1). */
  utilization: number;
  /** Unix seconds (a ms value is accepted and converted: anything above 1e11). */
  resetsAt: number;
  /** Optional `*-surpassed-threshold` header (fraction). */
  surpassedThreshold?: number;
}

export interface UnifiedHeadersOptions {
  fiveHour?: UnifiedWindow;
  sevenDay?: UnifiedWindow;
  /** Also sent as `7d_opus` / `7d_sonnet` windows (not read by the status line; harmless). */
  sevenDayOpus?: UnifiedWindow;
  sevenDaySonnet?: UnifiedWindow;
  status: UnifiedStatus;
  /** The representative claim; default: five_hour when fiveHour is given, else seven_day. */
  claim?: UnifiedClaim;
  /** `anthropic-ratelimit-unified-reset`; default: the claim's window reset. */
  resetsAt?: number;
}

const toSec = (t: number): number => (t > 1e11 ? Math.floor(t / 1000) : Math.floor(t));

/** Unix seconds `ms` milliseconds from now (default now). */
export function unixIn(ms: number, now = Date.now()): number {
  return Math.floor((now + ms) / 1000);
}

/** The `anthropic-ratelimit-unified-*` response headers, named and formatted as the real service sends them. */
export function unifiedHeaders(o: UnifiedHeadersOptions): Record<string, string> {
  const h: Record<string, string> = { 'anthropic-ratelimit-unified-status': o.status };
  const win = (prefix: string, w: UnifiedWindow | undefined) => {
    if (!w) return;
    h[`anthropic-ratelimit-unified-${prefix}-utilization`] = String(w.utilization);
    h[`anthropic-ratelimit-unified-${prefix}-reset`] = String(toSec(w.resetsAt));
    if (w.surpassedThreshold !== undefined)
      h[`anthropic-ratelimit-unified-${prefix}-surpassed-threshold`] = String(w.surpassedThreshold);
  };
  win('5h', o.fiveHour);
  win('7d', o.sevenDay);
  win('7d_opus', o.sevenDayOpus);
  win('7d_sonnet', o.sevenDaySonnet);
  const claim: UnifiedClaim = o.claim ?? (o.fiveHour ? 'five_hour' : 'seven_day');
  h['anthropic-ratelimit-unified-representative-claim'] = claim;
  const claimWindow =
    claim === 'five_hour'
      ? o.fiveHour
      : claim === 'seven_day'
        ? o.sevenDay
        : claim === 'seven_day_opus'
          ? (o.sevenDayOpus ?? o.sevenDay)
          : (o.sevenDaySonnet ?? o.sevenDay);
  const reset = o.resetsAt ?? claimWindow?.resetsAt;
  if (reset !== undefined) h['anthropic-ratelimit-unified-reset'] = String(toSec(reset));
  return h;
}

export interface RejectedOptions {
  claim?: UnifiedClaim;
  /** Unix seconds (or ms) of the claim's reset. */
  resetsAt: number;
  /** Other windows to report alongside (the claim's own window is filled in at utilization 1 if absent). */
  fiveHour?: UnifiedWindow;
  sevenDay?: UnifiedWindow;
  sevenDayOpus?: UnifiedWindow;
  sevenDaySonnet?: UnifiedWindow;
  message?: string;
  delayMs?: number;
}

/**
 * A 429 `rejected` answer: `{"type":"error","error":{"type":"rate_limit_error",...}}` plus the unified headers
 * with status rejected. A subscriber's Claude Code does not retry it and writes its limit line
 * (`apiError: "usage_limit_reached"`, `apiErrorParams.rate_limit_info.resetsAt`).
 */
export function rejected429(o: RejectedOptions): ErrorReply {
  const claim = o.claim ?? 'five_hour';
  const full: UnifiedWindow = { utilization: 1, resetsAt: o.resetsAt };
  const fiveHour = o.fiveHour ?? (claim === 'five_hour' ? full : undefined);
  const sevenDay = o.sevenDay ?? (claim === 'seven_day' ? full : undefined);
  const sevenDayOpus = o.sevenDayOpus ?? (claim === 'seven_day_opus' ? full : undefined);
  const sevenDaySonnet = o.sevenDaySonnet ?? (claim === 'seven_day_sonnet' ? full : undefined);
  return {
    kind: 'error',
    status: 429,
    type: 'rate_limit_error',
    message: o.message ?? "This request would exceed your account's rate limit. Please try again later.",
    headers: unifiedHeaders({
      status: 'rejected',
      claim,
      fiveHour,
      sevenDay,
      sevenDayOpus,
      sevenDaySonnet,
      resetsAt: o.resetsAt,
    }),
    ...(o.delayMs ? { delayMs: o.delayMs } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The OAuth usage endpoint (GET /api/oauth/usage)

export interface UsageWindowBody {
  /** Percent 0..100. */
  utilization: number;
  /** ms epoch or Date; written as an ISO string with microseconds and +00:00, as the service does. */
  resetsAt: number | Date;
}

const isoMicros = (t: number | Date): string => new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');

/** The endpoint's body as the client accepts it (percent numbers, ISO reset strings). */
export function usageBody(o: {
  fiveHour?: UsageWindowBody | null;
  sevenDay?: UsageWindowBody | null;
  sevenDayOpus?: UsageWindowBody | null;
  sevenDaySonnet?: UsageWindowBody | null;
}) {
  const w = (x: UsageWindowBody | null | undefined) =>
    x ? { utilization: x.utilization, resets_at: isoMicros(x.resetsAt) } : null;
  return {
    five_hour: w(o.fiveHour),
    seven_day: w(o.sevenDay),
    seven_day_oauth_apps: null,
    seven_day_opus: w(o.sevenDayOpus),
    seven_day_sonnet: w(o.sevenDaySonnet),
    extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading what Claude Code wrote

/** The limit lines (assistant lines with `apiError: "usage_limit_reached"` or a rejected rate_limit_info) of parsed transcript lines. */
export function limitLines(lines: any[]): any[] {
  return lines.filter(
    (l) =>
      l?.type === 'assistant' &&
      (l.apiError === 'usage_limit_reached' ||
        l.apiErrorParams?.rate_limit_info?.status === 'rejected' ||
        l.quotaLimits?.status === 'rejected'),
  );
}

/** The text of the last user message of a Messages API request body. */
export function lastUserText(body: any): string {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m?.role !== 'user') continue;
    const c = m.content;
    if (typeof c === 'string') return c;
    if (Array.isArray(c))
      return c
        .map((b: any) => (typeof b?.text === 'string' ? b.text : typeof b?.content === 'string' ? b.content : ''))
        .join('\n');
    return '';
  }
  return '';
}
