// Leases: how the full check lets the next tool calls of a session go ahead without it.
//
// The rules (ARCHITECTURE.md carries a copy):
// 1. Only a silent allow is leased: a full check whose decision for a tool call (any tool but those
//    `never_gate` lets through anyway) is allow, with no sleep, no reason, no pause started, no
//    message or notice still to go out (each once-per-crossing mark already claimed), and not under a
//    pause, a backoff, forced or cost degradation, or a model-family hold. Whatever the full check
//    would say or do differently ends the lease before it is said, so nothing is ever skipped.
// 2. A lease bounds how far things may move before any decision could change, found by asking the
//    policy itself (lib/policy/evaluate.ts, pure) about moved inputs, never by a rule of thumb:
//    - local usage: the input + output tokens and the cost that may be added, across every transcript
//      the full check keeps an eye on (the session's own, its subagents', every one written in the
//      last six hours); the fast path adds up what was appended to them since, by message once;
//    - server readings: per window, the share a new reading may reach (with the anchored local usage
//      since it and the pace it implies, worked out from what the lease recorded); a reading of
//      another window, of a new reset time, or while the figure is not a fresh reading, ends it;
//    - the clock: `performance.fast_path_seconds` at most, and never past the next boundary: a
//      reset, the end of any pause, backoff or `ccguard resume`, a session reaching time_threshold, a
//      reading going stale or leaving the look-back its ratio or pace is learned from, the anchored
//      estimate or a claude-monitor snapshot running out;
//    - the shared generation (fast/GEN): pauses, backoff, holds, resumes, limit lines and
//      claude-monitor snapshots void every lease at once; the config file's mtime voids it on an edit.
// 3. Anything the fast path cannot see cheaply ends the lease: a sign of trouble (an API error or a
//    limit line) in the new bytes, a transcript replaced or truncated, more than 1 MB to read, a new
//    transcript (a watched folder's mtime moved), an unreadable file, a clock that jumped.
// 4. Usage in a transcript no hook watches (a session idle for six hours that wakes up, a project
//    first used since the last rescan) is counted by the next full check, as the full check's own
//    catch-up would (it rescans folders every `import.rescan_seconds`): within fast_path_seconds.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Store } from '../store/store.ts';
import type { PolicyInput, UsageView, Verdict } from '../policy/types.ts';
import type { UsageWindow } from '../usage/types.ts';
import { verdictFor } from '../policy/evaluate.ts';
import { BLOCK_MS } from '../util/blocks.ts';
import { HOUR_MS } from '../util/time.ts';
import { isSubagentFile, subagentsDirOf } from '../transcripts/discover.ts';
import { monitorSettings } from '../monitor/settings.ts';
import type { Env } from '../util/paths.ts';
import type { PriceOverrides } from '../transcripts/prices.ts';

/** How far a new server reading of one window may go (rule 2). */
export interface ReadingBound {
  resetsAt: number | null;
  /** The share (1 = the limit) the figure must stay under, local usage since the reading included. */
  ceil: number;
  /** The reading the lease was granted on. */
  pct: number;
  ratioFirstPct: number;
  ratioTokens: number;
  burnFirstPct: number | null;
  burnFirstAt: number | null;
}

/**
 * A session's lease: the full check's word that its next tool calls may go ahead untouched while
 * everything stays within these bounds (the rules above); lib/hook/fast.ts checks it on the hot path.
 */
export interface Lease {
  v: 3;
  /** The session's account (lib/util/account.ts): only its readings move the lease. */
  account: string;
  /** When it was granted, and until when it stands. */
  at: number;
  until: number;
  gen: string;
  configMtime: number;
  /** The state the full check recorded (normal, or warned with its messages already out). */
  state: string;
  /** Input + output tokens and USD that may be added across the watched transcripts; null: no bound. */
  tokens: number | null;
  cost: number | null;
  prices: PriceOverrides;
  transcript: string | null;
  /** Watched transcripts: path, bytes already counted, inode. */
  files: [string, number, number][];
  /** Folders a new transcript would appear in, with their mtimes (-1: missing). */
  dirs: [string, number][];
  /** The newest server reading id of each window when granted (0: none). */
  seen: Record<UsageWindow, number>;
  bounds: Partial<Record<UsageWindow, ReadingBound>>;
}

/** More transcripts than this to watch: no lease (each is a stat on every tool call). */
const MAX_WATCHED = 256;
const HUGE_TOKENS = 2 ** 40;
const HUGE_COST = 1e9;

export interface LeaseArgs {
  store: Store;
  config: Config;
  env: Env;
  /** The decision input of the call just decided (any hook). */
  pi: PolicyInput;
  /** The 5-hour reset the server named, when one is ahead (lib/usage/sources.ts). */
  serverResetAt: number | null;
  gen: string;
  configMtime: number;
  /** The newest reading id of each window before the usage figures were read. */
  seen: Record<UsageWindow, number>;
  transcript: string | null;
  transcriptRoots: readonly string[];
  /** The session's account: the readings published for it are the ones the lease is checked against. */
  account: string;
}

/** What of a verdict a lease must keep unchanged. */
function signature(v: Verdict): string {
  return JSON.stringify([
    v.action,
    v.sleepMs > 0,
    v.state,
    v.reason !== null,
    v.onceKey,
    v.notice?.key ?? null,
    v.startPause !== null,
  ]);
}

const isLocal = (u: UsageView): boolean => u.source.startsWith('local:');

/** Share added per local token: the anchored ratio for a reading, 1/limit for ccguard's own count. */
function perToken(u: UsageView): number {
  if (u.basis) return u.basis.perToken;
  if (isLocal(u) && u.limitTokens !== null && u.limitTokens > 0) return 1 / u.limitTokens;
  return 0;
}

/** A view after `dT` more local tokens, `dC` more cost, and optionally a new absolute share. */
function moved(u: UsageView, dT: number, dC: number, share: number | null, five: boolean): UsageView {
  const base = share ?? u.share;
  const s = base === null ? null : base + perToken(u) * dT;
  const proj =
    share !== null
      ? null
      : u.projectedShare === null || u.share === null || s === null
        ? u.projectedShare
        : u.projectedShare + (s - u.share);
  return {
    ...u,
    share: s,
    projectedShare: proj,
    usedTokens: five ? u.usedTokens + dT : u.usedTokens,
    costUsd: u.costUsd + dC,
  };
}

function probe(
  pi: PolicyInput,
  dT: number,
  dC: number,
  shares: Partial<Record<UsageWindow, number>> = {},
): PolicyInput {
  const u = pi.usage;
  const weekly = u.weekly ? moved(u.weekly, dT, dC, shares.seven_day ?? null, false) : u.weekly;
  return { ...pi, usage: { ...moved(u, dT, dC, shares.five_hour ?? null, true), weekly } };
}

/** The largest x in [lo, hi] with ok(x), given ok(lo); integers when `int`. */
function largest(lo: number, hi: number, ok: (x: number) => boolean, int: boolean): number {
  if (ok(hi)) return hi;
  for (let i = 0; i < 64 && hi - lo > (int ? 1 : Math.max(1e-9, lo * 1e-9)); i++) {
    const mid = int ? Math.floor((lo + hi) / 2) : (lo + hi) / 2;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Whether a verdict says and does nothing this call: its messages and notice already went out. */
function silent(v: Verdict, store: Store, config: Config): boolean {
  if (v.action !== 'allow' || v.sleepMs > 0 || v.reason !== null || v.startPause !== null || v.state === 'degraded')
    return false;
  if ((v.userMessage || v.modelContext) && !(v.onceKey && store.marks.has(v.onceKey))) return false;
  if (v.notice && config.recovery.notification && !store.marks.has(`notice:${v.notice.key}`)) return false;
  return true;
}

/** Until when nothing on the clock changes the decision (see the rules above). */
function clockBound(a: LeaseArgs, pi: PolicyInput, now: number): number {
  const c = a.config;
  let until = now + c.performance.fast_path_seconds * 1000;
  const at = (t: number | null | undefined): void => {
    if (t !== null && t !== undefined && t > now) until = Math.min(until, t);
  };
  if (c.recovery.time_limit === 'session_pause' && pi.sessionClockFrom !== null)
    at(pi.sessionClockFrom + c.alerts.time_threshold * HOUR_MS);
  for (const u of [pi.usage, pi.usage.weekly ?? null]) {
    if (!u) continue;
    at(u.resetAt);
    at(u.blockStart !== null && u.blockStart !== undefined ? u.blockStart + BLOCK_MS : null);
    if (u.basis) at(u.basis.firmUntil);
    if (u.source.startsWith('claude-monitor')) {
      const ms = monitorSettings(c, a.env);
      at(ms && u.ageMs !== null ? now + ms.maxAgeMs - u.ageMs : now);
    }
  }
  at(a.serverResetAt);
  for (const t of Object.values(pi.lifts ?? {})) at(t);
  // Any pause or backoff, of any session, that ends: its end is announced by the next full check.
  for (const r of a.store.recovery.all()) at(r.until);
  return until;
}

function mtimeOf(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? st.mtimeMs : -1;
}

/** The transcripts a lease watches and the folders a new one would appear in. */
function watched(a: LeaseArgs, now: number): { files: Lease['files']; dirs: Lease['dirs'] } | null {
  const rows = a.store.files
    .recent(now - (BLOCK_MS + HOUR_MS))
    .map((r) => ({ path: r.path, offset: r.offset, ino: r.ino }));
  if (a.transcript !== null && !rows.some((r) => r.path === a.transcript)) {
    const own = a.store.files.get(a.transcript);
    if (own) rows.push({ path: own.path, offset: own.offset, ino: own.ino });
    else {
      // Nothing imported from it yet (an empty transcript): every byte it gains is new.
      const st = statSync(a.transcript, { throwIfNoEntry: false });
      if (!st || !st.isFile()) return null;
      rows.push({ path: a.transcript, offset: 0, ino: st.ino });
    }
  }
  if (rows.length > MAX_WATCHED) return null;
  const dirs = new Set<string>(a.transcriptRoots);
  const files: Lease['files'] = [];
  for (const r of rows) {
    // A transcript deleted since: nothing to read, and its folder (watched below) shows one made again.
    if (mtimeOf(r.path) >= 0) files.push([r.path, r.offset, r.ino]);
    else if (r.path === a.transcript) return null;
    if (isSubagentFile(r.path)) {
      dirs.add(dirname(r.path));
      continue;
    }
    const project = dirname(r.path);
    dirs.add(project);
    // Where the session's next subagent transcript appears: its subagents folder, or the folder
    // that would gain it (the session's, or the project's, whose mtime moves when either is made).
    const sub = subagentsDirOf(r.path);
    if (mtimeOf(sub) >= 0) dirs.add(sub);
    else if (mtimeOf(dirname(sub)) >= 0) dirs.add(dirname(sub));
  }
  return { files, dirs: [...dirs].map((d) => [d, mtimeOf(d)]) };
}

/**
 * The lease a full check grants the session's next calls, or null when it must not grant one. `pi`
 * is the input the call was decided on; the lease is about a tool call, whatever hook this was.
 */
export function grantLease(a: LeaseArgs): Lease | null {
  const c = a.config;
  if (c.performance.fast_path_seconds <= 0) return null;
  // Keeping tool inputs is a full-check job: with it on, every call takes the full check.
  if (c.privacy.store_tool_input) return null;
  const pi: PolicyInput = { ...a.pi, hook: 'PreToolUse', tool: null, prompt: null };
  const now = pi.now;
  if (pi.pause || pi.backoff || pi.forcedDegrade || (pi.modelHolds?.length ?? 0) > 0) return null;
  const v0 = verdictFor(pi);
  if (!silent(v0, a.store, c)) return null;
  const sig0 = signature(v0);
  const same = (p: PolicyInput): boolean => signature(verdictFor(p)) === sig0;

  // How far local usage may move: tokens alone, cost alone, then both at once (halved until it holds).
  const views = [pi.usage, pi.usage.weekly ?? null].filter((u): u is UsageView => u !== null);
  const tokensMatter = views.some((u) => perToken(u) > 0);
  let tokens = tokensMatter ? largest(0, HUGE_TOKENS, (t) => same(probe(pi, t, 0)), true) : HUGE_TOKENS;
  let cost = largest(0, HUGE_COST, (x) => same(probe(pi, 0, x)), false);
  for (let i = 0; i < 30 && !same(probe(pi, tokens, cost)); i++) {
    tokens = Math.floor(tokens / 2);
    cost /= 2;
  }
  if (!same(probe(pi, tokens, cost))) return null;

  const until = clockBound(a, pi, now);
  if (until <= now) return null;
  const w = watched(a, now);
  if (!w) return null;

  // New server readings: a bound per window whose figure is a fresh reading; none otherwise.
  // Ids read before the figures were: a reading recorded since is new to the lease, never taken as seen.
  const seen = a.seen;
  const bounds: Lease['bounds'] = {};
  for (const u of views) {
    const b = u.basis;
    const win: UsageWindow = u.window;
    if (!b || u.confidence !== 'official' || v0.state !== 'normal' || u.share === null || b.id !== seen[win]) continue;
    const ceil = largest(u.share, 100, (s) => same(probe(pi, tokens, cost, { [win]: s })), false);
    if (ceil <= u.share) continue;
    const bound: ReadingBound = {
      resetsAt: b.resetsAt,
      // Kept strictly below the first share that changes the decision.
      ceil: ceil - 1e-9,
      pct: b.pct,
      ratioFirstPct: b.ratioFirstPct,
      ratioTokens: b.ratioTokens,
      burnFirstPct: b.burnFirstPct,
      burnFirstAt: b.burnFirstAt,
    };
    bounds[win] = bound;
  }

  return {
    v: 3,
    account: a.account,
    at: now,
    gen: a.gen,
    until,
    configMtime: a.configMtime,
    state: v0.state,
    tokens: tokens >= HUGE_TOKENS ? null : tokens,
    cost: cost >= HUGE_COST ? null : cost,
    prices: c.prices,
    transcript: a.transcript,
    files: w.files,
    dirs: w.dirs,
    seen,
    bounds,
  };
}
