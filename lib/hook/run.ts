import { crypto } from '../util/builtins.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { ConfigProblem } from '../config/load.ts';
import { fallbackText, loadConfigCached } from '../config/cached.ts';
import { NoSqliteError } from '../store/driver.ts';
import { ownCliLater } from '../config/root.ts';
import { openStore, type Store } from '../store/store.ts';
import { isCorruption, quarantine } from '../store/corruption.ts';
import { catchUp } from '../app/context.ts';
import { localDayKey, localTimeZone } from '../util/time.ts';
import { verdictFor } from '../policy/evaluate.ts';
import { forUnattended, isUnattended } from '../policy/unattended.ts';
import { recordLimitStop } from '../app/unattended.ts';
import type { HookEvent, Notice, PolicyInput, Verdict } from '../policy/types.ts';
import {
  backoffView,
  endedPauses,
  housekeeping,
  forcedDegrade,
  liftsOf,
  pauseView,
  recordApiFailure,
  sessionClockFrom,
  startSessionPause,
  syncRecovery,
} from '../app/recovery.ts';
import { fmtAt } from '../util/format.ts';
import { parseHookInput, type HookInput } from './input.ts';
import { decisionEvent, noticeEvent, renderOutput } from './output.ts';
import { Logger, bootstrapLogger, configuredLogger } from '../util/log.ts';
import { logFilePath, resolvePaths, type Env } from '../util/paths.ts';
import { oneLine } from '../util/errors.ts';
import { ensurePrivateDir } from '../util/fsPrivate.ts';
import { configMtime, removeLease, writeLease } from './fast.ts';
import { readGeneration, readPublishedReadings } from '../store/generation.ts';
import { grantLease } from './lease.ts';
import { ingestJournal } from './journal.ts';
import { usagePicture, type UsagePicture } from '../usage/sources.ts';
import { startUsageApiRefresh } from '../usage/usageApiTrigger.ts';
import { flushInputs, publishLatestReadings } from '../store/store.ts';
import { accountLabel, type Account } from '../util/account.ts';
import { adoptLegacy, sessionAccount } from '../app/accounts.ts';

export interface HookDeps {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  notify: (n: { title: string; message: string; logFile: string }) => void;
}

export interface HookResult {
  stdout: string;
  exitCode: number;
  sleepMs: number;
}

const ALLOW: HookResult = { stdout: '', exitCode: 0, sleepMs: 0 };

/**
 * One hook call from stdin to answer. Any failure inside ccguard fails open (allow, log, one
 * notification) unless the user chose `fail_mode: closed`.
 */
export async function runHook(event: HookEvent, stdin: string, env: Env, deps: HookDeps): Promise<HookResult> {
  if (env.CCGUARD_DISABLE === '1') return ALLOW;
  const started = performance.now();
  const paths = resolvePaths(env);
  let log = bootstrapLogger(paths.logFile);
  let config: Config | undefined;
  let store: Store | undefined;
  try {
    const loaded = await loadConfigCached(paths.userConfigFile, paths.stateDir);
    config = loaded.config;
    const input = parseHookInput(stdin);
    log = configuredLogger(paths.stateDir, config.logging);
    // A broken config.yaml never switches enforcement off: the last valid configuration (or the
    // defaults) goes on, and the user hears of it once, by name of file, key and value.
    if (loaded.problem)
      reportConfigProblemOnce(paths.stateDir, logFilePath(paths.stateDir, config.logging), loaded.problem, log, deps);
    const onQuarantine = (dest: string): void =>
      log.error(`state.db was damaged: moved to ${dest}; rebuilding from the transcripts`);
    store = openStore(paths.dbFile, { now: deps.now(), onQuarantine });
    try {
      return await decide(event, input, env, deps, { config, store, log, paths, started });
    } catch (err) {
      // Damage found mid-work (a page truncated away, say): set the file aside and decide once more.
      if (!isCorruption(err)) throw err;
      const found = store.identity;
      store.close();
      store = undefined;
      // Another hook may have met the same damage and moved the file first: its fresh one stays.
      const dest = quarantine(paths.dbFile, deps.now(), found);
      if (dest) onQuarantine(dest);
      store = openStore(paths.dbFile, { now: deps.now(), onQuarantine });
      return await decide(event, input, env, deps, { config, store, log, paths, started });
    }
  } catch (err) {
    const line = oneLine(err);
    const said = `${event} hook failed, ${config?.fail_mode === 'closed' ? 'failing closed' : 'failing open'}: ${line}`;
    // With no log to write to (an unwritable state directory), the one line goes to stderr instead:
    // Claude Code keeps a hook's stderr in its debug log, and `ccguard doctor` says the rest.
    log.error(said);
    if (log.failed) process.stderr.write(`ccguard: ${said}\n`);
    // No SQLite in this Node is said in full: the cause and the command that fixes it.
    notifyErrorOnce(
      paths.stateDir,
      config ? logFilePath(paths.stateDir, config.logging) : paths.logFile,
      line,
      deps,
      err instanceof NoSqliteError ? 600 : 200,
    );
    if (config?.fail_mode === 'closed' && (event === 'PreToolUse' || event === 'UserPromptSubmit')) {
      const v: Verdict = {
        action: 'deny',
        sleepMs: 0,
        state: 'normal',
        reason: `ccguard failed and fail_mode is closed: ${line}`,
        userMessage: null,
        modelContext: null,
        onceKey: null,
        startPause: null,
        notice: null,
      };
      return { stdout: renderOutput(event, v, false), exitCode: 0, sleepMs: 0 };
    }
    return ALLOW;
  } finally {
    try {
      store?.close();
    } catch {
      // closing a broken handle is not worth failing over
    }
  }
}

/** One log line and one notification per distinct config problem, however many hooks run. */
function reportConfigProblemOnce(
  stateDir: string,
  logFile: string,
  p: ConfigProblem,
  log: Logger,
  deps: HookDeps,
): void {
  try {
    const marker = join(
      stateDir,
      `.config-problem-${crypto().createHash('sha1').update(p.message).digest('hex').slice(0, 12)}`,
    );
    if (existsSync(marker)) return;
    writeFileSync(marker, p.message + '\n', { mode: 0o600 });
    log.error(`${p.message}; ${fallbackText(p)} until it is fixed`);
    deps.notify({
      title: 'ccguard: config error',
      message: `${p.message.slice(0, 160)}; ${fallbackText(p)}.`,
      logFile,
    });
  } catch {
    // an unwritable state directory: status and doctor still say it
  }
}

/** One notification per distinct error per day, even when the database itself is what broke. */
function notifyErrorOnce(stateDir: string, logFile: string, line: string, deps: HookDeps, max: number): void {
  try {
    ensurePrivateDir(stateDir);
    const day = localDayKey(deps.now());
    const marker = join(
      stateDir,
      `.error-${crypto()
        .createHash('sha1')
        .update(line.replace(/\([^)]*\)/g, '').replace(/\d+/g, '#'))
        .digest('hex')
        .slice(0, 12)}-${day}`,
    );
    if (existsSync(marker)) return;
    writeFileSync(marker, line + '\n', { mode: 0o600 });
    deps.notify({ title: 'ccguard: hook error (allowing)', message: line.slice(0, max), logFile });
  } catch {
    // unwritable state directory: the log line is all there is
  }
}

interface Ctx {
  /** The session's account: the hook runs in its session's environment. */
  account: Account;
  config: Config;
  store: Store;
  log: Logger;
  paths: ReturnType<typeof resolvePaths>;
  started: number;
}

/**
 * The full check, as a sequence of steps: bring the state up to date, gather what the decision rests
 * on, decide, apply and record it, lease the next calls when nothing would change, then answer.
 */
async function decide(
  event: HookEvent,
  input: HookInput,
  env: Env,
  deps: HookDeps,
  base: Omit<Ctx, 'account'>,
): Promise<HookResult> {
  const now = deps.now();
  // Before the catch-up: the session's transcript rows are filed under its account as they come in.
  const c: Ctx = { ...base, account: sessionAccount(base.store, env, input.session_id, now) };
  adoptLegacy(c.store, c.account, env);
  // Read before anything else: a change made while this runs must void the lease granted at the end.
  const before = leaseInputs(c);
  await catchUpFor(c, env, deps, input);
  ingestJournal(c.paths.stateDir, c.store, now);
  const notices = recoveryNotices(c, event, input, now);
  const picture = usageNow(c, env, now);
  const pi = policyInput(c, env, event, input, picture, now);
  const unattended = c.config.recovery.unattended === 'defer' && isUnattended(env);
  const v = forUnattended(verdictFor(pi), event, unattended, now, c.config.recovery.max_sleep_seconds * 1000);
  const show = applyVerdict(c, input.session_id, v, notices, now);
  const sendable = claimNotices(c, notices, now);
  recordRun(c, event, input, pi, v, show, sendable, now, env.CCGUARD_RUN_ID ?? null);
  if (isUnattended(env) && (event === 'StopFailure' || event === 'SessionEnd'))
    recordLimitStop(c.store, c.config, c.account.key, event, input, now, env.CCGUARD_RUN_ID ?? null);
  const logFile = logFilePath(c.paths.stateDir, c.config.logging);
  for (const n of sendable) deps.notify({ title: n.title, message: n.message, logFile });
  if (v.action !== 'allow') c.log.info(`${event} ${input.tool_name ?? ''} ${v.action}: ${v.reason ?? ''}`.trim());
  leaseNextCalls(c, env, input, pi, picture.serverResetAt, before);
  if (v.action === 'delay' && v.sleepMs > 0) await deps.sleep(v.sleepMs);
  return { stdout: renderOutput(event, v, show), exitCode: 0, sleepMs: v.action === 'delay' ? v.sleepMs : 0 };
}

/** The transcripts a hook brings up to date: its own (with its subagents), and every hot one. */
async function catchUpFor(c: Ctx, env: Env, deps: HookDeps, input: HookInput): Promise<void> {
  await catchUp(
    { env, paths: c.paths, config: c.config, store: c.store, now: deps.now, timeZone: localTimeZone(env) },
    input.transcript_path ? [input.transcript_path] : [],
  );
}

/** What changed in the shared recovery state since the last look, as notices (sent once each). */
function recoveryNotices(c: Ctx, event: HookEvent, input: HookInput, now: number): Notice[] {
  const { store, config } = c;
  const notices: Notice[] = [];
  for (const ch of syncRecovery(store, config, now)) {
    // News of another account is told as that account's: its sessions are the ones held.
    const whose = ch.account === c.account.key ? '' : ` (${accountLabel(ch.account)})`;
    notices.push(
      ch.kind === 'backoff'
        ? backoffNotice(ch.level, ch.until, whose, now)
        : ch.scope === 'opus' || ch.scope === 'sonnet'
          ? {
              key: `limitline:${ch.account}:${ch.scope}:${ch.until}`,
              title: 'ccguard: model limit reached',
              message: `Claude Code hit its ${ch.scope === 'opus' ? 'Opus' : 'Sonnet'} limit${whose}: sessions on it are held until ${fmtAt(ch.until, now)}; other models go on. "${ch.detail}"`,
            }
          : {
              key: `limitline:${ch.account}:${ch.until}`,
              title: 'ccguard: limit reached',
              message: `Claude Code hit its limit${whose}: tool calls held until ${fmtAt(ch.until, now)} (server: limit line). "${ch.detail}"`,
            },
    );
  }
  for (const p of endedPauses(store, now)) {
    notices.push({
      key: `pauseend:${p.key}:${p.until}`,
      title: 'ccguard: pause over',
      message: `${p.what} ended at ${fmtAt(p.until, now)}; work may go on.`,
    });
  }
  housekeeping(store, now);
  if (event === 'StopFailure' && input.error) {
    const b = recordApiFailure(store, config, c.account.key, input.error, now);
    if (b) notices.push(backoffNotice(b.level, b.until, '', now));
  }
  return notices;
}

const backoffNotice = (level: number | undefined, until: number, whose: string, now: number): Notice => ({
  key: `backoff:${until}`,
  title: 'ccguard: rate limited',
  message: `API rate limit (level ${level})${whose}; backing off until ${fmtAt(until, now)}.`,
});

/**
 * The best fresh usage figures (server, claude-monitor, own estimate). A stale claude-monitor cache
 * and an old usage-endpoint answer each get one detached refresh, never waited for.
 */
function usageNow(c: Ctx, env: Env, now: number): UsagePicture {
  const { store, config, log } = c;
  const picture = usagePicture(store, config, c.account.key, now, {
    calibrate: true,
    refresh: { env },
    onError: (what, err) => log.warn(`${what} skipped: ${oneLine(err)}`),
  });
  try {
    startUsageApiRefresh(store, config, c.account, now, env);
  } catch (e) {
    log.warn(`usage endpoint refresh skipped: ${oneLine(e)}`);
  }
  return picture;
}

function policyInput(
  c: Ctx,
  env: Env,
  event: HookEvent,
  input: HookInput,
  picture: UsagePicture,
  now: number,
): PolicyInput {
  const { store, config } = c;
  return {
    hook: event,
    tool: input.tool_name ?? null,
    sessionId: input.session_id,
    now,
    config,
    usage: picture.view,
    sessionClockFrom: sessionClockFrom(store, c.account.key, input.session_id, now),
    pause: pauseView(store, c.account.key, input.session_id, now),
    backoff: backoffView(store, config, c.account.key, now),
    forcedDegrade: forcedDegrade(store, now),
    prompt: input.prompt ?? null,
    // Only a model-family limit asks which model the session runs on.
    sessionModel:
      picture.modelHolds.length > 0 ? (store.entries.sessionModel(input.session_id) ?? input.model ?? null) : null,
    modelHolds: picture.modelHolds,
    lifts: liftsOf(store, c.account.key, now),
    cli: ownCliLater(env),
  };
}

/**
 * What the verdict changes in the shared state: a pause it starts, its once-per-crossing mark, its
 * notice. Returns whether its messages go out on this call (the mark was ours to claim).
 */
function applyVerdict(c: Ctx, session: string, v: Verdict, notices: Notice[], now: number): boolean {
  const { store } = c;
  let show = true;
  store.write(() => {
    if (v.startPause) startSessionPause(store, c.account.key, session, now, v.startPause.until, v.startPause.reason);
    if (v.onceKey) show = store.marks.claim(v.onceKey, now);
    if (v.notice) notices.push(v.notice);
  });
  return show;
}

/** The notices this process is the one to send (one per key across processes), when notifications are on. */
function claimNotices(c: Ctx, notices: readonly Notice[], now: number): Notice[] {
  const { store, config } = c;
  if (!config.recovery.notification) return [];
  return notices.filter((n) => {
    try {
      return store.write(() => store.marks.claim(`notice:${n.key}`, now));
    } catch {
      return false;
    }
  });
}

/** The run's event and one per notification sent, in one transaction. */
function recordRun(
  c: Ctx,
  event: HookEvent,
  input: HookInput,
  pi: PolicyInput,
  v: Verdict,
  show: boolean,
  sendable: readonly Notice[],
  now: number,
  runId: string | null,
): void {
  const { store, config } = c;
  const durationMs = performance.now() - c.started;
  store.write(() => {
    store.events.insert(
      decisionEvent({
        event,
        input,
        verdict: v,
        usage: pi.usage,
        show,
        now,
        durationMs,
        keepToolInput: config.privacy.store_tool_input,
        runId,
      }),
    );
    for (const n of sendable) store.events.insert(noticeEvent(event, input.session_id, v.state, n, now));
  });
}

/** What a lease must be checked against: read before the run, so a change during it voids the lease. */
interface LeaseInputs {
  gen: string;
  configMtime: number;
  seen: { five_hour: number; seven_day: number };
}

function leaseInputs(c: Ctx): LeaseInputs {
  const latest = (w: 'five_hour' | 'seven_day'): number => c.store.rateLimits.latest(c.account.key, w)?.id ?? 0;
  return {
    gen: readGeneration(c.paths.stateDir),
    configMtime: configMtime(c.paths.userConfigFile),
    seen: { five_hour: latest('five_hour'), seven_day: latest('seven_day') },
  };
}

/**
 * Whatever this run changed of the shared inputs voids every lease; when it changed nothing, the
 * session's next tool calls may be served by a lease (lib/hook/lease.ts) instead of a full check.
 */
function leaseNextCalls(
  c: Ctx,
  env: Env,
  input: HookInput,
  pi: PolicyInput,
  serverResetAt: number | null,
  before: LeaseInputs,
): void {
  // `store.write` voids the leases as each write commits; a write made some other way is flushed
  // here. Either way, or a change by another process meanwhile, moved the generation.
  flushInputs(c.store);
  if (readGeneration(c.paths.stateDir) !== before.gen) {
    removeLease(c.paths.stateDir, input.session_id);
    return;
  }
  try {
    const granted = grantLease({
      store: c.store,
      config: c.config,
      env,
      pi,
      serverResetAt,
      gen: before.gen,
      configMtime: before.configMtime,
      seen: before.seen,
      transcript: input.transcript_path ?? null,
      transcriptRoots: c.paths.transcriptRoots,
      account: c.account.key,
    });
    if (!granted) {
      // The session's old lease, if any, is void: say so at once rather than let each call find out.
      removeLease(c.paths.stateDir, input.session_id);
      return;
    }
    if (
      (granted.seen.five_hour !== 0 || granted.seen.seven_day !== 0) &&
      readPublishedReadings(c.paths.stateDir, c.account.key) === null
    ) {
      // The account's readings are in the store but not yet in fast/READINGS under its name: a state
      // from before accounts (migration 6 gives the old readings to the default account, whose leases
      // must still see them). Published under the write lock, so no recorder publishes in between.
      c.store.write(() => publishLatestReadings(c.store, c.account.key));
    }
    writeLease(c.paths.stateDir, input.session_id, granted);
  } catch (e) {
    c.log.warn(`lease skipped: ${oneLine(e)}`);
  }
}
