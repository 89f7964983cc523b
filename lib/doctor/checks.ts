import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppContext } from '../app/context.ts';
import { SCHEMA_VERSION } from '../store/db.ts';
import { sqliteDriver } from '../store/driver.ts';
import { fallbackText } from '../config/cached.ts';
import { HOOK_EVENTS } from '../policy/types.ts';
import {
  HOOK_MARGIN_SECONDS,
  hookTimeout,
  isCcguardHookCommand,
  isCcguardStatusLineCommand,
  SLEEPING_EVENTS,
  splitOwnCommand,
} from '../settings/hookCommand.ts';
import {
  claudeHomes,
  defaultClaudeHome,
  settingsFile,
  SCOPES,
  tildify,
  userSettingsFile,
  type Scope,
} from '../settings/targets.ts';
import { readRecord, recordFiles } from '../settings/files.ts';
import { walkTranscripts } from '../transcripts/discover.ts';
import type { RateLimitRow, RateLimitWindow } from '../store/rateLimits.ts';
import { logFilePath, type Env } from '../util/paths.ts';
import { percentileOf } from './stats.ts';
import { fmtDuration, fmtMb } from '../util/format.ts';

export type Level = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  level: Level;
  detail: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

const ago = (ms: number): string => `${fmtDuration(ms, 'age')} ago`;

interface SettingsHooks {
  file: string;
  events: string[];
  broken: string[];
  /** How long Claude Code lets ccguard's hook run, per event: its `timeout`, or Claude Code's default when it has none. */
  timeouts: Map<string, { seconds: number; written: boolean }>;
  /** The file's status line is ccguard's. */
  statusLine: boolean;
  /** The file sets a status line at all (ccguard's or another). */
  setsStatusLine: boolean;
}

/** Which hook events a settings file hands to ccguard, and whether each command's files exist. */
export function scanSettings(file: string): SettingsHooks | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const out: SettingsHooks = {
    file,
    events: [],
    broken: [],
    timeouts: new Map(),
    statusLine: false,
    setsStatusLine: false,
  };
  if (typeof raw !== 'object' || raw === null) return out;
  const root = raw as Record<string, unknown>;
  const hooks = root.hooks;
  if (hooks && typeof hooks === 'object') {
    for (const [event, groups] of Object.entries(hooks as Record<string, unknown>)) {
      if (!Array.isArray(groups)) continue;
      for (const g of groups) {
        const list = (g as { hooks?: unknown })?.hooks;
        if (!Array.isArray(list)) continue;
        for (const h of list) {
          const cmd = (h as { command?: unknown })?.command;
          if (typeof cmd !== 'string' || !isCcguardHookCommand(cmd)) continue;
          out.events.push(event);
          const t = (h as { timeout?: unknown }).timeout;
          const written = typeof t === 'number' && t > 0;
          const seconds = written ? t : claudeDefaultTimeout(event);
          // An event holding ccguard's hook twice: the shorter timeout stops one of them first.
          const prev = out.timeouts.get(event);
          if (!prev || seconds < prev.seconds) out.timeouts.set(event, { seconds, written });
          const args = splitOwnCommand(cmd);
          const missing = (args ?? []).slice(0, 2).filter((p) => p.startsWith('/') && !existsSync(p));
          if (!args || missing.length > 0) out.broken.push(`${event}: ${missing.join(', ') || 'unparsable command'}`);
        }
      }
    }
  }
  const sl = root.statusLine as { command?: unknown } | undefined;
  out.setsStatusLine = sl !== undefined && sl !== null;
  out.statusLine = typeof sl?.command === 'string' && isCcguardStatusLineCommand(sl.command);
  return out;
}

/**
 * How long Claude Code lets a command hook run when its entry names no timeout (Claude Code 2.1:
 * 30 s for UserPromptSubmit, 10 minutes for the others).
 */
export function claudeDefaultTimeout(event: string): number {
  return event === 'UserPromptSubmit' ? 30 : 600;
}

export interface SettingsCheckOptions {
  /**
   * The Claude Code config folders whose user settings to check (`doctor --config-dir`); default
   * claudeHomes(env): each folder of CLAUDE_CONFIG_DIR, else ~/.claude.
   */
  configDirs?: readonly string[];
  /** ccguard's state folder: its install records name the settings files install wrote. */
  stateDir?: string;
  /** recovery.max_sleep_seconds, when the config loaded: the hooks' timeouts are checked against it. */
  maxSleepSeconds?: number;
  /** How to write a ccguard command in a fix so that it runs as printed (cliCommand). */
  cli?: (args: readonly string[]) => string;
}

/** The install command for a scope's file; project scope is not installed any more, local takes its place. */
function installArgs(scope: Scope, projectDir: string, configDir?: string, env?: Env): string[] {
  if (scope === 'user')
    return configDir === undefined || env === undefined ? ['install'] : installUserArgs([configDir], env);
  return ['install', '--scope', 'local', '--project-dir', resolve(projectDir)];
}

/** `install`, or `install --config-dir A,B` for folders other than `~/.claude`: it runs as printed in any shell. */
function installUserArgs(configDirs: readonly string[], env: Env): string[] {
  return configDirs.length === 1 && configDirs[0] === defaultClaudeHome(env)
    ? ['install']
    : ['install', '--config-dir', configDirs.join(',')];
}

/** "Claude Code started with CLAUDE_CONFIG_DIR=<dir>" or "Claude Code started without CLAUDE_CONFIG_DIR", for `~/.claude`. */
function startedWith(configDir: string, env: Env): string {
  return configDir === defaultClaudeHome(env)
    ? 'Claude Code started without CLAUDE_CONFIG_DIR'
    : `Claude Code started with CLAUDE_CONFIG_DIR=${configDir}`;
}

/**
 * Settings files that hold ccguard's hooks but that Claude Code does not read here: those install
 * wrote (its records in the state folder) and `~/.claude/settings.json`, less the files it reads.
 */
function hooksElsewhere(env: Env, stateDir: string | undefined, read: ReadonlySet<string>): string[] {
  const candidates = new Set<string>([userSettingsFile(defaultClaudeHome(env))]);
  for (const f of (stateDir === undefined ? null : recordFiles(stateDir)) ?? []) {
    const rec = readRecord(f);
    if (rec && rec.scope === 'user') candidates.add(resolve(rec.settings_path));
  }
  return [...candidates].filter((f) => !read.has(f) && (scanSettings(f)?.events.length ?? 0) > 0).sort();
}

/**
 * The timeouts of ccguard's hooks on the events that may sleep, against the longest sleep: below
 * the sleep itself Claude Code stops the hook before the sleep ends (the call goes ahead, with a hook
 * error); below the sleep and the margin, the hook's own work may tip it over.
 */
function timeoutCheck(f: SettingsHooks, maxSleep: number, install: string): Check | null {
  const short: { event: string; timeout: number; needed: number; written: boolean }[] = [];
  for (const event of SLEEPING_EVENTS) {
    const t = f.timeouts.get(event);
    const needed = hookTimeout(event, maxSleep);
    if (t && t.seconds < needed) short.push({ event, timeout: t.seconds, needed, written: t.written });
  }
  if (short.length === 0) return null;
  const stops = short.some((x) => x.timeout <= maxSleep);
  const said = short
    .map((x) => `${x.event} ${x.timeout} s${x.written ? '' : ` (none written: Claude Code's default for ${x.event})`}`)
    .join(', ');
  return {
    name: 'hooks',
    level: stops ? 'fail' : 'warn',
    detail:
      `${f.file}: hook timeout ${said} but recovery.max_sleep_seconds is ${maxSleep}: ` +
      (stops
        ? 'Claude Code stops the hook before a sleep that long ends, and lets the call (or prompt) through with a hook error'
        : `less than the sleep and ${HOOK_MARGIN_SECONDS} s for the hook's own work`),
    fix: `run \`${install}\` again: it writes ${short[0]!.needed} s`,
  };
}

export function checkSettings(
  app: Pick<AppContext, 'env'>,
  projectDir: string,
  opts: SettingsCheckOptions = {},
): Check[] {
  const cli = opts.cli ?? ((args: readonly string[]) => ['ccguard', ...args].join(' '));
  const env = app.env;
  const configDirs = (opts.configDirs ?? claudeHomes(env)).map((d) => resolve(d));
  // The user files Claude Code reads (one per config folder it may be started with), then the project's.
  const targets: { file: string; scope: Scope; configDir?: string }[] = [
    ...configDirs.map((d) => ({ file: userSettingsFile(d), scope: 'user' as const, configDir: d })),
    ...SCOPES.filter((sc) => sc !== 'user').map((sc) => ({ file: settingsFile(sc, env, projectDir), scope: sc })),
  ];
  const found: (SettingsHooks & { scope: Scope; configDir?: string })[] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    // --project-dir at HOME: the project file is the user file; count it once.
    if (seen.has(t.file) || !existsSync(t.file)) {
      seen.add(t.file);
      continue;
    }
    seen.add(t.file);
    const s = scanSettings(t.file);
    if (s === null) {
      return [
        {
          name: 'hooks',
          level: 'fail',
          detail: `${t.file} is not valid JSON`,
          fix: `fix the file, then run \`${cli(installArgs(t.scope, projectDir, t.configDir, env))}\``,
        },
      ];
    }
    if (s.events.length > 0 || s.statusLine) found.push({ ...s, ...t });
  }
  const elsewhere = hooksElsewhere(env, opts.stateDir, seen);
  const notRead =
    elsewhere.length === 0
      ? ''
      : `; ccguard's hooks are in ${elsewhere.join(', ')}, which Claude Code does not read here`;
  if (found.length === 0) {
    const first = configDirs[0]!;
    const dirNote =
      configDirs.length === 1 && first === defaultClaudeHome(env)
        ? ''
        : ` (${startedWith(first, env)} reads ${userSettingsFile(first)})`;
    return [
      {
        name: 'hooks',
        level: 'fail',
        detail: `no settings file Claude Code reads holds ccguard hooks${dirNote}${notRead}`,
        fix: `run \`${cli(installUserArgs(configDirs, env))}\` (or \`${cli(installArgs('local', projectDir))}\` for this project only)`,
      },
    ];
  }
  // Hooks in this project's own files run whatever the config folder; otherwise each folder Claude
  // Code may be started with needs them in its settings.json, or no hook runs in its sessions.
  const projectCovered = found.some((f) => f.scope !== 'user' && f.events.length > 0);
  const uncovered = projectCovered
    ? []
    : configDirs.filter((d) => !found.some((f) => f.configDir === d && f.events.length > 0));
  const checks: Check[] = uncovered.map((d) => ({
    name: 'hooks',
    level: 'fail' as const,
    detail: `${startedWith(d, env)} reads ${userSettingsFile(d)}, which holds no ccguard hooks: no hook runs in its sessions${notRead}`,
    fix: `run \`${cli(installArgs('user', projectDir, d, env))}\``,
  }));
  const all = new Set(found.flatMap((f) => f.events));
  const missing = HOOK_EVENTS.filter((e) => !all.has(e));
  for (const f of found) {
    const install = cli(installArgs(f.scope, projectDir, f.configDir, env));
    checks.push(
      f.broken.length > 0
        ? {
            name: 'hooks',
            level: 'fail',
            detail: `${f.file}: commands point at missing files (${f.broken.join('; ')})`,
            fix: `run \`${install}\` again from the package you want to use`,
          }
        : {
            name: 'hooks',
            level: 'ok',
            detail: `${f.file}: ${f.events.length} hook entries, commands resolve${f.statusLine ? '; status line installed' : ''}`,
          },
    );
    const t = opts.maxSleepSeconds === undefined ? null : timeoutCheck(f, opts.maxSleepSeconds, install);
    if (t) checks.push(t);
    if (f.scope === 'project') {
      // Written by an install from before project scope was refused: see projectScopeRefusal in the CLI.
      checks.push({
        name: 'hooks',
        level: 'warn',
        detail:
          `${f.file} is the settings file a team commits, and ccguard's entries in it name this machine's node and ccguard's folder: ` +
          'a teammate without them gets a failing hook on every tool call',
        fix: `move them to local scope: \`${cli(['uninstall', '--scope', 'project', '--project-dir', resolve(projectDir)])}\`, then \`${install}\``,
      });
    }
  }
  if (missing.length > 0) {
    // Typically an install made before ccguard handled these events (Notification came later): the
    // hooks that are there work, the missing ones are simply not called.
    checks.push({
      name: 'hooks',
      level: 'warn',
      detail: `events without a ccguard hook: ${missing.join(', ')} (an install made before ccguard handled ${missing.length === 1 ? 'it' : 'them'}; the other hooks work)`,
      fix: `re-run \`${cli(installArgs(found[0]!.scope, projectDir, found[0]!.configDir, env))}\` to add them`,
    });
  }
  return checks;
}

export function checkDatabase(app: AppContext): Check {
  const { integrity: ok, schemaVersion: version } = app.store.health();
  const size = statSync(app.paths.dbFile).size;
  const mode = statSync(app.paths.dbFile).mode & 0o777;
  const dirMode = statSync(app.paths.stateDir).mode & 0o777;
  const driver = sqliteDriver();
  const detail = `${app.paths.dbFile}: ${fmtMb(size)}, schema ${version}/${SCHEMA_VERSION}, integrity ${String(ok)}, mode ${mode.toString(8)} in a ${dirMode.toString(8)} folder; SQLite through ${driver.name}: ${driver.why}`;
  if (ok !== 'ok')
    return {
      name: 'database',
      level: 'fail',
      detail,
      fix: 'delete state.db: the next hook rebuilds it from the transcripts',
    };
  if ((mode & 0o077) !== 0 || (dirMode & 0o077) !== 0) {
    return {
      name: 'database',
      level: 'warn',
      detail,
      fix: `chmod 700 ${app.paths.stateDir} && chmod 600 ${app.paths.stateDir}/*`,
    };
  }
  return { name: 'database', level: 'ok', detail };
}

export function checkConfig(
  app: AppContext,
  cli: (args: readonly string[]) => string = (a) => ['ccguard', ...a].join(' '),
): Check {
  const p = app.loaded.problem;
  if (p) {
    return {
      name: 'config',
      level: 'fail',
      detail: `${p.message}; ${fallbackText(p)} meanwhile (mode ${app.config.mode}, plan ${app.config.plan})`,
      fix: `correct that key, then run \`${cli(['doctor'])}\` again`,
    };
  }
  return {
    name: 'config',
    level: 'ok',
    detail: `valid; from ${app.loaded.sources.join(' + ') || 'the defaults'}; mode ${app.config.mode}, plan ${app.config.plan}`,
  };
}

export function checkTranscripts(app: Pick<AppContext, 'paths'>): Check {
  const roots = app.paths.transcriptRoots.filter((r) => existsSync(r));
  if (roots.length === 0) {
    return {
      name: 'transcripts',
      level: 'warn',
      detail: `none of ${app.paths.transcriptRoots.join(', ')} exists yet`,
      fix: 'run Claude Code once; set CLAUDE_CONFIG_DIR if it keeps its files elsewhere',
    };
  }
  const files = walkTranscripts(roots);
  const bytes = files.reduce((a, f) => a + f.stat.size, 0);
  return {
    name: 'transcripts',
    level: 'ok',
    detail: `${files.length} files, ${fmtMb(bytes)} under ${roots.join(', ')}`,
  };
}

export function checkImport(
  app: AppContext,
  cli: (args: readonly string[]) => string = (a) => ['ccguard', ...a].join(' '),
): Check {
  const now = app.now();
  const scan = app.store.meta.getNumber('last_scan_at');
  const full = app.store.meta.getNumber('last_full_import_at');
  const t = app.store.files.totals();
  if (scan === undefined)
    return { name: 'import', level: 'warn', detail: 'nothing imported yet', fix: `run \`${cli(['import'])}\`` };
  return {
    name: 'import',
    level: full === undefined ? 'warn' : 'ok',
    detail: `${t.files} files read (${fmtMb(t.bytes)}, ${t.badLines} malformed lines skipped); last scan ${ago(now - scan)}; last full import ${full === undefined ? 'never' : ago(now - full)}`,
    ...(full === undefined
      ? { fix: `run \`${cli(['import'])}\` once to read history older than the first window` }
      : {}),
  };
}

export function checkHookLatency(app: AppContext): Check[] {
  const out: Check[] = [];
  const anyRan = app.store.events.anyFromHooks();
  if (!anyRan) {
    return [
      {
        name: 'hook runs',
        level: 'warn',
        detail: 'no hook has run yet',
        fix: 'start a Claude Code session with the hooks installed',
      },
    ];
  }
  for (const hook of HOOK_EVENTS) {
    const last = app.store.events.lastRunAt(hook);
    const lat = app.store.events.latencies(hook);
    if (last === undefined) {
      out.push({ name: `hook ${hook}`, level: 'ok', detail: 'has not run yet' });
      continue;
    }
    out.push({
      name: `hook ${hook}`,
      level: 'ok',
      detail: `last ran ${ago(app.now() - last)}; work time median ${percentileOf(lat, 50).toFixed(1)} ms, p95 ${percentileOf(lat, 95).toFixed(1)} ms over ${lat.length} runs`,
    });
  }
  return out;
}

/** Where ccguard's status line stands in the settings Claude Code would use for a project. */
export interface StatusLinePlace {
  /**
   * `ours`: the status line Claude Code runs is ccguard's; `shadowed`: ccguard's is in a file that a
   * later one (which wins) overrides with another; `other`: only another status line; `none`: none at all.
   */
  state: 'ours' | 'shadowed' | 'other' | 'none';
  /** ccguard's file (ours, shadowed), or the other status line's (other). */
  file?: string;
  /** The file whose status line wins over ccguard's (shadowed), and its scope. */
  over?: string;
  overScope?: Scope;
}

/** Which status line Claude Code runs for `projectDir`: of user, project and local settings, the last that sets one. */
export function statusLinePlace(env: Env, projectDir: string): StatusLinePlace {
  let winner: { file: string; scope: Scope; ours: boolean } | undefined;
  let oursIn: string | undefined;
  const seen = new Set<string>();
  for (const scope of [...SCOPES].reverse()) {
    const file = settingsFile(scope, env, projectDir);
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const s = scanSettings(file);
    if (!s?.setsStatusLine) continue;
    winner ??= { file, scope, ours: s.statusLine };
    if (s.statusLine) oursIn ??= file;
  }
  if (!winner) return { state: 'none' };
  if (winner.ours) return { state: 'ours', file: winner.file };
  if (oursIn) return { state: 'shadowed', file: oursIn, over: winner.file, overScope: winner.scope };
  return { state: 'other', file: winner.file };
}

const WINDOW_LABEL: Record<RateLimitWindow, string> = { five_hour: '5-hour', seven_day: 'weekly' };

interface Reading {
  row: RateLimitRow;
  age: number;
  fresh: boolean;
  /** The window the reading describes has reset since: the figure no longer applies. */
  reset: boolean;
}

/**
 * Whether the server's own usage figures reach ccguard: where the status line stands (the only
 * carrier of them for claude.ai subscribers), the newest reading of each window, and when none is
 * usable, why in plain words. A warning at most: ccguard works from its own estimate without them.
 */
export function checkServerFigures(
  app: Pick<AppContext, 'env' | 'store' | 'config' | 'now' | 'account'>,
  projectDir: string,
  cli: (args: readonly string[]) => string = (args) => ['ccguard', ...args].join(' '),
): Check {
  const now = app.now();
  const freshMs = app.config.limits.server_fresh_seconds * 1000;
  const place = statusLinePlace(app.env, projectDir);
  const where = (f: string | undefined): string => (f ? tildify(f, app.env) : '');
  const installed = place.state === 'ours';
  const placeText =
    place.state === 'ours'
      ? `status line installed (${where(place.file)})`
      : place.state === 'shadowed'
        ? `ccguard's status line in ${where(place.file)} is overridden by the status line in ${where(place.over)}, which Claude Code runs instead`
        : place.state === 'other'
          ? `status line not installed (${where(place.file)} sets another one)`
          : 'status line not installed';
  // Over ccguard's in the user file, only a project's own file can win; ccguard's in its local file
  // (which beats both) then runs the one from the project file under it.
  const installFix =
    place.state === 'shadowed'
      ? `run \`${cli(installArgs(place.overScope ?? 'user', projectDir))}\`: ccguard's status line then runs yours there`
      : `run \`${cli(['install'])}\` (it sets up the status line and keeps yours running under it)`;

  const readings: Reading[] = [];
  for (const w of ['five_hour', 'seven_day'] as const) {
    const row = app.store.rateLimits.latest(app.account, w);
    if (!row) continue;
    const age = now - row.last_seen;
    const reset = row.resets_at !== null && row.resets_at <= now;
    readings.push({ row, age, reset, fresh: !reset && age <= freshMs && age >= -60_000 });
  }
  const describe = (r: Reading): string =>
    `${WINDOW_LABEL[r.row.window]} ${r.row.used_pct}% ${ago(Math.max(0, r.age))}${r.row.source === 'usage_api' ? ' (from the usage endpoint)' : ''}, ` +
    (r.fresh
      ? 'fresh'
      : r.reset
        ? 'its window has reset since'
        : `stale (older than ${fmtDuration(app.config.limits.server_fresh_seconds * 1000, 'span')}, limits.server_fresh_seconds)`);

  if (readings.length === 0) {
    if (installed) {
      return {
        name: 'server figures',
        level: 'ok',
        detail:
          `${placeText}; no server reading yet: the status line runs only in interactive sessions of claude.ai subscribers, ` +
          'after the first response; API-key users never get one (ccguard works from its own estimate meanwhile)',
      };
    }
    return {
      name: 'server figures',
      level: 'warn',
      detail: `${placeText}; no server reading has arrived: Claude Code hands the server's usage figures only to the status line command`,
      fix: installFix,
    };
  }
  const fresh = readings.filter((r) => r.fresh);
  const list = readings.map(describe).join('; ');
  if (fresh.length > 0) {
    // Fresh figures without ccguard's status line come from the usage endpoint, or from before it was taken out.
    const lasting = installed || fresh.every((r) => r.row.source === 'usage_api');
    return {
      name: 'server figures',
      level: lasting ? 'ok' : 'warn',
      detail: `${placeText}; ${list}`,
      ...(lasting ? {} : { fix: `${installFix}; without it these figures go stale` }),
    };
  }
  const newest = readings.reduce((a, b) => (b.age < a.age ? b : a));
  const why = installed
    ? 'the status line runs only in interactive sessions of claude.ai subscribers, so figures go stale between them (ccguard works from its own estimate meanwhile)'
    : "and none will come without ccguard's status line";
  return {
    name: 'server figures',
    level: installed ? 'ok' : 'warn',
    detail: `${placeText}; no fresh server reading, the newest is ${fmtDuration(Math.max(0, newest.age), 'age')} old: ${list}; ${why}`,
    ...(installed ? {} : { fix: installFix }),
  };
}

/** Where the desktop notifier would come from, and what the log says of recent deliveries. */
export function checkNotifier(app: AppContext, platform: NodeJS.Platform = process.platform): Check {
  const pathDirs = (app.env.PATH ?? '').split(':').filter(Boolean);
  const logFile = logFilePath(app.paths.stateDir, app.config.logging);
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-200) : [];
  const failures = log.filter(
    (l) => l.includes('desktop notification not delivered') || l.includes('notifier did not answer'),
  );
  if (!app.config.recovery.notification)
    return { name: 'notifier', level: 'ok', detail: 'notifications are off (recovery.notification: false)' };
  if (platform === 'linux') {
    const found = pathDirs.map((d) => join(d, 'notify-send')).find((p) => existsSync(p));
    if (!found) {
      return {
        name: 'notifier',
        level: 'warn',
        detail: 'notify-send not found: notifications go to the log and `ccguard events` only',
        fix: 'install libnotify-bin (Debian/Ubuntu) for desktop notifications',
      };
    }
    if (failures.length > 0)
      return { name: 'notifier', level: 'warn', detail: `${found}; recent failures: ${failures.at(-1)}` };
    return { name: 'notifier', level: 'ok', detail: found };
  }
  return failures.length > 0
    ? { name: 'notifier', level: 'warn', detail: `node-notifier; recent failures: ${failures.at(-1)}` }
    : { name: 'notifier', level: 'ok', detail: `node-notifier (${platform})` };
}
