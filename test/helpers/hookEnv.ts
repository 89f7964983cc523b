import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DRIVER_ENV, REPO } from './cli.ts';
import { EVENT_FILES } from '../../lib/settings/hookCommand.ts';
import type { HookEvent } from '../../lib/policy/types.ts';
import { tmpHome, type TmpHome } from './tmp.ts';
import { assistantLine } from './lines.ts';
import { openSqlite } from './sqlite.ts';
import type { EventRow } from '../../lib/store/events.ts';

export const HOOKS = join(REPO, 'dist', 'hooks');

export type HookEnv = ReturnType<typeof makeHookEnv>;

export interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  json: Record<string, unknown> | null;
}

/**
 * A temporary HOME with a project transcript, a user config, and a stand-in `notify-send` on PATH
 * that records what the desktop would have shown. Given the test's context, removed when the test ends.
 */
export function hookEnv(config?: string): HookEnv;
export function hookEnv(t: TestContext, config?: string): HookEnv;
export function hookEnv(a?: TestContext | string, b?: string): HookEnv {
  const t = typeof a === 'object' ? a : undefined;
  const config = (typeof a === 'string' ? a : b) ?? '';
  const e = makeHookEnv(tmpHome('ccguard-hook-'), config);
  t?.after(async () => {
    for (const wait of e.waits) await wait();
    e.cleanup();
  });
  return e;
}

function makeHookEnv(h: TmpHome, config: string) {
  const waits: (() => Promise<unknown>)[] = [];
  const project = join(h.projects, '-work-app');
  mkdirSync(project, { recursive: true });
  mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
  if (config) writeFileSync(join(h.stateDir, 'config.yaml'), config);
  const bin = join(h.home, 'bin');
  mkdirSync(bin);
  const capture = join(h.home, 'notifications.log');
  writeFileSync(
    join(bin, 'notify-send'),
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\t' "$a"; done >> '${capture}'\necho >> '${capture}'\n`,
  );
  chmodSync(join(bin, 'notify-send'), 0o755);
  const env = { HOME: h.home, PATH: `${bin}:${process.env.PATH ?? ''}`, TZ: 'UTC', NO_COLOR: '1', ...DRIVER_ENV };
  const transcript = (session: string): string => join(project, `${session}.jsonl`);
  let n = 0;
  return {
    ...h,
    waits,
    /**
     * Something to wait for before the home is removed at the end of the test (a detached notifier or
     * refresh still writing into it); `after` hooks run in the order registered, so this cannot be one.
     */
    beforeCleanup(wait: () => Promise<unknown>): void {
      waits.push(wait);
    },
    env,
    project,
    capture,
    transcript,
    /** Appends responses to a session's transcript. */
    usage(session: string, items: { ts: number; input?: number; output?: number; model?: string }[]): void {
      const lines = items.map((it) => assistantLine({ msgId: `msg_${session}_${n++}`, session, ...it }));
      appendFileSync(transcript(session), lines.join('\n') + '\n');
    },
    input(event: string, session: string, extra: Record<string, unknown> = {}): string {
      if (!existsSync(transcript(session))) writeFileSync(transcript(session), '');
      return JSON.stringify({
        session_id: session,
        transcript_path: transcript(session),
        cwd: '/work/app',
        hook_event_name: event,
        permission_mode: 'default',
        ...extra,
      });
    },
    run(event: string, stdin: string, extraEnv: Record<string, string> = {}): HookRun {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(HOOKS, `${EVENT_FILES[event as HookEvent] ?? 'missing'}.js`)], {
        input: stdin,
        env: { ...env, ...extraEnv },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const ms = performance.now() - t0;
      let json: Record<string, unknown> | null = null;
      if (r.stdout.trim().startsWith('{')) json = JSON.parse(r.stdout) as Record<string, unknown>;
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms, json };
    },
    events(): Pick<EventRow, 'hook' | 'tool' | 'decision' | 'state' | 'reason' | 'sleep_ms'>[] {
      const db = openSqlite(join(h.stateDir, 'state.db'), { readonly: true });
      try {
        return db
          .prepare('SELECT hook, tool, decision, state, reason, sleep_ms FROM events ORDER BY id')
          .all() as never;
      } finally {
        db.close();
      }
    },
    async notifications(min = 1, waitMs = 5000): Promise<string[]> {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const lines = existsSync(capture) ? readFileSync(capture, 'utf8').split('\n').filter(Boolean) : [];
        if (lines.length >= min || Date.now() > deadline) return lines;
        await sleep(50);
      }
    },
    log(): string {
      const f = join(h.stateDir, 'ccguard.log');
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    },
  };
}
