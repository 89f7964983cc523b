// Whose limits a session spends: its account, as Claude Code itself would tell it from the session's
// environment. Every server figure, backoff, pause and hold belongs to one account (the key), and a
// session is governed by its own account's only.
//
// What Claude Code 2.1.330 does (checked in its bundle):
// - its config folder is CLAUDE_CONFIG_DIR, else ~/.claude;
// - its global config (`oauthAccount`, `primaryApiKey`, ...) is `$CLAUDE_CONFIG_DIR/.claude.json`, else
//   `$HOME/.claude.json` (an older `<folder>/.config.json` is still read when that is missing);
// - `oauthAccount.accountUuid` names the claude.ai account a folder is logged into;
// - ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, an `apiKeyHelper` in settings, or a cloud provider
//   (CLAUDE_CODE_USE_BEDROCK, _VERTEX, _FOUNDRY) take precedence over the subscription: such a session
//   is billed per token and has no 5-hour or weekly window.
// Cheap on purpose: at most two small JSON files read, and only by the full check (a lease records
// its session's key, so the fast path never computes it).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Env } from './paths.ts';

/** A claude.ai subscription (5-hour and weekly windows), or pay-per-token API access (none). */
export type AccountKind = 'subscription' | 'api';

export interface Account {
  /** `oauth:<accountUuid>`, `dir:<config folder>` (a subscription whose account is not named), or `api:<config folder>`. */
  key: string;
  kind: AccountKind;
  /** The config folder Claude Code uses for the session. */
  configDir: string;
  /** What the account was told by: `oauth`, `folder`, or the API credential in force (`ANTHROPIC_API_KEY`, ...). */
  by: string;
}

/** Rows written before accounts existed (migration 6); the default folder's subscription adopts them. */
export const LEGACY_ACCOUNT = 'legacy';

function homeOf(env: Env): string {
  return env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
}

/** The config folder Claude Code uses in `env`: CLAUDE_CONFIG_DIR (as Claude Code reads it, one folder), else ~/.claude. */
export function configDirOf(env: Env): string {
  const raw = env.CLAUDE_CONFIG_DIR?.trim();
  return raw ? resolve(raw) : join(homeOf(env), '.claude');
}

/** The default config folder (no CLAUDE_CONFIG_DIR): the one whose rows predate accounts. */
export function defaultConfigDir(env: Env): string {
  return join(homeOf(env), '.claude');
}

/** Where Claude Code keeps the global config of `configDir`: `$HOME/.claude.json` for the default folder reached without CLAUDE_CONFIG_DIR. */
export function globalConfigFiles(configDir: string, env: Env): string[] {
  const own = join(configDir, '.claude.json');
  const legacy = join(configDir, '.config.json');
  if (env.CLAUDE_CONFIG_DIR?.trim()) return [own, legacy];
  return [join(homeOf(env), '.claude.json'), legacy];
}

/** Environment variables Claude Code reads as true ("1", "true", "yes", "on"). */
function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

export type ReadText = (file: string) => string | null;

const readText: ReadText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

function parseObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The API credential in force in `env` and the folder's settings, or null (the subscription's OAuth). */
export function apiAuthOf(env: Env, configDir: string, read: ReadText = readText): string | null {
  for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const) {
    if (env[name] !== undefined && env[name] !== '') return name;
  }
  for (const name of ['CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'CLAUDE_CODE_USE_FOUNDRY'] as const) {
    if (truthy(env[name])) return name;
  }
  const settings = parseObject(read(join(configDir, 'settings.json')));
  if (settings && typeof settings.apiKeyHelper === 'string' && settings.apiKeyHelper.trim() !== '')
    return 'apiKeyHelper';
  return null;
}

const OAUTH = '"oauthAccount"';
const UUID = /"accountUuid"\s*:\s*"([^"\\]{1,200})"/;

/**
 * The claude.ai account a folder is logged into (`oauthAccount.accountUuid` of its global config), or
 * null. That file also holds every project's history and can run to megabytes: the object is found by
 * its key and only its first part is read, not the whole file parsed.
 */
export function oauthAccountOf(configDir: string, env: Env, read: ReadText = readText): string | null {
  for (const file of globalConfigFiles(configDir, env)) {
    const text = read(file);
    if (text === null) continue;
    const at = text.indexOf(OAUTH);
    if (at < 0) return null;
    // The object opens right after the key; a `null` there (logged out) has no uuid.
    const rest = text.slice(at + OAUTH.length, at + OAUTH.length + 4096);
    const open = /^\s*:\s*\{/.exec(rest);
    if (!open) return null;
    const m = UUID.exec(rest);
    return m ? m[1]! : null;
  }
  return null;
}

/** The account of a session running in `env` (a hook's own environment is its session's). */
export function accountOf(env: Env, read: ReadText = readText): Account {
  const configDir = configDirOf(env);
  const api = apiAuthOf(env, configDir, read);
  if (api !== null) return { key: `api:${configDir}`, kind: 'api', configDir, by: api };
  return subscriptionOf(configDir, env, read);
}

/** The subscription account of a config folder (what its transcripts' limit lines belong to). */
export function subscriptionOf(configDir: string, env: Env, read: ReadText = readText): Account {
  const uuid = oauthAccountOf(configDir, env, read);
  return uuid !== null
    ? { key: `oauth:${uuid}`, kind: 'subscription', configDir, by: 'oauth' }
    : { key: `dir:${configDir}`, kind: 'subscription', configDir, by: 'folder' };
}

/** The kind of account a stored key names. */
export function kindOfKey(key: string): AccountKind {
  return key.startsWith('api:') ? 'api' : 'subscription';
}

/** An account key as the user reads it. */
export function accountLabel(key: string): string {
  if (key === LEGACY_ACCOUNT) return 'the default account (~/.claude)';
  if (key.startsWith('oauth:')) return `claude.ai account ${key.slice(6, 14)}`;
  if (key.startsWith('dir:')) return `claude.ai login in ${key.slice(4)}`;
  if (key.startsWith('api:')) return `API key in ${key.slice(4)}`;
  return key;
}
