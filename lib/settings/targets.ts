import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { claudeConfigDirs, type Env } from '../util/paths.ts';

export const SCOPES = ['user', 'project', 'local'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The folders Claude Code keeps its user settings in for this environment: each of
 * `CLAUDE_CONFIG_DIR` (comma-separated, as ccguard reads it everywhere: one folder per account), else
 * `$HOME/.claude`. Claude Code reads `<folder>/settings.json` as its user settings when
 * `CLAUDE_CONFIG_DIR` names the folder, and never `~/.claude/settings.json` then.
 */
export function claudeHomes(env: Env): string[] {
  // The variable read as every reader of it reads it (claudeConfigDirs); unset, only ~/.claude holds settings.
  const dirs =
    env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.trim().length > 0 ? [...new Set(claudeConfigDirs(env))] : [];
  return dirs.length > 0 ? dirs : [defaultClaudeHome(env)];
}

/** `$HOME/.claude`: where Claude Code keeps its settings when `CLAUDE_CONFIG_DIR` is not set. */
export function defaultClaudeHome(env: Env): string {
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  return join(home, '.claude');
}

/** The user settings file Claude Code reads with `CLAUDE_CONFIG_DIR` set to `configDir`. */
export function userSettingsFile(configDir: string): string {
  return join(resolve(configDir), 'settings.json');
}

/**
 * The settings file of a scope: user `<config folder>/settings.json` (`configDir`, else the first of
 * claudeHomes: `$CLAUDE_CONFIG_DIR`, else `$HOME/.claude`), project `<dir>/.claude/settings.json`,
 * local `<dir>/.claude/settings.local.json`.
 */
export function settingsFile(scope: Scope, env: Env, projectDir: string, configDir?: string): string {
  if (scope === 'user') return userSettingsFile(configDir ?? claudeHomes(env)[0]!);
  return join(resolve(projectDir), '.claude', scope === 'project' ? 'settings.json' : 'settings.local.json');
}

/** Why a project folder cannot take settings (missing, or not a folder), or null when it can. */
export function projectDirProblem(projectDir: string): string | null {
  const dir = resolve(projectDir);
  try {
    if (!statSync(dir).isDirectory()) return `the project folder ${dir} is not a folder`;
  } catch {
    return `the project folder ${dir} does not exist`;
  }
  return null;
}

export const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** `<state dir>/install-<first 16 hex of sha256(settings path)>.json` */
export function recordFile(stateDir: string, settingsPath: string): string {
  return join(stateDir, `install-${sha256(resolve(settingsPath)).slice(0, 16)}.json`);
}

/** `20260124T140501.123Z`: UTC, sorts as it reads, no colons (file names on every system). */
export function backupStamp(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '');
}

/**
 * Where backups of settings files go: `<state dir>/backups/`. Not beside the settings file: a
 * project's `.claude/` is usually in git, and a backup there shows in `git status` (or gets committed).
 */
export function backupsDir(stateDir: string): string {
  return join(stateDir, 'backups');
}

/** How many backups of one settings file are kept (the one the install record restores from aside). */
export const BACKUPS_KEPT = 10;

/**
 * The part of a backup's name that says which settings file it came from, and groups its backups:
 * the folder holding `.claude/` (under HOME as `home_...`), then the file's name without `.json`,
 * then a hash of the full path that tells apart two folders with the same name.
 * `/home/u/work/app/.claude/settings.local.json` -> `home_work_app_settings.local-1a2b3c4d5e`.
 */
export function backupLabel(settingsPath: string, env: Env): string {
  const full = resolve(settingsPath);
  const file = basename(full).replace(/\.json$/, '');
  let dir = dirname(full);
  if (basename(dir) === '.claude') dir = dirname(dir);
  const home = env.HOME && env.HOME.length > 0 ? resolve(env.HOME) : homedir();
  const where =
    dir === home
      ? ['home']
      : dir.startsWith(home + sep)
        ? ['home', ...dir.slice(home.length + 1).split(sep)]
        : dir.split(sep).filter(Boolean);
  // Only characters every file system and shell take; long paths keep their tail (the telling part).
  const slug = [...where, file]
    .join('_')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(-100)
    .replace(/^[._-]+/, '');
  return `${slug}-${backupKey(full)}`;
}

/** The hash part of a backup's label: the same for every backup of one settings file. */
export function backupKey(settingsPath: string): string {
  return sha256(resolve(settingsPath)).slice(0, 10);
}

/** `<state dir>/backups/<label>.<stamp>[-<n>].json` (see backupLabel); n tells apart two in the same millisecond. */
export function backupFile(stateDir: string, settingsPath: string, env: Env, stamp: string, n = 0): string {
  return join(backupsDir(stateDir), `${backupLabel(settingsPath, env)}.${stamp}${n === 0 ? '' : `-${n}`}.json`);
}

/** What earlier versions put after a settings file's name for the backups they kept beside it. */
export const LEGACY_BACKUP = '.ccguard-backup-';

/** A package root inside npm's npx cache goes away with the cache: the hooks need a copy. */
export function isEphemeralRoot(root: string): boolean {
  return root.split(sep).includes('_npx') || root.includes('/_npx/');
}

/** Where the copy lives: `<state dir>/app`. */
export function appDir(stateDir: string): string {
  return join(stateDir, 'app');
}

/** Shortens a path under HOME to `~/...` for messages. */
export function tildify(path: string, env: Env): string {
  const home = env.HOME;
  if (home && (path === home || path.startsWith(home + sep))) return `~${path.slice(home.length)}`;
  return path;
}
