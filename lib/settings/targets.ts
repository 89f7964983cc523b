import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { Env } from '../util/paths.ts';

export const SCOPES = ['user', 'project', 'local'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The settings file of a scope: user `$HOME/.claude/settings.json`, project
 * `<dir>/.claude/settings.json`, local `<dir>/.claude/settings.local.json`.
 */
export function settingsFile(scope: Scope, env: Env, projectDir: string): string {
  if (scope === 'user') {
    const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
    return join(home, '.claude', 'settings.json');
  }
  return join(resolve(projectDir), '.claude', scope === 'project' ? 'settings.json' : 'settings.local.json');
}

export const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** `<state dir>/install-<first 16 hex of sha256(settings path)>.json` */
export function recordFile(stateDir: string, settingsPath: string): string {
  return join(stateDir, `install-${sha256(resolve(settingsPath)).slice(0, 16)}.json`);
}

/** `settings.json.ccguard-backup-20260124T140501.123Z` (UTC, sortable, no colons). */
export function backupFile(settingsPath: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '');
  return `${settingsPath}.ccguard-backup-${stamp}`;
}

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
