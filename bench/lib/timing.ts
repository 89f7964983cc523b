import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Cmd {
  name: string;
  argv: string[];
  env?: Record<string, string>;
  input?: string;
}

export interface Sample {
  name: string;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  runs: number;
  /** Peak resident memory of the process, MiB (GNU time's %M over a few extra runs), when measurable. */
  peakRssMb: number | null;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] ?? NaN;
}

/**
 * Wall time of whole processes, the commands interleaved round by round so that load on the machine
 * falls on all of them alike (their ratios are what the figures report).
 */
export function timeInterleaved(cmds: Cmd[], runs: number, warmup = 3): Sample[] {
  const times = cmds.map(() => [] as number[]);
  for (let r = -warmup; r < runs; r++) {
    cmds.forEach((c, i) => {
      const t0 = process.hrtime.bigint();
      const res = spawnSync(c.argv[0]!, c.argv.slice(1), {
        env: { ...process.env, ...c.env },
        input: c.input ?? '',
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 0) throw new Error(`${c.name} exited ${res.status}`);
      if (r >= 0) times[i]!.push(ms);
    });
  }
  return cmds.map((c, i) => ({
    name: c.name,
    medianMs: quantile(times[i]!, 0.5),
    p95Ms: quantile(times[i]!, 0.95),
    minMs: Math.min(...times[i]!),
    runs,
    peakRssMb: peakRss(c),
  }));
}

/**
 * The largest peak RSS of a few runs, measured apart from the timed ones (GNU time forks one more
 * process, which would weigh on the timings).
 */
export function peakRss(c: Cmd, runs = 3): number | null {
  if (!existsSync('/usr/bin/time')) return null;
  let max = 0;
  for (let r = 0; r < runs; r++) {
    const res = spawnSync('/usr/bin/time', ['-f', '%M', ...c.argv], {
      env: { ...process.env, ...c.env },
      input: c.input ?? '',
      stdio: ['pipe', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    const kb = Number(res.stderr.trim().split('\n').at(-1));
    if (!Number.isFinite(kb)) return null;
    max = Math.max(max, kb / 1024);
  }
  return max;
}
