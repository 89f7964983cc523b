/**
 * Installs ccguard's hooks into Claude Code's .claude/settings.json (user, project or local scope),
 * and takes them out again. The editing itself is pure (edit.ts, jsonText.ts); this file reads
 * and writes the files, keeps the backups (in the state directory, the newest few per file) and the
 * install record, and copies the package out of npx's cache when that is where it runs from.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hasCcguard, installInto, statusLineOf, uninstallFrom, userStatusLine, type InstallOutcome } from './edit.ts';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import {
  copyApp,
  moveLegacyBackups,
  pruneBackups,
  readRecord,
  recordFiles,
  readText,
  realTarget,
  removeFile,
  writeAtomic,
  writeBackup,
  writeRecord,
} from './files.ts';
import {
  appDir,
  BACKUPS_KEPT,
  isEphemeralRoot,
  projectDirProblem,
  recordFile,
  SCOPES,
  settingsFile,
  sha256,
  type Scope,
} from './targets.ts';
import { SettingsError } from './errors.ts';
import { hookTimeout } from './hookCommand.ts';
import type { InstallRecord } from './schema.ts';
import type { JsonValue } from './jsonText.ts';
import { HOOK_EVENTS, type HookEvent } from '../policy/types.ts';
import type { Env } from '../util/paths.ts';
import { iso } from '../util/time.ts';

export interface InstallOptions {
  scope: Scope;
  projectDir: string;
  /** User scope: the Claude Code config folder whose settings.json to edit (default: claudeHomes(env)[0]). */
  configDir?: string;
  env: Env;
  stateDir: string;
  /** The running package's root (packageRoot()). */
  packageRoot: string;
  /** The node binary the hooks run with (process.execPath). */
  nodePath: string;
  maxSleepSeconds: number;
  /**
   * Set up ccguard's status line, chaining to the user's own (the default in the CLI; only the status
   * line receives the server's usage figures). False leaves it out and takes ccguard's out again.
   */
  statusLine: boolean;
  dryRun: boolean;
  now: number;
}

export interface InstallResult {
  settingsPath: string;
  /** What the hooks point at: the package root, or its copy under the state directory. */
  appRoot: string;
  /** The package was (or, on a dry run, would be) copied out of npx's cache to appRoot. */
  copied: boolean;
  changed: boolean;
  created: boolean;
  backup: string | null;
  /** Backups an earlier version left beside this project's (and the user's) settings files, moved into the backups folder: how many from each folder. */
  movedBackups: Map<string, number>;
  /** The unified diff of the change (always computed; printed on a dry run). */
  diff: string;
  /** The timeout (seconds) written on each event's hook. */
  timeouts: Record<HookEvent, number>;
  outcome: InstallOutcome;
}

/** The change as `diff -u` prints it (`---`/`+++` then the hunks, three lines of context), for --dry-run; '' when there is none. */
export function unifiedDiff(before: string, after: string, labelA: string, labelB: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(labelA, labelB, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

function currentText(path: string): { text: string; existed: boolean } {
  const text = readText(path);
  return { text: text ?? '', existed: text !== null };
}

/** The settings files Claude Code reads before a scope's own, nearest first (later files win for scalars). */
const BELOW: Readonly<Record<Scope, readonly Scope[]>> = { user: [], project: ['user'], local: ['project', 'user'] };

/**
 * The user's own status line that Claude Code shows from the files below this scope's (the nearest
 * file that sets one), when this scope's file sets none: ccguard's status line there would hide it.
 * A file that cannot be read or parsed is passed over: it is not the one being edited.
 */
function inheritedStatusLine(scope: Scope, env: Env, projectDir: string, settingsPath: string): JsonValue | undefined {
  for (const below of BELOW[scope]) {
    const file = settingsFile(below, env, projectDir);
    if (resolve(file) === resolve(settingsPath)) continue; // --project-dir at HOME: the same file
    let value: JsonValue | undefined;
    try {
      const text = readText(realTarget(file));
      if (text === null) continue;
      value = statusLineOf(text, file);
    } catch {
      continue;
    }
    if (value !== undefined) return userStatusLine(value);
  }
  return undefined;
}

/** Guards against a settings file changed by someone else (Claude Code itself) while we worked. */
function assertUnchanged(path: string, text: string, existed: boolean): void {
  const now = readText(path);
  if ((now === null) !== !existed || (now !== null && now !== text)) {
    throw new SettingsError(`${path} changed while ccguard was editing it; nothing written, run the command again`);
  }
}

/** A project folder that is not there is a mistyped path: never create it, nor a `.claude/` in it. */
function assertProjectDir(scope: Scope, projectDir: string): void {
  if (scope === 'user') return;
  const problem = projectDirProblem(projectDir);
  if (problem) throw new SettingsError(`${problem}; nothing written`);
}

/**
 * Moves the backups an earlier version kept beside the settings files of this project (and the
 * user's) into the backups folder, pointing each install record at its original's new place at
 * once, so that uninstall still finds it whatever happens next. All three files, not only the one
 * being edited: those beside a project's settings.json show in its `git status` too. Returns the
 * record of the file being edited as it now stands, and the folders backups were moved out of.
 */
function adoptLegacyBackups(
  o: { stateDir: string; env: Env; now: number; projectDir: string; configDir?: string },
  settingsPath: string,
  record: InstallRecord | undefined,
): { record: InstallRecord | undefined; movedFrom: Map<string, number> } {
  const movedFrom = new Map<string, number>();
  let mine = record;
  for (const scope of SCOPES) {
    const file = settingsFile(scope, o.env, o.projectDir, o.configDir);
    const moved = moveLegacyBackups(o.stateDir, file, realTarget(file), o.env, o.now);
    if (moved.size === 0) continue;
    for (const from of moved.keys()) movedFrom.set(dirname(from), (movedFrom.get(dirname(from)) ?? 0) + 1);
    const recFile = recordFile(o.stateDir, file);
    const rec = resolve(file) === resolve(settingsPath) ? mine : readRecord(recFile);
    const to = rec?.backup_path ? moved.get(rec.backup_path) : undefined;
    if (!rec || to === undefined) continue;
    const next = { ...rec, backup_path: to };
    writeRecord(o.stateDir, recFile, next);
    if (resolve(file) === resolve(settingsPath)) mine = next;
  }
  return { record: mine, movedFrom };
}

/** A backup of the settings file's current text, then the oldest beyond BACKUPS_KEPT go (never `protect`). */
function backUp(
  o: { stateDir: string; env: Env; now: number },
  settingsPath: string,
  text: string,
  protect: string | null | undefined,
): string {
  const file = writeBackup(o.stateDir, settingsPath, text, o.env, o.now);
  pruneBackups(o.stateDir, settingsPath, BACKUPS_KEPT, [file, protect]);
  return file;
}

/** Does this scope's settings file hold any ccguard entry? False when it is missing or unreadable. */
export function holdsCcguard(scope: Scope, env: Env, projectDir: string): boolean {
  const file = settingsFile(scope, env, projectDir);
  try {
    const text = readText(realTarget(file));
    return text !== null && hasCcguard(text, file);
  } catch {
    return false;
  }
}

export function install(o: InstallOptions): InstallResult {
  assertProjectDir(o.scope, o.projectDir);
  const settingsPath = settingsFile(o.scope, o.env, o.projectDir, o.configDir);
  const target = realTarget(settingsPath);
  const { text, existed } = currentText(target);
  const copied = isEphemeralRoot(o.packageRoot);
  const appRoot = copied ? appDir(o.stateDir) : o.packageRoot;
  const recFile = recordFile(o.stateDir, settingsPath);
  let record = readRecord(recFile);
  const timeouts = Object.fromEntries(HOOK_EVENTS.map((e) => [e, hookTimeout(e, o.maxSleepSeconds)])) as Record<
    HookEvent,
    number
  >;
  const hadOurs = existed && hasCcguard(text, settingsPath);
  const outcome = installInto(text, settingsPath, {
    nodePath: o.nodePath,
    root: appRoot,
    maxSleepSeconds: o.maxSleepSeconds,
    statusLine: o.statusLine,
    inheritedStatusLine: inheritedStatusLine(o.scope, o.env, o.projectDir, settingsPath),
    record: hadOurs ? record : undefined,
  });
  const diff = unifiedDiff(existed ? text : '', outcome.text, existed ? settingsPath : '/dev/null', settingsPath);
  const changed = outcome.changed || !existed;
  const result: InstallResult = {
    settingsPath,
    appRoot,
    copied,
    changed,
    created: !existed,
    backup: null,
    movedBackups: new Map(),
    diff,
    timeouts,
    outcome,
  };
  if (o.dryRun) return result;

  // The code first, so the hooks never point at something missing.
  if (copied) copyApp(o.packageRoot, appRoot, o.now);
  const adopted = adoptLegacyBackups(o, settingsPath, record);
  record = adopted.record;
  result.movedBackups = adopted.movedFrom;
  if (!changed) return result;

  assertUnchanged(target, text, existed);
  if (existed) result.backup = backUp(o, settingsPath, text, hadOurs ? record?.backup_path : undefined);
  writeAtomic(target, outcome.text);

  // Reinstalling over our own entries keeps what the first install knew about the original file.
  const base: InstallRecord | undefined = hadOurs && record ? record : undefined;
  const next: InstallRecord = {
    version: 1,
    settings_path: settingsPath,
    scope: o.scope,
    installed_at: iso(o.now),
    original_existed: base ? base.original_existed : existed,
    original_sha256: base ? base.original_sha256 : existed ? sha256(text) : null,
    backup_path: base ? base.backup_path : result.backup,
    written_sha256: sha256(outcome.text),
    created_hooks_key: base ? base.created_hooks_key : outcome.createdHooksKey,
    created_events: [...new Set([...(base?.created_events ?? []), ...outcome.createdEvents])],
    // What the user had before ccguard's status line: freshly worked out (from the file, or from the
    // record while ccguard's is in place). Null when ccguard's status line is not (or no longer) there.
    status_line: outcome.statusLine
      ? {
          had_original: outcome.statusLine.hadOriginal,
          ...(outcome.statusLine.original !== undefined ? { original: outcome.statusLine.original } : {}),
        }
      : null,
    app_root: appRoot,
  };
  writeRecord(o.stateDir, recFile, next);
  return result;
}

export interface UninstallOptions {
  scope: Scope;
  projectDir: string;
  /** User scope: the Claude Code config folder whose settings.json to edit (default: claudeHomes(env)[0]). */
  configDir?: string;
  env: Env;
  stateDir: string;
  dryRun: boolean;
  now: number;
}

export interface UninstallResult {
  settingsPath: string;
  existed: boolean;
  changed: boolean;
  /** How: the original file put back byte for byte, ccguard's entries taken out, or the file removed. */
  method: 'restored' | 'removed-entries' | 'deleted-file' | 'none';
  backup: string | null;
  /** Backups an earlier version left beside this project's (and the user's) settings files, moved into the backups folder: how many from each folder. */
  movedBackups: Map<string, number>;
  diff: string;
  removedApp: string | null;
}

export function uninstall(o: UninstallOptions): UninstallResult {
  const settingsPath = settingsFile(o.scope, o.env, o.projectDir, o.configDir);
  const target = realTarget(settingsPath);
  const recFile = recordFile(o.stateDir, settingsPath);
  const found = readRecord(recFile);
  const { text, existed } = currentText(target);
  const result: UninstallResult = {
    settingsPath,
    existed,
    changed: false,
    method: 'none',
    backup: null,
    movedBackups: new Map(),
    diff: '',
    removedApp: null,
  };
  if (!existed) {
    // A project folder deleted since install: nothing left to edit, only ccguard's record of it.
    if (!o.dryRun) removeFile(recFile);
    return result;
  }
  const adopted = o.dryRun
    ? { record: found, movedFrom: new Map<string, number>() }
    : adoptLegacyBackups(o, settingsPath, found);
  const record = adopted.record;
  result.movedBackups = adopted.movedFrom;

  let next: string | null; // null: delete the file
  let method: UninstallResult['method'] = 'removed-entries';
  const untouched = record !== undefined && sha256(text) === record.written_sha256;
  if (untouched && !record.original_existed) {
    // The file is exactly what install created from nothing.
    next = null;
    method = 'deleted-file';
  } else {
    const original = untouched && record.backup_path ? readText(record.backup_path) : null;
    if (untouched && original !== null && sha256(original) === record.original_sha256) {
      // Nothing changed since install: the original comes back byte for byte.
      next = original;
      method = 'restored';
    } else {
      next = uninstallFrom(
        text,
        settingsPath,
        record,
        inheritedStatusLine(o.scope, o.env, o.projectDir, settingsPath),
      ).text;
    }
  }
  result.diff = unifiedDiff(text, next ?? '', settingsPath, next === null ? '/dev/null' : settingsPath);
  result.changed = next !== text;
  result.method = result.changed ? method : 'none';
  if (o.dryRun || !result.changed) {
    if (!o.dryRun) removeFile(recFile);
    return result;
  }
  assertUnchanged(target, text, true);
  result.backup = backUp(o, settingsPath, text, undefined);
  if (next === null) removeFile(target);
  else writeAtomic(target, next);
  removeFile(recFile);
  result.removedApp = removeUnusedApp(o.stateDir);
  return result;
}

/** The copy under the state directory goes once no install record points at it any more. */
function removeUnusedApp(stateDir: string): string | null {
  const app = appDir(stateDir);
  if (!existsSync(app)) return null;
  const files = recordFiles(stateDir);
  if (files === null) return null;
  for (const f of files) {
    const rec = readRecord(f);
    if (!rec || rec.app_root === app) return null;
  }
  rmSync(app, { recursive: true, force: true });
  return app;
}
