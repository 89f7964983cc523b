// Runs the real ccusage CLI (devDependency, 20.0.20) on a Claude config dir, for cross-checks.
// 20.0.20, not newer: it is the newest ccusage whose native packages the registry has for every
// platform, which a complete package-lock.json (and so `npm ci`) needs. The shapes below were first
// observed on 20.0.24 and are the same on 20.0.20.
// Isolated: arg array (no shell), a minimal env with CLAUDE_CONFIG_DIR, a throwaway HOME and cwd
// (so no user config or ~/.claude is picked up), TZ=UTC, NO_COLOR, --offline pricing.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CCUSAGE_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'ccusage');

const num = z.number();

export const CcusageTokenCountsSchema = z.looseObject({
  inputTokens: num,
  outputTokens: num,
  cacheCreationInputTokens: num,
  cacheReadInputTokens: num,
});

/** One entry of `ccusage blocks --json` (shape observed on 20.0.24 and 20.0.20). */
export const CcusageBlockSchema = z.looseObject({
  /** Block start ISO for normal blocks, `gap-<start ISO>` for gap blocks. */
  id: z.string(),
  /** Floored to the UTC hour for normal blocks; last activity + 5 h for gap blocks. */
  startTime: z.string(),
  /** startTime + 5 h for normal blocks; the next entry's timestamp for gap blocks. */
  endTime: z.string(),
  /** Timestamp of the block's last entry; null for gap blocks. */
  actualEndTime: z.string().nullable(),
  isActive: z.boolean(),
  isGap: z.boolean(),
  /** Deduplicated entries, synthetic zero-usage lines included. */
  entries: num,
  tokenCounts: CcusageTokenCountsSchema,
  /** input + output + cacheCreation + cacheRead. */
  totalTokens: num,
  costUSD: num,
  /** Models in first-use order; `<synthetic>` excluded. */
  models: z.array(z.string()),
  burnRate: z.looseObject({ tokensPerMinute: num, costPerHour: num }).nullable().optional(),
  projection: z.looseObject({ totalTokens: num, totalCost: num, remainingMinutes: num }).nullable().optional(),
});
export type CcusageBlock = z.infer<typeof CcusageBlockSchema>;

export const CcusageBlocksOutputSchema = z.looseObject({ blocks: z.array(CcusageBlockSchema) });

const ModelBreakdownSchema = z.looseObject({
  modelName: z.string(),
  inputTokens: num,
  outputTokens: num,
  cacheCreationTokens: num,
  cacheReadTokens: num,
  cost: num,
});

/** One row of `ccusage session --json` (20.0.24 and 20.0.20). */
export const CcusageSessionSchema = z.looseObject({
  /** The session id taken from the file path: the file name without .jsonl, or for files in
   * `<session>/subagents/` the parent session directory. Rows are per project dir + session. */
  period: z.string(),
  agent: z.string().optional(),
  inputTokens: num,
  outputTokens: num,
  cacheCreationTokens: num,
  cacheReadTokens: num,
  totalTokens: num,
  totalCost: num,
  modelsUsed: z.array(z.string()),
  modelBreakdowns: z.array(ModelBreakdownSchema),
  metadata: z.looseObject({ lastActivity: z.string().optional() }).optional(),
});
export type CcusageSession = z.infer<typeof CcusageSessionSchema>;

export const CcusageSessionOutputSchema = z.looseObject({
  session: z.array(CcusageSessionSchema),
  totals: z.looseObject({
    inputTokens: num,
    outputTokens: num,
    cacheCreationTokens: num,
    cacheReadTokens: num,
    totalTokens: num,
    totalCost: num,
  }),
});
export type CcusageSessionOutput = z.infer<typeof CcusageSessionOutputSchema>;

export interface RunCcusageOptions {
  /** `--active`: only the active block (needs entries within the last 5 hours of the real clock). */
  active?: boolean;
  /** `--mode`: auto (costUSD field when present, else price table), calculate, display. */
  mode?: 'auto' | 'calculate' | 'display';
  /** Extra arguments appended as-is. */
  extraArgs?: string[];
  timeoutMs?: number;
}

/** Runs `ccusage <args>` with an isolated environment and returns its stdout. */
export async function runCcusage(configDir: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'ccguard-ccusage-home-'));
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      CLAUDE_CONFIG_DIR: configDir,
      TZ: 'UTC',
      NO_COLOR: '1',
    };
    return await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [CCUSAGE_BIN, ...args],
        { env, cwd: home, timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err) {
            reject(new Error(`ccusage ${args.join(' ')} failed: ${err.message}\n${stderr}`));
            return;
          }
          resolve(stdout);
        },
      );
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function parseJson(stdout: string, what: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`ccusage ${what} printed no JSON: ${stdout.slice(0, 500)}`);
  }
}

/** `ccusage blocks --json --offline` for a CLAUDE_CONFIG_DIR, validated. Gap blocks included (isGap). */
export async function runCcusageBlocks(configDir: string, opts: RunCcusageOptions = {}): Promise<CcusageBlock[]> {
  const args = ['blocks', '--json', '--offline'];
  if (opts.active) args.push('--active');
  if (opts.mode) args.push('--mode', opts.mode);
  args.push(...(opts.extraArgs ?? []));
  const out = await runCcusage(configDir, args, opts.timeoutMs);
  return CcusageBlocksOutputSchema.parse(parseJson(out, 'blocks')).blocks;
}

/** `ccusage session --json --offline`: per-session token sums and cost, validated. */
export async function runCcusageSessions(
  configDir: string,
  opts: Omit<RunCcusageOptions, 'active'> = {},
): Promise<CcusageSessionOutput> {
  const args = ['session', '--json', '--offline'];
  if (opts.mode) args.push('--mode', opts.mode);
  args.push(...(opts.extraArgs ?? []));
  const out = await runCcusage(configDir, args, opts.timeoutMs);
  return CcusageSessionOutputSchema.parse(parseJson(out, 'session'));
}

/** Per-session cost (USD) keyed by `<period>` (summed when the same id occurs in two project dirs). */
export async function runCcusageSessionCost(
  configDir: string,
  opts: Omit<RunCcusageOptions, 'active'> = {},
): Promise<Map<string, number>> {
  const { session } = await runCcusageSessions(configDir, opts);
  const out = new Map<string, number>();
  for (const s of session) out.set(s.period, (out.get(s.period) ?? 0) + s.totalCost);
  return out;
}
