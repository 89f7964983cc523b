// The usage totals a state directory holds, compared with a clean single import of the same files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ccguard } from './hookProc.ts';

type Row = Record<string, unknown>;

function json(args: string[], env: Record<string, string>): Row[] {
  const r = ccguard(args, env);
  assert.equal(r.code, 0, `ccguard ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Row[];
}

/** What must be equal: counts and tokens exactly; cost to 1e-9 USD (a float sum depends on row order). */
function comparable(rows: Row[], drop: readonly string[]): Row[] {
  return rows.map((r) => {
    const o: Row = {};
    for (const [k, v] of Object.entries(r)) {
      if (drop.includes(k)) continue;
      o[k] = typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e9) / 1e9 : v;
    }
    return o;
  });
}

export interface TotalsView {
  blocks: Row[];
  daily: Row[];
  sessions: Row[];
  entries: number;
}

/** `report blocks|daily|sessions --json` under `env` (which imports what is new first). */
export function totalsOf(env: Record<string, string>): TotalsView {
  // Fields that follow the clock of the moment (activity, projections), not the data.
  const blockDrop = ['is_active', 'burn_rate', 'projection', 'reset_at', 'reset_source'];
  const blocks = comparable(json(['report', 'blocks', '--json'], env), blockDrop);
  const daily = comparable(json(['report', 'daily', '--json'], env), []);
  const sessions = comparable(json(['report', 'sessions', '--json'], env), []);
  const entries = blocks.reduce((a, b) => a + (b.entries as number), 0);
  return { blocks, daily, sessions, entries };
}

/** The totals of a fresh state directory that ran one `ccguard import` of the same transcripts. */
export function cleanTotals(env: Record<string, string>, cleanDir: string): TotalsView {
  const clean = { ...env, CCGUARD_HOME: cleanDir };
  const r = ccguard(['import', '--json'], clean);
  assert.equal(r.code, 0, r.stderr);
  return totalsOf(clean);
}

/** Asserts the state under `env` holds exactly what a clean import of the same files gives. */
export function assertSameAsCleanImport(
  env: Record<string, string>,
  home: string,
  label = 'clean',
  mayBeEmpty = false,
): { entries: number } {
  const shared = totalsOf(env);
  const clean = cleanTotals(env, join(home, `${label}-${process.pid}-${Date.now()}`));
  if (!mayBeEmpty) assert.ok(clean.entries > 0, 'the clean import found responses');
  assert.equal(shared.entries, clean.entries, 'responses');
  assert.deepEqual(shared.blocks, clean.blocks, 'blocks');
  assert.deepEqual(shared.daily, clean.daily, 'daily');
  assert.deepEqual(shared.sessions, clean.sessions, 'sessions');
  return { entries: clean.entries };
}
