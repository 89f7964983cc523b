import { readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Store } from '../store/store.ts';
import { JOURNAL } from './fast.ts';

const Line = z.object({
  ts: z.number(),
  session_id: z.string(),
  hook: z.string(),
  tool: z.string().nullable(),
  duration_ms: z.number(),
});

/** A fast-path writer that opened the journal just before it was moved finishes within this. */
const SETTLE_MS = 2000;

/**
 * Moves the fast path's journal aside and folds settled ones into the events table, so every hook
 * run shows in `ccguard events` and in latency figures without the fast path touching SQLite.
 */
export function ingestJournal(stateDir: string, store: Store, now: number, settleMs = SETTLE_MS): number {
  try {
    renameSync(join(stateDir, JOURNAL), join(stateDir, `journal.${now}.${process.pid}.ingest`));
  } catch {
    // no journal yet
  }
  let names: string[];
  try {
    names = readdirSync(stateDir).filter((n) => n.endsWith('.ingest'));
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    const ts = Number(name.split('.')[1]);
    if (!Number.isFinite(ts) || now - ts < settleMs) continue;
    const claimed = join(stateDir, `${name}.${process.pid}`);
    try {
      renameSync(join(stateDir, name), claimed); // only one process wins each file
    } catch {
      continue;
    }
    const rows = readFileSync(claimed, 'utf8')
      .split('\n')
      .flatMap((l) => {
        if (!l) return [];
        try {
          const r = Line.safeParse(JSON.parse(l));
          return r.success ? [r.data] : [];
        } catch {
          return [];
        }
      });
    store.db
      .transaction(() => {
        for (const r of rows) {
          store.events.insert({
            ts: r.ts, session_id: r.session_id, hook: r.hook, tool: r.tool, decision: 'allow', state: 'normal',
            reason: null, source: 'fast-path', sleep_ms: 0, duration_ms: r.duration_ms, detail: null,
          });
        }
      })
      .immediate();
    unlinkSync(claimed);
    n += rows.length;
  }
  return n;
}
