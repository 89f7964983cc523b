/**
 * A week of generated Claude Code history for the report tests: three projects, a dozen sessions,
 * three models, an active block at about 80% of the limit with warnings, slow-downs, denials and a
 * pause in it, older decisions, rate limits and limit messages. Deterministic for a given `now`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { assistantLine, apiErrorLine, limitLine, resetText } from './lines.ts';
import { hookEnv } from './hookEnv.ts';
import { rng } from './soakWriter.ts';
import { openStore } from '../../lib/store/store.ts';
import type { EventRow } from '../../lib/store/events.ts';

export const LIMIT = 150_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

const MODELS = {
  sonnet: 'claude-sonnet-4-5-20250929',
  opus: 'claude-opus-4-5-20251101',
  haiku: 'claude-haiku-4-5-20251001',
};

export interface History {
  env: ReturnType<typeof hookEnv>;
  now: number;
  sessions: string[];
  currentSessions: string[];
  cleanup(): void;
}

const PROJECTS = ['-work-app', '-home-dev-src-website', '-home-dev-src-data-pipeline'];

/**
 * Writes the transcripts and inserts the decisions. `now` is the real clock (hooks and the CLI read
 * Date.now()), so everything is placed relative to it and strictly in the past. Given the test's
 * context, its home is removed when the test ends.
 */
export function makeHistory(t?: TestContext, now = Date.now(), seed = 7): History {
  const config = `plan: ${LIMIT}\nrecovery:\n  max_sleep_seconds: 1\n  notification: false\n`;
  const env = t ? hookEnv(t, config) : hookEnv(config);
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let msg = 0;
  const sessions: string[] = [];
  const info = new Map<string, { project: number; first: number; last: number }>();
  const dirs = PROJECTS.map((p) => {
    const d = join(env.projects, p);
    mkdirSync(d, { recursive: true });
    return d;
  });
  const file = (project: number, session: string): string => join(dirs[project]!, `${session}.jsonl`);

  /** One working session: responses every 1-6 minutes from `from` for `spanMs`, aiming at `tokens` limit tokens. */
  function session(id: string, project: number, from: number, spanMs: number, tokens: number, model: string): void {
    sessions.push(id);
    const lines: string[] = [];
    let t = from;
    const calls = Math.max(3, Math.round(spanMs / (3.5 * MIN)));
    const per = tokens / calls;
    for (let i = 0; i < calls && t < Math.min(from + spanMs, now - MIN); i++) {
      const total = Math.max(40, Math.round(per * (0.4 + rand() * 1.2)));
      const output = Math.round(total * (0.25 + rand() * 0.35));
      const m = rand() < 0.15 ? MODELS.haiku : model;
      lines.push(
        assistantLine({
          ts: t,
          msgId: `msg_${id}_${msg++}`,
          session: id,
          model: m,
          input: total - output,
          output,
          cacheRead: Math.round(20_000 + rand() * 60_000),
          cacheWrite: Math.round(rand() * 4000),
        }),
      );
      t += Math.round((1 + rand() * 5) * MIN);
    }
    appendFileSync(file(project, id), lines.join('\n') + '\n');
    info.set(id, { project, first: from, last: t });
  }

  // Six past days: one to three blocks a day, one or two sessions each.
  const dayStart = new Date(now);
  dayStart.setHours(0, 0, 0, 0);
  let sid = 0;
  for (let day = 6; day >= 1; day--) {
    const base = dayStart.getTime() - day * 24 * HOUR;
    const blocks = 1 + Math.floor(rand() * 3);
    for (let b = 0; b < blocks; b++) {
      const start = base + (8 + b * 5.5 + rand()) * HOUR;
      const share = day === 3 && b === 0 ? 1.04 : 0.3 + rand() * 0.6;
      const n = rand() < 0.5 ? 1 : 2;
      for (let s = 0; s < n; s++) {
        const id = `${(0x1000 + sid++).toString(16)}a7c2-${day}${b}${s}-4e1f-9d3b-5a6e0c1f2d3e`;
        session(
          id,
          sid % 3,
          start + s * 40 * MIN,
          (2 + rand() * 2) * HOUR,
          (LIMIT * share) / n,
          pick([MODELS.sonnet, MODELS.sonnet, MODELS.opus]),
        );
      }
    }
  }

  // The active block: started 3h10m ago, two sessions, about 80% of the limit used so far.
  const blockFrom = now - 3 * HOUR - 10 * MIN;
  const cur = ['f3e1c0de-0000-4a1b-8c2d-current00001', 'a9b8c7d6-1111-4e2f-9a3b-current00002'];
  session(cur[0]!, 0, blockFrom, 3 * HOUR + 5 * MIN, LIMIT * 0.52, MODELS.sonnet);
  session(cur[1]!, 1, blockFrom + 70 * MIN, 2 * HOUR, LIMIT * 0.28, MODELS.opus);

  // Rate limits and limit messages in the transcripts.
  appendFileSync(file(0, cur[0]!), apiErrorLine(now - 95 * MIN, 'err-recent-1', cur[0]) + '\n');
  const at = (tag: string): { id: string; project: number; first: number; last: number } => {
    const id = sessions.find((x) => x.includes(tag)) ?? sessions[0]!;
    return { id, ...info.get(id)! };
  };
  const errSession = at('-500-');
  appendFileSync(
    file(errSession.project, errSession.id),
    apiErrorLine(errSession.last - 30 * MIN, 'err-old-1', errSession.id) + '\n',
  );
  const over = at('-300-');
  appendFileSync(
    file(over.project, over.id),
    limitLine(over.last - 2 * MIN, 'lim-5h', '5-hour limit reached ∙ resets 3pm', over.id) + '\n',
  );
  // A weekly limit two days ago that has reset since: the next 9am after it, named by its date. A
  // weekday ("Mon 9am") would still hold on some days of the week and not on others.
  const weekly = at('-200-');
  const weeklyAt = weekly.last - 2 * MIN;
  const weeklyReset = Math.ceil((weeklyAt - 9 * HOUR) / (24 * HOUR)) * 24 * HOUR + 9 * HOUR;
  appendFileSync(
    file(weekly.project, weekly.id),
    limitLine(
      weeklyAt,
      'lim-week',
      `You've hit your weekly limit · resets ${resetText(weeklyReset, true)} (UTC)`,
      weekly.id,
    ) + '\n',
  );

  // Decisions, placed in time through the store (hooks can only act at the real now).
  const store = openStore(join(env.stateDir, 'state.db'));
  try {
    const ev = (ts: number, session: string | null, decision: string, extra: Partial<EventRow> = {}): void => {
      store.events.insert({
        ts,
        session_id: session,
        hook: session ? 'PreToolUse' : 'cli',
        tool: session ? pick(['Bash', 'Edit', 'Read', 'Task', 'WebFetch']) : null,
        decision,
        state: decision === 'warn' ? 'warned' : decision === 'delay' ? 'pacing' : decision === 'deny' ? 'paused' : null,
        reason: null,
        source: 'local:config',
        sleep_ms: 0,
        duration_ms: 3,
        detail: null,
        ...extra,
      });
    };
    store.db
      .transaction(() => {
        // Silent allows, which the report leaves out.
        for (let i = 0; i < 40; i++) ev(blockFrom + i * 4 * MIN, cur[i % 2]!, 'allow');
        ev(now - 75 * MIN, cur[0]!, 'warn', {
          reason: 'ccguard: 80% of the 5-hour limit used (local:config, the limit in your config).',
        });
        ev(now - 74 * MIN, cur[1]!, 'warn', {
          reason: 'ccguard: 80% of the 5-hour limit used (local:config, the limit in your config).',
        });
        ev(now - 74 * MIN, null, 'notify', {
          hook: 'PreToolUse',
          reason: 'ccguard: token threshold: 80% of the 5-hour limit used.',
        });
        ev(now - 60 * MIN, null, 'pause', { reason: 'paused by hand for 20 min', source: 'manual' });
        for (const m of [58, 52, 45]) {
          ev(now - m * MIN, cur[m % 2]!, 'deny', {
            reason: 'ccguard: paused by hand (ccguard pause). Paused until later.',
          });
        }
        ev(now - 40 * MIN, null, 'resume', { reason: 'lifted pause', source: 'manual' });
        for (const m of [32, 31, 25, 18, 17, 12, 6]) {
          ev(now - m * MIN, cur[m % 2]!, 'delay', {
            reason:
              'ccguard: 91% of the 5-hour limit used (local:config, the limit in your config), ahead of the pace line (76% by now): slowing tool calls by 1s so the rest lasts until the reset',
            sleep_ms: 400 + m * 20,
          });
        }
        ev(now - 9 * MIN, cur[0]!, 'deny', {
          state: 'backoff',
          reason:
            'ccguard: rate limited by the API (3 in a row); backing off for 2 min. Wait, then retry. Run `ccguard resume` to lift it.',
        });
        // Older days.
        const d3 = over.first;
        ev(d3 + 100 * MIN, over.id, 'warn', {
          reason: 'ccguard: 80% of the 5-hour limit used (local:config, the limit in your config).',
        });
        ev(d3 + 130 * MIN, over.id, 'delay', {
          reason:
            'ccguard: 92% of the 5-hour limit used (local:config, the limit in your config), ahead of the pace line (60% by now): slowing tool calls by 1s so the rest lasts until the reset',
          sleep_ms: 1000,
        });
        ev(over.last - MIN, over.id, 'deny', {
          state: 'held',
          reason:
            'ccguard: the 5-hour limit is used up (101%, local:config, the limit in your config). Wait 2h 30m. Run `ccguard resume` to lift it.',
        });
        ev(over.last + 5 * MIN, null, 'alert', { reason: 'alert token fired by hand', source: 'manual' });
        // A pause in the current block, already over, still on record.
        store.recovery.put({
          key: 'pause@legacy',
          kind: 'pause',
          session_id: null,
          level: 0,
          since: now - 60 * MIN,
          until: now - 40 * MIN,
          last_ts: now - 60 * MIN,
          reason: 'paused by hand (ccguard pause)',
          account: 'legacy',
        });
      })
      .immediate();
  } finally {
    store.close();
  }
  return { env, now, sessions, currentSessions: cur, cleanup: () => env.cleanup() };
}
