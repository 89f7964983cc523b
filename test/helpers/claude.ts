// Runs the real Claude Code CLI (node_modules/.bin/claude) headless against a mock Messages API.
//
//   const r = await runClaude({ cwd: project, home, prompt: 'go', baseUrl: api.url });
//   r.exitCode, r.json?.total_cost_usd, findTranscripts(home)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI binary: node_modules/.bin/claude of this repo (CCGUARD_CLAUDE_BIN overrides it). */
export const CLAUDE_BIN = process.env.CCGUARD_CLAUDE_BIN || join(REPO_ROOT, 'node_modules', '.bin', 'claude');

/** Why the CLI cannot be run here, or null when it can. */
export function claudeMissingReason(): string | null {
  if (!existsSync(CLAUDE_BIN)) return `Claude Code CLI not installed (${CLAUDE_BIN} missing)`;
  return null;
}

export function claudeAvailable(): boolean {
  return claudeMissingReason() === null;
}

/** The `-p --output-format json` result object. Only `type` is checked; everything else is optional. */
export interface ClaudeResult {
  type: string;
  subtype?: string;
  is_error?: boolean;
  result?: string;
  session_id?: string;
  total_cost_usd?: number;
  duration_ms?: number;
  duration_api_ms?: number;
  num_turns?: number;
  stop_reason?: string | null;
  api_error_status?: number | null;
  usage?: Record<string, unknown>;
  modelUsage?: Record<string, { inputTokens?: number; outputTokens?: number; costUSD?: number; [k: string]: unknown }>;
  permission_denials?: unknown[];
  [k: string]: unknown;
}

export interface RunClaudeOptions {
  /** Project directory the CLI runs in (reads <cwd>/.claude/settings.json). */
  cwd: string;
  /** HOME for the CLI: its config and transcripts go to <home>/.claude unless configDir is given. */
  home: string;
  prompt: string;
  /** Mock API url (ANTHROPIC_BASE_URL). Required unless env.ANTHROPIC_BASE_URL is given. */
  baseUrl?: string;
  /** CLAUDE_CONFIG_DIR; unset by default. */
  configDir?: string;
  /** CLAUDE_CODE_MAX_RETRIES; unset by default (the CLI then retries API errors itself). */
  maxRetries?: number;
  /** Tools allowed without asking (default ['Bash']). */
  allowedTools?: string[];
  /** Extra CLI arguments, appended after the defaults. */
  args?: string[];
  /** Extra environment, applied last (a value of undefined removes the variable). */
  env?: Record<string, string | undefined>;
  /** Kill the CLI (and its process group) after this long. Default 60 s. */
  timeoutMs?: number;
  /** Data written to the CLI's stdin (default: none, stdin closed). */
  stdin?: string;
}

export interface RunClaudeResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Parsed result object, or null when stdout held none. */
  json: ClaudeResult | null;
  durationMs: number;
  /** The argv used (without the binary), for messages. */
  args: string[];
}

/** Parses the CLI's JSON output leniently: whole stdout, else the last line that parses to a result object. */
export function parseResult(stdout: string): ClaudeResult | null {
  const isResult = (v: unknown): v is ClaudeResult =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string';
  const tryParse = (s: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };
  const whole = tryParse(stdout.trim());
  if (isResult(whole)) return whole;
  // stream-json or noise around the object: take the last line that is a result (prefer type === 'result').
  const candidates = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .map(tryParse)
    .filter(isResult);
  return candidates.filter((c) => c.type === 'result').pop() ?? candidates.pop() ?? null;
}

// Variables of the parent that would change how the CLI behaves (when the tests themselves run inside
// Claude Code, or with a real key in the environment).
function inheritedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(ANTHROPIC_|CLAUDE|AWS_BEARER_TOKEN_BEDROCK$|NODE_OPTIONS$|NODE_TEST_CONTEXT$|VERTEX_|CLOUD_ML_)/.test(k))
      continue;
    if (k === 'DISABLE_TELEMETRY' || k === 'DISABLE_AUTOUPDATER' || k === 'MCP_TIMEOUT') continue;
    out[k] = v;
  }
  return out;
}

export function buildClaudeEnv(opts: RunClaudeOptions): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ...inheritedEnv(),
    HOME: opts.home,
    ANTHROPIC_API_KEY: 'test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    TZ: 'UTC',
  };
  if (opts.baseUrl !== undefined) env.ANTHROPIC_BASE_URL = opts.baseUrl;
  if (opts.configDir !== undefined) env.CLAUDE_CONFIG_DIR = opts.configDir;
  if (opts.maxRetries !== undefined) env.CLAUDE_CODE_MAX_RETRIES = String(opts.maxRetries);
  Object.assign(env, opts.env);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function runClaude(opts: RunClaudeOptions): Promise<RunClaudeResult> {
  const env = buildClaudeEnv(opts);
  if (!env.ANTHROPIC_BASE_URL) throw new Error('runClaude: baseUrl (the mock API url) is required');
  const args = [
    '-p',
    opts.prompt,
    '--output-format',
    'json',
    // --allowedTools takes a variadic list: keep it last among the defaults, joined by commas.
    '--allowedTools',
    (opts.allowedTools ?? ['Bash']).join(','),
    ...(opts.args ?? []),
  ];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = Date.now();

  return new Promise<RunClaudeResult>((resolve, reject) => {
    // detached: the CLI gets its own process group, so a timeout also ends the tools and hooks it started.
    const child = spawn(CLAUDE_BIN, args, { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          /* already gone */
        }
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      hardKill = setTimeout(() => killGroup('SIGKILL'), 2_000);
    }, timeoutMs);

    child.on('error', (err) => {
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      if (timedOut) killGroup('SIGKILL'); // leftovers of the group
      resolve({
        exitCode: code,
        signal,
        timedOut,
        stdout,
        stderr,
        json: parseResult(stdout),
        durationMs: Date.now() - started,
        args,
      });
    });
  });
}

/** Short description of a run for assertion messages. */
export function describeRun(r: RunClaudeResult): string {
  return `exit=${r.exitCode} signal=${r.signal} timedOut=${r.timedOut} ${r.durationMs}ms\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`;
}

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('.jsonl')) out.push(p);
  }
}

/** Every transcript (.jsonl, subagents included) under <configDir ?? home/.claude>/projects, sorted. */
export function findTranscripts(home: string, configDir?: string): string[] {
  const out: string[] = [];
  walk(join(configDir ?? join(home, '.claude'), 'projects'), out);
  return out;
}

/** The project folder name Claude Code uses for a cwd (every non-alphanumeric character becomes '-'). */
export function projectDirName(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/** Parsed lines of a JSONL file; lines that do not parse (a partial last line) are skipped. */
export function readJsonl(path: string): any[] {
  const out: any[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* partial line */
    }
  }
  return out;
}
