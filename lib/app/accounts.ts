// Accounts as the commands and hooks use them: the account of an environment (lib/util/account.ts),
// what `--account` names, which accounts the state holds, whose a transcript's rows are, and the
// rows from before accounts, which the default folder's subscription adopts.
import { dirname, relative, sep } from 'node:path';
import type { Store } from '../store/store.ts';
import type { Env } from '../util/paths.ts';
import {
  accountOf,
  apiAuthOf,
  configDirOf,
  defaultConfigDir,
  kindOfKey,
  LEGACY_ACCOUNT,
  subscriptionOf,
  type Account,
} from '../util/account.ts';
import { UsageError } from '../util/errors.ts';
import { DAY_MS } from '../util/time.ts';

/**
 * Rows stored before accounts (migration 6) are the default folder's (~/.claude): its subscription
 * takes them over the first time it is seen. An API-key session there does not: it has no windows.
 */
export function adoptLegacy(store: Store, account: Account, env: Env): void {
  if (account.kind !== 'subscription' || account.configDir !== defaultConfigDir(env)) return;
  if (store.meta.getText('legacy_adopted') === account.key) return;
  store.write(() => {
    store.sessions.adoptLegacy(account.key);
    store.meta.putText('legacy_adopted', account.key);
  });
}

/** Remembers the session's account, so its transcripts' rows (limit lines, 429s, usage) are filed under it. */
export function noteSession(store: Store, account: Account, sessionId: string, now: number): void {
  const cur = store.sessions.get(sessionId);
  if (cur && cur.account === account.key && now - cur.seen < DAY_MS) return;
  store.write(() =>
    store.sessions.put({ session_id: sessionId, account: account.key, config_dir: account.configDir, seen: now }),
  );
}

/**
 * The account of a hook's session (its environment is the session's), remembered for its rows. A
 * subscription session seen within the day in the same folder keeps the account it had: the folder's
 * `.claude.json`, which can run to megabytes, is read again at most once a day per session.
 */
export function sessionAccount(store: Store, env: Env, sessionId: string, now: number): Account {
  const configDir = configDirOf(env);
  const api = apiAuthOf(env, configDir);
  const cur = store.sessions.get(sessionId);
  if (
    api === null &&
    cur &&
    cur.config_dir === configDir &&
    kindOfKey(cur.account) === 'subscription' &&
    now - cur.seen < DAY_MS &&
    now >= cur.seen
  ) {
    return { key: cur.account, kind: 'subscription', configDir, by: 'session' };
  }
  const account =
    api !== null
      ? { key: `api:${configDir}`, kind: 'api' as const, configDir, by: api }
      : subscriptionOf(configDir, env);
  noteSession(store, account, sessionId, now);
  return account;
}

/** The accounts the state knows of lately: sessions seen in a week, readings of the last week, limit lines in force. */
export function knownAccounts(store: Store, now: number): string[] {
  const since = now - 8 * DAY_MS;
  const keys = new Set<string>([
    ...store.sessions.accountsSince(since),
    ...store.rateLimits.accounts(since),
    ...store.limitMessages.accountsInForce(now, since),
  ]);
  keys.delete(LEGACY_ACCOUNT);
  return [...keys].sort();
}

/**
 * The accounts a command acts on: the environment's own, or what `--account` names (a config folder,
 * taken with the rest of the environment as Claude Code would, or `all`).
 */
export function accountsFor(store: Store, env: Env, option: string | undefined, now: number): string[] {
  const own = accountOf(env).key;
  if (option === undefined || option === '') return [own];
  if (option === 'all') {
    const all = knownAccounts(store, now);
    return all.includes(own) ? all : [own, ...all];
  }
  if (option.startsWith('oauth:') || option.startsWith('dir:') || option.startsWith('api:')) return [option];
  if (!option.includes(sep) && !option.startsWith('~') && !option.startsWith('.')) {
    throw new UsageError(
      `--account takes a Claude Code config folder (CLAUDE_CONFIG_DIR), an account key from \`ccguard status --json\`, or all (got "${option}")`,
    );
  }
  const dir = option.startsWith('~') ? option.replace(/^~/, env.HOME ?? '~') : option;
  return [accountOf({ ...env, CLAUDE_CONFIG_DIR: dir }).key];
}

/**
 * Files transcript rows under their account: the session's, as its own hooks saw it, else the
 * subscription of the config folder the transcript is in (`<folder>/projects/...`).
 */
export function transcriptAccounts(
  store: Store,
  roots: readonly string[],
  env: Env,
): (path: string, sessionId: string) => string {
  const bySession = new Map<string, string | null>();
  const byRoot = new Map<string, string>();
  return (path, sessionId) => {
    let s = bySession.get(sessionId);
    if (s === undefined) {
      s = store.sessions.get(sessionId)?.account ?? null;
      bySession.set(sessionId, s);
    }
    if (s !== null) return s;
    const root = roots.find((r) => {
      const rel = relative(r, path);
      return rel !== '' && !rel.startsWith('..') && rel !== path;
    });
    if (root === undefined) return LEGACY_ACCOUNT;
    let k = byRoot.get(root);
    if (k === undefined) {
      const dir = dirname(root);
      // The default folder's global config is $HOME/.claude.json unless CLAUDE_CONFIG_DIR names it.
      k = subscriptionOf(
        dir,
        dir === defaultConfigDir(env) ? { ...env, CLAUDE_CONFIG_DIR: undefined } : { ...env, CLAUDE_CONFIG_DIR: dir },
      ).key;
      byRoot.set(root, k);
    }
    return k;
  };
}
