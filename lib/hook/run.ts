import { crypto } from '../util/builtins.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { ConfigProblem } from '../config/load.ts';
import { fallbackText, loadConfigCached } from '../config/cached.ts';
import { openStore, type Store } from '../store/store.ts';
import { isCorruption, quarantine } from '../store/corruption.ts';
import { catchUp, type AppContext } from '../app/context.ts';
import { localTimeZone } from '../util/time.ts';
import { evaluate, observed } from '../policy/evaluate.ts';
import type { HookEvent, Notice, PolicyInput, Verdict } from '../policy/types.ts';
import {
  backoffView,
  endedPauses,
  housekeeping,
  forcedDegrade,
  liftedUntil,
  pauseView,
  recordApiFailure,
  sessionClockFrom,
  startSessionPause,
  syncRecovery,
} from '../app/recovery.ts';
import { fmtClock as clockText } from '../util/format.ts';
import { parseHookInput, type HookInput } from './input.ts';
import { renderOutput } from './output.ts';
import { Logger, bootstrapLogger, configuredLogger } from '../util/log.ts';
import { resolvePaths, type Env } from '../util/paths.ts';
import { oneLine } from '../util/errors.ts';
import { ensurePrivateDir } from '../util/fsPrivate.ts';
import { configMtime, writeFastEntry } from './fast.ts';
import { readGeneration } from '../store/generation.ts';
import { ingestJournal } from './journal.ts';
import { usagePicture } from '../usage/sources.ts';
import { startUsageApiRefresh } from '../usage/usageApiTrigger.ts';
import { commitInputs } from '../store/inputs.ts';
import { flushInputs } from '../store/store.ts';

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
    if (loaded.problem) reportConfigProblemOnce(paths.stateDir, paths.logFile, loaded.problem, log, deps);
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
    notifyErrorOnce(paths.stateDir, paths.logFile, line, deps);
    if (config?.fail_mode === 'closed' && (event === 'PreToolUse' || event === 'UserPromptSubmit')) {
      const v: Verdict = {
        action: 'deny', sleepMs: 0, state: 'normal', reason: `ccguard failed and fail_mode is closed: ${line}`,
        userMessage: null, modelContext: null, onceKey: null, startPause: null, notice: null,
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
function reportConfigProblemOnce(stateDir: string, logFile: string, p: ConfigProblem, log: Logger, deps: HookDeps): void {
  try {
    const marker = join(stateDir, `.config-problem-${crypto().createHash('sha1').update(p.message).digest('hex').slice(0, 12)}`);
    if (existsSync(marker)) return;
    writeFileSync(marker, p.message + '\n', { mode: 0o600 });
    log.error(`${p.message}; ${fallbackText(p)} until it is fixed`);
    deps.notify({ title: 'ccguard: config error', message: `${p.message.slice(0, 160)}; ${fallbackText(p)}.`, logFile });
  } catch {
    // an unwritable state directory: status and doctor still say it
  }
}

/** One notification per distinct error per day, even when the database itself is what broke. */
function notifyErrorOnce(stateDir: string, logFile: string, line: string, deps: HookDeps): void {
  try {
    ensurePrivateDir(stateDir);
    const day = new Date(deps.now()).toISOString().slice(0, 10);
    const marker = join(stateDir, `.error-${crypto().createHash('sha1').update(line.replace(/\([^)]*\)/g, '').replace(/\d+/g, '#')).digest('hex').slice(0, 12)}-${day}`);
    if (existsSync(marker)) return;
    writeFileSync(marker, line + '\n', { mode: 0o600 });
    deps.notify({ title: 'ccguard: hook error (allowing)', message: line.slice(0, 200), logFile });
  } catch {
    // unwritable state directory: the log line is all there is
  }
}

interface Ctx {
  config: Config;
  store: Store;
  log: Logger;
  paths: ReturnType<typeof resolvePaths>;
  started: number;
}

async function decide(event: HookEvent, input: HookInput, env: Env, deps: HookDeps, c: Ctx): Promise<HookResult> {
  const { config, store, log } = c;
  const now = deps.now();
  // Read before deciding: a pause set while this runs changes it, and our cached allow is then void.
  const gen = readGeneration(c.paths.stateDir);
  const app: AppContext = { env, paths: c.paths, loaded: { config, sources: [] }, config, store, now: deps.now, timeZone: localTimeZone(env) };
  await catchUp(app, input.transcript_path ? [input.transcript_path] : []);
  ingestJournal(c.paths.stateDir, store, now);

  const notices: Notice[] = [];
  for (const ch of syncRecovery(store, config, now)) {
    notices.push(
      ch.kind === 'backoff'
        ? { key: `backoff:${ch.until}`, title: 'ccguard: rate limited', message: `API rate limit (level ${ch.level}); backing off until ${clockText(ch.until)}.` }
        : ch.scope === 'opus' || ch.scope === 'sonnet'
          ? { key: `limitline:${ch.scope}:${ch.until}`, title: 'ccguard: model limit reached', message: `Claude Code hit its ${ch.scope === 'opus' ? 'Opus' : 'Sonnet'} limit: sessions on it are held until ${clockText(ch.until)}; other models go on. "${ch.detail}"` }
          : { key: `limitline:${ch.until}`, title: 'ccguard: limit reached', message: `Claude Code hit its limit: tool calls held until ${clockText(ch.until)} (server: limit line). "${ch.detail}"` },
    );
  }
  for (const p of endedPauses(store, now)) {
    notices.push({ key: `pauseend:${p.key}:${p.until}`, title: 'ccguard: pause over', message: `${p.what} ended at ${clockText(p.until)}; work may go on.` });
  }
  housekeeping(store, now);
  if (event === 'StopFailure' && input.error) {
    const b = recordApiFailure(store, config, input.error, now);
    if (b) notices.push({ key: `backoff:${b.until}`, title: 'ccguard: rate limited', message: `API rate limit (level ${b.level}); backing off until ${clockText(b.until)}.` });
  }

  // The best fresh source (server, claude-monitor, own estimate); a stale claude-monitor cache gets one
  // detached refresh, never waited for.
  const picture = usagePicture(store, config, now, {
    calibrate: true,
    refresh: { env },
    onError: (what, err) => log.warn(`${what} skipped: ${oneLine(err)}`),
  });
  const usage = picture.view;
  // The usage endpoint, when the user turned it on: one detached refresh when its answer is old.
  try {
    startUsageApiRefresh(store, config, now, env as NodeJS.ProcessEnv);
  } catch (e) {
    log.warn(`usage endpoint refresh skipped: ${oneLine(e)}`);
  }
  const pi: PolicyInput = {
    hook: event,
    tool: input.tool_name ?? null,
    sessionId: input.session_id,
    now,
    config,
    usage,
    sessionClockFrom: sessionClockFrom(store, input.session_id, now),
    pause: pauseView(store, input.session_id, now),
    backoff: backoffView(store, config, now),
    forcedDegrade: forcedDegrade(store, now),
    prompt: input.prompt ?? null,
    // Only a model-family limit asks which model the session runs on.
    sessionModel: picture.modelHolds.length > 0 ? (store.entries.sessionModel(input.session_id) ?? input.model ?? null) : null,
    modelHolds: picture.modelHolds,
    liftedUntil: liftedUntil(store, now),
  };
  let v = evaluate(pi);
  if (config.mode === 'observe') v = observed(v);

  let show = true;
  commitInputs(store, () => {
    if (v.startPause) startSessionPause(store, input.session_id, now, v.startPause.until, v.startPause.reason);
    if (v.onceKey) show = store.marks.claim(v.onceKey, now);
    if (v.notice) notices.push(v.notice);
  });

  const sendable = config.recovery.notification
    ? notices.filter((n) => {
        try {
          return store.db.transaction(() => store.marks.claim(`notice:${n.key}`, now)).immediate();
        } catch {
          return false;
        }
      })
    : [];

  const autoResume = event === 'Notification' && input.notification_type === 'quota_auto_resume_fired';
  const decision = autoResume
    ? 'auto_resume'
    : v.action === 'allow'
      ? (v.userMessage || v.modelContext) && show
        ? 'warn'
        : event === 'PreToolUse' || event === 'UserPromptSubmit'
          ? 'allow'
          : 'record'
      : v.action;
  const duration = performance.now() - c.started;
  store.db
    .transaction(() => {
      store.events.insert({
        ts: now,
        session_id: input.session_id,
        hook: event,
        tool: input.tool_name ?? null,
        decision,
        state: v.state,
        reason: autoResume
          ? `quota_auto_resume_fired: Claude Code continues by itself after the limit reset (${input.message ?? 'no message'})`
          : v.reason ?? (show ? v.userMessage : null),
        source: usage.weekly ? `${usage.source}+${usage.weekly.source}` : usage.source,
        sleep_ms: v.sleepMs,
        duration_ms: Math.round(duration * 100) / 100,
        detail: eventDetail(event, input, config),
      });
      for (const n of sendable) {
        store.events.insert({
          ts: now, session_id: input.session_id, hook: event, tool: null, decision: 'notify', state: v.state,
          reason: `${n.title}: ${n.message}`, source: null, sleep_ms: 0, duration_ms: null, detail: null,
        });
      }
    })
    .immediate();
  for (const n of sendable) deps.notify({ title: n.title, message: n.message, logFile: c.paths.logFile });
  if (v.action !== 'allow') log.info(`${event} ${input.tool_name ?? ''} ${v.action}: ${v.reason ?? ''}`.trim());

  // Whatever this run changed of the shared inputs voids the cached decisions; an allow is cached only
  // when nothing did (the generation read at the start still stands).
  const changed = store.inputsChanged;
  flushInputs(store);
  if (!changed) maybeCacheAllow(c, input.session_id, input.transcript_path ?? null, pi, v, gen);

  if (v.action === 'delay' && v.sleepMs > 0) await deps.sleep(v.sleepMs);
  return { stdout: renderOutput(event, v, show), exitCode: 0, sleepMs: v.action === 'delay' ? v.sleepMs : 0 };
}

/**
 * After a silent allow with wide headroom, let the next tool calls of this session skip the full
 * check for a while. Only far from every threshold: nothing can cross one within the window.
 */
function maybeCacheAllow(c: Ctx, session: string, transcript: string | null, pi: PolicyInput, v: Verdict, gen: string): void {
  const secs = c.config.performance.fast_path_seconds;
  if (secs <= 0 || v.action !== 'allow' || v.state !== 'normal' || v.userMessage || v.modelContext) return;
  // Keeping tool inputs is a full-path job: with it on, every call takes the full check.
  if (c.config.privacy.store_tool_input) return;
  if (pi.hook !== 'PreToolUse' && pi.hook !== 'PostToolUse' && pi.hook !== 'UserPromptSubmit' && pi.hook !== 'SessionStart') return;
  if (pi.pause || pi.backoff || pi.forcedDegrade || (pi.modelHolds?.length ?? 0) > 0) return;
  const a = c.config.alerts;
  const u = pi.usage;
  if (u.share !== null && u.share >= Math.min(a.token_threshold, a.rate_limit_threshold) / 2) return;
  if (u.projectedShare !== null && u.projectedShare >= 0.9) return;
  // A week moves slowly: only a weekly share close to a threshold stops the cache.
  if (u.weekly?.share != null && u.weekly.share >= Math.min(a.token_threshold, a.rate_limit_threshold) - 0.1) return;
  if (u.costUsd >= a.cost_threshold / 2 || (a.hard_cost_limit !== null && u.costUsd >= a.hard_cost_limit / 2)) return;
  let until = pi.now + secs * 1000;
  if (pi.sessionClockFrom !== null) until = Math.min(until, pi.sessionClockFrom + a.time_threshold * 3_600_000);
  if (u.resetAt !== null) until = Math.min(until, u.resetAt);
  if (pi.liftedUntil != null) until = Math.min(until, pi.liftedUntil);
  if (until <= pi.now) return;
  try {
    // The transcript as far as this check imported it: the fast path looks only at what comes after.
    const offset = transcript ? (c.store.files.get(transcript)?.offset ?? 0) : 0;
    writeFastEntry(c.paths.stateDir, session, { gen, until, config_mtime: configMtime(c.paths.userConfigFile), transcript, offset });
  } catch {
    // no cache: the next call takes the full path
  }
}

/**
 * What an event keeps beyond decision and timing. Prompts, tool inputs and outputs stay out unless the
 * user asked for tool inputs (`privacy.store_tool_input`), and then only the first 4 KB of each.
 */
function eventDetail(event: HookEvent, input: HookInput, config: Config): string | null {
  const d: Record<string, unknown> = {};
  if (event === 'StopFailure' && input.error) d.error = input.error;
  if (event === 'Notification' && input.notification_type) d.notification_type = input.notification_type;
  if (config.privacy.store_tool_input && event === 'PreToolUse' && input.tool_input !== undefined) {
    const text = JSON.stringify(input.tool_input) ?? '';
    d.tool_input = text.length > 4096 ? `${text.slice(0, 4096)}…` : text;
  }
  return Object.keys(d).length > 0 ? JSON.stringify(d) : null;
}
