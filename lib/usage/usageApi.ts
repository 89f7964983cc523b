// The OAuth usage endpoint (what Claude Code's /usage shows): the token read from Claude Code's own
// credentials, the request, the lenient reading of its answer, and one refresh stored for the hooks.
// Loaded only by the detached refresh process (and tests): execa and zod stay out of the hooks.
//
// The token is a secret that belongs to Claude Code: it is read, never written, refreshed or logged,
// and sent only to the configured URL (https, or http to this machine).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import type { Config } from '../config/schema.ts';
import type { RateLimitWindow } from '../store/rateLimits.ts';
import { accountOf, configDirOf } from '../util/account.ts';
import { crypto } from '../util/builtins.ts';
import type { Store } from '../store/store.ts';
import type { ScopedFigure, ScopedWindow, UsageApiAttempt, UsageApiOutcome } from '../store/usageApiState.ts';
import { oneLine } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { claudeConfigDirs, type Env } from '../util/paths.ts';
import { KEYCHAIN_TIMEOUT_MS, USAGE_API_TIMEOUT_MS } from './usageApiTrigger.ts';
import { iso } from '../util/time.ts';
import { isObj } from '../util/guards.ts';

export const ANTHROPIC_BETA = 'oauth-2025-04-20';
export const KEYCHAIN_SERVICE = 'Claude Code-credentials';
/** A 429 without a usable Retry-After waits this long. */
export const DEFAULT_RETRY_AFTER_MS = 300_000;
/** A Retry-After further out than this is taken as garbage, not as a reason to stop for days. */
export const MAX_RETRY_AFTER_MS = 6 * 3_600_000;
/**
 * The Claude Code version named in the user agent. The endpoint is Claude Code's; asking as another
 * client risks a different answer. The version the behaviour was recorded with (docs: subscriber).
 */
export const CLAUDE_CODE_UA_VERSION = '2.1.330';
/** An answer larger than this is no usage summary. */
const MAX_BODY_CHARS = 1_000_000;

// ---------------------------------------------------------------------------------------------
// The token

export interface OAuthToken {
  token: string;
  /** ms since the epoch, when the credentials say */
  expiresAt: number | null;
  scopes: string[];
  /** Where it was read: a file path or `keychain`. */
  from: string;
}

export type CredentialProblem = 'no credentials' | 'no user:profile scope' | 'expired' | 'unreadable';

export interface TokenProblem {
  error: CredentialProblem;
  /** One line for people; never holds any part of the secret. */
  reason: string;
}

/** Reads the macOS Keychain item of that service: its text, or null when there is none. */
export type RunSecurity = (service: string) => Promise<string | null>;

/**
 * The Keychain item of the account's sign-in, named as Claude Code 2.1.330 names it: the plain name for
 * the default folder, with the first 8 hex digits of the SHA-256 of the config folder appended when
 * CLAUDE_CONFIG_DIR (or CLAUDE_SECURESTORAGE_CONFIG_DIR) names one: each folder's sign-in is its own.
 */
export function keychainService(env: Env): string {
  // CLAUDE_SECURESTORAGE_CONFIG_DIR, when set, stands for the folder (empty: the plain name).
  const store = env.CLAUDE_SECURESTORAGE_CONFIG_DIR;
  const dir = store !== undefined ? store : env.CLAUDE_CONFIG_DIR ? configDirOf(env) : '';
  if (!dir) return KEYCHAIN_SERVICE;
  return `${KEYCHAIN_SERVICE}-${crypto().createHash('sha256').update(dir.normalize('NFC')).digest('hex').slice(0, 8)}`;
}

/** `security find-generic-password -s "Claude Code-credentials" -w`, as an argument list. */
export const keychainSecret: RunSecurity = async (service) => {
  const r = await execa('security', ['find-generic-password', '-s', service, '-w'], {
    reject: false,
    timeout: KEYCHAIN_TIMEOUT_MS,
    stdin: 'ignore',
    maxBuffer: 1024 * 1024,
  });
  return r.exitCode === 0 && typeof r.stdout === 'string' && r.stdout.trim().length > 0 ? r.stdout : null;
};

/**
 * The OAuth token in one credentials text (Claude Code's `.credentials.json`, or its Keychain item),
 * null when it holds none. Parse errors are not passed on: V8 quotes the text it failed on.
 */
export function tokenFromCredentials(text: string, from: string, now: number): OAuthToken | TokenProblem | null {
  let raw = text.trim();
  // `security -w` prints the item as hex when it holds bytes it does not print as they are.
  if (/^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0) raw = Buffer.from(raw, 'hex').toString('utf8').trim();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: 'unreadable', reason: `${from} is not valid JSON` };
  }
  const oauth = isObj(json) ? json.claudeAiOauth : undefined;
  if (!isObj(oauth) || typeof oauth.accessToken !== 'string' || oauth.accessToken.length === 0) return null;
  const scopes = Array.isArray(oauth.scopes)
    ? oauth.scopes.filter((s): s is string => typeof s === 'string')
    : typeof oauth.scopes === 'string'
      ? oauth.scopes.split(/\s+/).filter((s) => s.length > 0)
      : [];
  const expiresAt = typeof oauth.expiresAt === 'number' && Number.isFinite(oauth.expiresAt) ? oauth.expiresAt : null;
  // Claude Code asks only with this scope; a token made for inference alone (setup-token) lacks it.
  if (!scopes.includes('user:profile')) {
    return {
      error: 'no user:profile scope',
      reason: `the sign-in in ${from} lacks the user:profile scope the usage endpoint needs (sign in with claude, not an inference-only token)`,
    };
  }
  if (expiresAt !== null && expiresAt <= now) {
    return {
      error: 'expired',
      reason: `the sign-in token in ${from} expired at ${iso(expiresAt)}; Claude Code renews it when it next runs (ccguard never does)`,
    };
  }
  return { token: oauth.accessToken, expiresAt, scopes, from };
}

/** Where Claude Code keeps its credentials file: each CLAUDE_CONFIG_DIR entry, else ~/.claude. */
export function credentialFiles(env: Env): string[] {
  const set = env.CLAUDE_CONFIG_DIR !== undefined && env.CLAUDE_CONFIG_DIR.trim().length > 0;
  // claudeConfigDirs also lists ~/.config/claude when the variable is unset; Claude Code keeps its
  // credentials in ~/.claude only.
  const dirs = set ? claudeConfigDirs(env) : [join(env.HOME && env.HOME.length > 0 ? env.HOME : homedir(), '.claude')];
  return dirs.map((d) => join(d, '.credentials.json'));
}

/**
 * Claude Code's OAuth token: from the first credentials file that holds one, else (macOS) from the
 * Keychain. Read only: a lapsed token is reported, never refreshed (refresh tokens are single-use;
 * refreshing beside Claude Code can sign it out).
 */
export async function readOAuthToken(
  env: Env,
  platform: NodeJS.Platform,
  runSecurity: RunSecurity = keychainSecret,
  now: number = Date.now(),
): Promise<OAuthToken | TokenProblem> {
  let problem: TokenProblem | null = null;
  for (const file of credentialFiles(env)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        problem ??= {
          error: 'unreadable',
          reason: `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        };
      continue;
    }
    const t = tokenFromCredentials(text, file, now);
    if (t === null) continue;
    // A file with a token decides, usable or not: it is the sign-in Claude Code uses.
    return t;
  }
  const service = keychainService(env);
  if (platform === 'darwin') {
    let secret: string | null = null;
    try {
      secret = await runSecurity(service);
    } catch (e) {
      problem ??= { error: 'unreadable', reason: `cannot read the Keychain item "${service}" (${(e as Error).name})` };
    }
    if (secret !== null) {
      const t = tokenFromCredentials(secret, `the Keychain item "${service}"`, now);
      if (t !== null) return t;
    }
  }
  if (problem) return problem;
  const where = credentialFiles(env).join(', ') + (platform === 'darwin' ? ` or the Keychain item "${service}"` : '');
  return { error: 'no credentials', reason: `no Claude Code sign-in found in ${where}` };
}

// ---------------------------------------------------------------------------------------------
// The answer

export interface UsageReading {
  window: RateLimitWindow;
  /** percent, 0-100 (may exceed 100) */
  usedPct: number;
  /** ms since the epoch */
  resetsAt: number | null;
}

export interface UsageFigures {
  readings: UsageReading[];
  scoped: Partial<Record<ScopedWindow, ScopedFigure>>;
}

export type ParsedUsage = { ok: true; figures: UsageFigures } | { ok: false; detail: string };

/**
 * An ISO time as the endpoint writes it (microseconds: "2026-12-06T04:00:00.000000+00:00"), or Unix
 * seconds / ms; null when it is neither. Fractions beyond ms are trimmed for engines that reject them.
 */
export function parseResetTime(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? (v < 1e12 ? v * 1000 : v) : null;
  if (typeof v !== 'string' || v.trim().length === 0) return null;
  const s = v.trim();
  let t = Date.parse(s);
  if (Number.isNaN(t)) t = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? null : t;
}

// Every field may be missing, null or of another type: each falls back to null instead of failing
// the whole answer, so one changed key costs that figure only.
const pct = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number().finite().min(0))
  .nullish()
  .catch(null);
const when = z.union([z.string(), z.number()]).nullish().catch(null);
const WindowSchema = z.object({ utilization: pct, resets_at: when }).nullish().catch(null);
const LimitSchema = z
  .object({
    kind: z.string().nullish().catch(null),
    group: z.string().nullish().catch(null),
    percent: pct,
    resets_at: when,
    scope: z
      .object({
        model: z
          .object({ display_name: z.string().nullish().catch(null) })
          .nullish()
          .catch(null),
      })
      .nullish()
      .catch(null),
  })
  .nullable()
  .catch(null);
const BodySchema = z.object({
  five_hour: WindowSchema,
  seven_day: WindowSchema,
  seven_day_opus: WindowSchema,
  seven_day_sonnet: WindowSchema,
  limits: z.array(LimitSchema).nullish().catch(null),
});

const KNOWN_KEYS = [
  'five_hour',
  'seven_day',
  'seven_day_opus',
  'seven_day_sonnet',
  'seven_day_oauth_apps',
  'limits',
  'extra_usage',
];

type Figure = { usedPct: number; resetsAt: number | null };
type Slot = RateLimitWindow | ScopedWindow;

function fromWindow(w: z.infer<typeof WindowSchema>): Figure | null {
  if (!w || w.utilization === null || w.utilization === undefined) return null;
  return { usedPct: w.utilization, resetsAt: parseResetTime(w.resets_at) };
}

/** Which window a `limits` entry describes, by its kind and (weekly_scoped) its model. */
function slotOf(l: NonNullable<z.infer<typeof LimitSchema>>): Slot | null {
  const kind = (l.kind ?? '').toLowerCase();
  if (kind === 'session' || kind === 'five_hour') return 'five_hour';
  if (kind === 'weekly_all' || kind === 'weekly' || kind === 'seven_day') return 'seven_day';
  if (kind === 'weekly_scoped') {
    const model = `${l.scope?.model?.display_name ?? ''} ${l.group ?? ''}`.toLowerCase();
    if (model.includes('opus')) return 'seven_day_opus';
    if (model.includes('sonnet')) return 'seven_day_sonnet';
  }
  return null;
}

/**
 * The endpoint's answer (parsed JSON) as readings of five_hour and seven_day, plus the model-scoped
 * weekly figures. Lenient: a missing, null or odd key costs that figure only; a window absent from
 * the top-level keys is taken from the `limits` list when it has one. Only an answer that is no
 * object, or holds none of the known keys, is refused. Never throws.
 */
export function parseUsageBody(json: unknown): ParsedUsage {
  if (!isObj(json))
    return {
      ok: false,
      detail: `the answer is ${Array.isArray(json) ? 'a list' : json === null ? 'null' : typeof json}, not an object`,
    };
  if (!KNOWN_KEYS.some((k) => k in json))
    return { ok: false, detail: 'the answer has none of the usage keys (five_hour, seven_day, limits)' };
  const parsed = BodySchema.safeParse(json);
  // Every field catches its own failure, so this holds for any object; kept as the boundary's guard.
  if (!parsed.success) return { ok: false, detail: 'the answer is not the usage summary' };
  const b = parsed.data;
  const fromLimits: Partial<Record<Slot, Figure>> = {};
  for (const l of b.limits ?? []) {
    if (!l || l.percent === null || l.percent === undefined) continue;
    const slot = slotOf(l);
    if (slot && !fromLimits[slot]) fromLimits[slot] = { usedPct: l.percent, resetsAt: parseResetTime(l.resets_at) };
  }
  const pick = (slot: Slot): Figure | null => fromWindow(b[slot]) ?? fromLimits[slot] ?? null;
  const readings: UsageReading[] = [];
  for (const window of ['five_hour', 'seven_day'] as const) {
    const f = pick(window);
    if (f) readings.push({ window, ...f });
  }
  const scoped: Partial<Record<ScopedWindow, ScopedFigure>> = {};
  for (const w of ['seven_day_opus', 'seven_day_sonnet'] as const) {
    const f = pick(w);
    if (f) scoped[w] = f;
  }
  return { ok: true, figures: { readings, scoped } };
}

// ---------------------------------------------------------------------------------------------
// The request

export interface FetchOptions {
  timeoutMs: number;
  userAgentVersion: string;
  fetchImpl?: typeof fetch;
  /** For an HTTP-date Retry-After. */
  now?: number;
}

export type FetchOutcome =
  | { kind: 'ok'; status: number; figures: UsageFigures }
  | { kind: 'rate_limited'; status: number; retryAfterMs: number; detail: string }
  | { kind: 'auth'; status: number; detail: string }
  | { kind: 'http_error'; status: number; detail: string }
  | { kind: 'bad_body'; status: number; detail: string }
  | { kind: 'network_error'; detail: string }
  | { kind: 'bad_url'; detail: string };

/** Retry-After in seconds or as an HTTP date; the default when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null || header.trim().length === 0) return DEFAULT_RETRY_AFTER_MS;
  const h = header.trim();
  if (/^\d+(\.\d+)?$/.test(h)) return Math.round(Number(h) * 1000);
  const t = Date.parse(h);
  return Number.isNaN(t) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, t - now);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Why `url` must not carry the token, or null when it may. */
function refuseUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'limits.usage_api.url is not a URL';
  }
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return null;
  return `limits.usage_api.url must be https (http only to this machine): not sending the token to ${u.protocol}//${u.host}`;
}

export const SIGN_IN_LAPSED = 'sign-in lapsed; run claude to sign in again';

/** One GET of the usage endpoint, classified. Never throws. */
export async function fetchUsage(url: string, token: string, opts: FetchOptions): Promise<FetchOutcome> {
  const refused = refuseUrl(url);
  if (refused) return { kind: 'bad_url', detail: refused };
  const doFetch = opts.fetchImpl ?? fetch;
  let res: Response;
  let text: string;
  try {
    res = await doFetch(url, {
      method: 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        'anthropic-beta': ANTHROPIC_BETA,
        'user-agent': `claude-cli/${opts.userAgentVersion} (external, cli)`,
        accept: 'application/json',
      },
      // A redirect is an answer, not a place to send the token again.
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.text();
  } catch (e) {
    const name = (e as Error | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return { kind: 'network_error', detail: `no answer within ${opts.timeoutMs / 1000} s` };
    return { kind: 'network_error', detail: oneLine(e).slice(0, 300) };
  }
  const status = res.status;
  if (status === 429) {
    const ms = retryAfterMs(res.headers.get('retry-after'), opts.now ?? Date.now());
    return {
      kind: 'rate_limited',
      status,
      retryAfterMs: ms,
      detail: `HTTP 429; retry after ${Math.round(ms / 1000)} s`,
    };
  }
  if (status === 401 || status === 403) return { kind: 'auth', status, detail: `${SIGN_IN_LAPSED} (HTTP ${status})` };
  if (status < 200 || status >= 300) return { kind: 'http_error', status, detail: `HTTP ${status}` };
  if (text.length > MAX_BODY_CHARS)
    return { kind: 'bad_body', status, detail: `the answer is ${text.length} characters, not a usage summary` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'bad_body', status, detail: 'the answer is not JSON' };
  }
  const parsed = parseUsageBody(json);
  return parsed.ok
    ? { kind: 'ok', status, figures: parsed.figures }
    : { kind: 'bad_body', status, detail: parsed.detail };
}

// ---------------------------------------------------------------------------------------------
// One refresh

export interface RefreshDeps {
  now?: () => number;
  platform?: NodeJS.Platform;
  fetchImpl?: typeof fetch;
  runSecurity?: RunSecurity;
  userAgentVersion?: string;
  timeoutMs?: number;
}

const PROBLEM_OUTCOME: Record<CredentialProblem, UsageApiOutcome> = {
  'no credentials': 'no_credentials',
  'no user:profile scope': 'no_scope',
  expired: 'expired',
  unreadable: 'unreadable',
};

const pctText = (r: UsageReading): string =>
  `${r.window === 'five_hour' ? '5-hour' : 'weekly'} ${Math.round(r.usedPct * 10) / 10}%`;

/**
 * One refresh: reads the token, asks the endpoint, and stores what came: the readings into
 * rate_limits (source `usage_api`, voiding cached decisions) and the attempt into the refresh state.
 * Logs at most one line (a change of outcome; the same again only at debug). Returns the attempt
 * stored, or null when the endpoint is switched off.
 */
export async function refreshUsageApi(
  store: Store,
  config: Config,
  env: Env,
  log: Logger,
  deps: RefreshDeps = {},
): Promise<UsageApiAttempt | null> {
  const c = config.limits.usage_api;
  if (!c.enabled) return null;
  const now = deps.now ?? Date.now;
  // The account whose token is read (its config folder's): the readings and the state are its own.
  const account = accountOf(env).key;
  const state = store.usageApiOf(account);
  const before = state.attempt();
  const tok = await readOAuthToken(env, deps.platform ?? process.platform, deps.runSecurity ?? keychainSecret, now());
  let attempt: UsageApiAttempt;
  let figures: UsageFigures | null = null;
  if ('error' in tok) {
    attempt = { ts: now(), outcome: PROBLEM_OUTCOME[tok.error], detail: tok.reason, status: null, retryUntil: null };
  } else {
    const out = await fetchUsage(c.url, tok.token, {
      timeoutMs: deps.timeoutMs ?? USAGE_API_TIMEOUT_MS,
      userAgentVersion: deps.userAgentVersion ?? CLAUDE_CODE_UA_VERSION,
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      now: now(),
    });
    const t = now();
    const status = 'status' in out ? out.status : null;
    switch (out.kind) {
      case 'ok':
        figures = out.figures;
        attempt = {
          ts: t,
          outcome: 'ok',
          detail: figures.readings.length > 0 ? figures.readings.map(pctText).join(', ') : 'no window reported',
          status,
          retryUntil: null,
        };
        break;
      case 'rate_limited':
        attempt = {
          ts: t,
          outcome: 'rate_limited',
          detail: out.detail,
          status,
          retryUntil: t + Math.min(out.retryAfterMs, MAX_RETRY_AFTER_MS),
        };
        break;
      default:
        attempt = { ts: t, outcome: out.kind, detail: out.detail, status, retryUntil: null };
    }
  }
  if (figures) {
    const f = figures;
    store.write(() => {
      for (const r of f.readings) {
        store.rateLimits.record({
          window: r.window,
          used_pct: r.usedPct,
          resets_at: r.resetsAt,
          session_id: null,
          seen: attempt.ts,
          source: 'usage_api',
          account,
        });
      }
      state.recordAttempt(attempt, { ts: attempt.ts, windows: f.readings.length, scoped: f.scoped });
    });
  } else {
    state.recordAttempt(attempt);
  }
  const changed = before?.outcome !== attempt.outcome;
  const fields = { outcome: attempt.outcome, status: attempt.status };
  if (attempt.outcome === 'ok')
    log.log(changed ? 'info' : 'debug', `usage endpoint answered: ${attempt.detail ?? ''}`, fields);
  else log.log(changed ? 'warn' : 'debug', `usage endpoint: ${attempt.outcome}: ${attempt.detail ?? ''}`, fields);
  return attempt;
}

/** Any failure of the refresh itself (not of the endpoint), stored so the next try waits a TTL. */
export function recordRefreshError(store: Store, env: Env, now: number, err: unknown): void {
  store
    .usageApiOf(accountOf(env).key)
    .recordAttempt({ ts: now, outcome: 'error', detail: oneLine(err).slice(0, 300), status: null, retryUntil: null });
}
