import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqlite, type DB } from './sqlite.ts';
import { HOOKS } from './hookEnv.ts';

export interface AsyncHookRun {
  code: number;
  stdout: string;
  ms: number;
  json: Record<string, any> | null;
}

const FILE: Record<string, string> = { PreToolUse: 'pre-tool-use.js', UserPromptSubmit: 'user-prompt-submit.js' };

/** One hook process, not waiting on any other: for runs in parallel. Its time is until its pipes close. */
export function runHookAsync(event: string, stdin: string, env: Record<string, string>): Promise<AsyncHookRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [join(HOOKS, FILE[event] ?? 'missing.js')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.resume();
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      resolve({ code: code ?? -1, stdout, ms, json: stdout.trim().startsWith('{') ? (JSON.parse(stdout) as Record<string, unknown>) : null });
    });
    p.stdin.end(stdin);
  });
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Reads (or, with `write`, changes) the state database of a test home directly. */
export function withDb<T>(dbFile: string, f: (db: DB) => T, write = false): T {
  const db = openSqlite(dbFile, { readonly: !write });
  try {
    db.pragma('busy_timeout = 5000');
    return f(db);
  } finally {
    db.close();
  }
}

export interface EventWithSource {
  hook: string;
  decision: string;
  state: string | null;
  reason: string | null;
  source: string | null;
}

export function eventsWithSource(dbFile: string): EventWithSource[] {
  return withDb(dbFile, (db) => db.prepare("SELECT hook, decision, state, reason, source FROM events WHERE decision != 'notify' ORDER BY id").all() as EventWithSource[]);
}

export function monitorRow(dbFile: string, key: string): Record<string, any> | undefined {
  try {
    return withDb(dbFile, (db) => db.prepare('SELECT * FROM monitor_cache WHERE key = ?').get(key) as Record<string, unknown> | undefined);
  } catch {
    return undefined;
  }
}
