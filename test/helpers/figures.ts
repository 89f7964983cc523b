// Figures the reliability tests measure, written to bench/out/reliability/<suite>.json as each case
// ends; scripts/reliability-table.mjs merges them into bench/out/reliability.json and the README table.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPO } from './cli.ts';

export const FIGURES_DIR = join(REPO, 'bench', 'out', 'reliability');

export interface Figure {
  /** Load, Faults, Bad input, Config, Security. */
  area: string;
  /** What was tried, in a few words. */
  case: string;
  /** Distinct inputs or situations tried (generated payloads, fault kinds, config mistakes...). */
  cases: number;
  /** Real hook or CLI processes started. */
  processes: number;
  /** Hook calls made, in-process and as processes. */
  calls: number;
  /** Faults injected (files damaged, clocks moved, stand-ins hung...). */
  faults: number;
  /** Per-call wall time of the hooks, ms. */
  maxMs: number | null;
  medianMs: number | null;
  /** What held, said in a few words; replaced by the failure when the case fails. */
  held: string;
  result: 'held' | 'failed';
  /** `long` under CCGUARD_SOAK=long. */
  run: 'default' | 'long';
}

export type FigureDraft = Omit<Figure, 'result' | 'area' | 'case' | 'run'>;

const RUN: Figure['run'] = process.env.CCGUARD_SOAK === 'long' ? 'long' : 'default';

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function max(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => Math.max(a, b), -Infinity);
}

/** A counter a case fills as it runs; its latencies become max and median. */
export class Tally {
  cases = 0;
  processes = 0;
  calls = 0;
  faults = 0;
  readonly latencies: number[] = [];
  constructor(public held: string) {}
  call(ms: number, process = true): void {
    this.calls++;
    if (process) this.processes++;
    this.latencies.push(ms);
  }
  draft(): FigureDraft {
    const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);
    return {
      cases: this.cases,
      processes: this.processes,
      calls: this.calls,
      faults: this.faults,
      maxMs: round(max(this.latencies)),
      medianMs: round(median(this.latencies)),
      held: this.held,
    };
  }
}

function write(suite: string, fig: Figure): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const file = join(FIGURES_DIR, `${suite}.json`);
  let doc: { suite: string; updated: string; machine: Record<string, unknown>; figures: Figure[] };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
  } catch {
    doc = { suite, updated: '', machine: {}, figures: [] };
  }
  doc.updated = new Date().toISOString();
  doc.machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: process.platform,
  };
  doc.figures = [...doc.figures.filter((f) => !(f.area === fig.area && f.case === fig.case)), fig];
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  renameSync(tmp, file);
}

/**
 * Runs one case and records its figures: `held` when the body returns, `failed` (with the first line
 * of the error) when it throws. Each suite (test file) owns one JSON file, so parallel files never
 * write the same one.
 */
export async function measured(
  suite: string,
  area: string,
  name: string,
  tally: Tally,
  body: (t: Tally) => Promise<void> | void,
): Promise<void> {
  try {
    await body(tally);
    write(suite, { area, case: name, ...tally.draft(), result: 'held', run: RUN });
  } catch (err) {
    const line = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160);
    write(suite, { area, case: name, ...tally.draft(), held: `FAILED: ${line}`, result: 'failed', run: RUN });
    throw err;
  }
}
