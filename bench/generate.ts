// Deterministic generator of realistic Claude Code transcript histories, for benchmarks and for
// cross-checking ccguard's importer against ccusage.
//
//   node --import tsx bench/generate.ts --out DIR --size 100MB --seed 1 [--days 14]
//        [--start 2026-01-05T00:00:00.000Z] [--projects 4] [--no-subagents] [--no-api-errors]
//        [--no-limit-messages] [--no-malformed] [--no-partial-last-line] [--no-duplicate-block-lines]
//        [--no-resumed-sessions] [--expected FILE]
//
// Layout: <root>/projects/<encoded cwd>/<session>.jsonl and <session>/subagents/agent-<id>.jsonl.
// Everything is driven by one seeded PRNG: the same options always give the same bytes.
// Files are streamed to disk in ~1 MiB chunks, so gigabyte histories never sit in memory.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { utimesSync, writeFileSync } from 'node:fs';
import { Rng } from './lib/prng.ts';
import { Corpus, LIMIT_WORDINGS, limitMessage, type LimitWording } from './lib/text.ts';
import { LineWriter } from './lib/writer.ts';

// ---------------------------------------------------------------------------------------------
// Public API

export const MODELS = {
  opus: 'claude-opus-4-5-20251101',
  sonnet: 'claude-sonnet-4-5-20250929',
  haiku: 'claude-haiku-4-5-20251001',
  /** A model no price table knows yet. */
  future: 'claude-sonnet-5-20270101',
} as const;

export const SYNTHETIC_MODEL = '<synthetic>';

export interface GenerateFeatures {
  /** One API response written as one line per content block (same message.id, requestId, usage). */
  duplicateBlockLines?: boolean;
  /** Task tool calls with transcripts under <session>/subagents/agent-<id>.jsonl. */
  subagents?: boolean;
  /** `system/api_error` retry lines and synthetic `isApiErrorMessage` assistant lines. */
  apiErrors?: boolean;
  /** Synthetic assistant lines with every subscription limit wording. */
  limitMessages?: boolean;
  /** Truncated JSON, random bytes, a JSON array, usage as a string, token counts as strings. */
  malformed?: boolean;
  /** Some files end with a line cut mid-JSON and no trailing newline. */
  partialLastLine?: boolean;
  /** Resumed sessions whose files start with copies of an earlier session's lines (same ids in two files). */
  resumedSessions?: boolean;
}

export interface GenerateOptions {
  /** A CLAUDE_CONFIG_DIR: files go to <root>/projects/<encoded-cwd>/<session>.jsonl. */
  root: string;
  targetBytes: number;
  seed: number;
  start: Date;
  days: number;
  projects?: number;
  features?: GenerateFeatures;
}

/** Token sums. `cacheCreation` is what ccusage counts: 5m + 1h when `usage.cache_creation` exists. */
export interface TokenSums {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cacheCreation5m: number;
  cacheCreation1h: number;
  /** input + output + cacheCreation + cacheRead (ccusage's totalTokens). */
  total: number;
}

export type MalformedKind = 'truncated-json' | 'random-bytes' | 'json-array' | 'usage-string' | 'tokens-as-strings';
export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'truncated-json',
  'random-bytes',
  'json-array',
  'usage-string',
  'tokens-as-strings',
];

export interface FileSummary {
  /** Absolute path. */
  path: string;
  /** Path relative to root, with '/' separators. */
  relPath: string;
  kind: 'session' | 'subagent';
  sessionId: string;
  /** The subagent's id (subagent files only). */
  agentId?: string;
  /** Directory name under projects/. */
  projectDir: string;
  cwd: string;
  bytes: number;
  /** Lines including a partial last line. */
  lines: number;
  /** Lines of type user/assistant/system/... that parse as JSON objects. */
  validLines: number;
  /** Valid assistant lines of real (non-synthetic) responses, duplicates included. */
  assistantLines: number;
  /** Distinct message.id:requestId among this file's valid lines. */
  responses: number;
  /** Token sums of those distinct responses (each counted once). */
  tokens: TokenSums;
  /** Valid assistant lines repeating a message.id:requestId already seen in this file. */
  duplicateLines: number;
  /** Lines copied from an earlier session's file (resumed sessions). */
  copiedLines: number;
  /** Responses of this file whose message.id:requestId also appears in a file earlier in path order. */
  crossFileDuplicateResponses: number;
  apiErrorLines: number;
  systemApiErrorLines: number;
  limitMessages: number;
  malformedLines: number;
  partialLastLine: boolean;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

export interface ExpectedBlock {
  startTime: string;
  endTime: string;
  actualEndTime: string;
  /** Deduplicated usage entries in the block, synthetic zero-usage lines included (as ccusage counts). */
  entries: number;
  tokenCounts: {
    inputTokens: number;
    outputTokens: number;
    cacheCreationInputTokens: number;
    cacheReadInputTokens: number;
  };
  totalTokens: number;
  /** Models in order of first use, `<synthetic>` excluded. */
  models: string[];
}

export interface ExpectedLimitMessage {
  relPath: string;
  timestamp: string;
  wording: LimitWording;
  text: string;
  resetsAt: string;
}

export interface Expected {
  files: FileSummary[];
  totals: {
    files: number;
    sessionFiles: number;
    subagentFiles: number;
    /** Distinct session ids. */
    sessions: number;
    lines: number;
    bytes: number;
    /** Distinct message.id:requestId over all files. */
    responses: number;
    /** Token sums over those distinct responses. */
    tokens: TokenSums;
    byModel: Record<string, TokenSums & { responses: number }>;
    assistantLines: number;
    duplicateLines: number;
    copiedLines: number;
    crossFileDuplicateResponses: number;
    apiErrorLines: number;
    systemApiErrorLines: number;
    limitMessages: number;
    malformedLines: number;
    malformedByKind: Record<MalformedKind, number>;
    partialLastLines: number;
    /** Entries as ccusage 20.0.20 (and 20.0.24) counts them: distinct real responses plus synthetic lines. */
    usageEntries: number;
    subagentResponses: number;
  };
  limitMessages: ExpectedLimitMessage[];
  /** Non-gap 5-hour blocks as ccusage 20.0.20 (and 20.0.24) computes them from these files. */
  ccusageBlocks: ExpectedBlock[];
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

export interface GenerateResult {
  /** Absolute paths of all written files, sorted. */
  files: string[];
  bytes: number;
  /** Distinct message.id:requestId over all files. */
  responses: number;
  expected: Expected;
}

const DEFAULT_FEATURES: Required<GenerateFeatures> = {
  duplicateBlockLines: true,
  subagents: true,
  apiErrors: true,
  limitMessages: true,
  malformed: true,
  partialLastLine: true,
  resumedSessions: true,
};

// ---------------------------------------------------------------------------------------------
// Planning: work periods over the days, sessions inside them.

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Rough bytes per main-session API call the plan aims for (tool results make up most of it). */
const BYTES_PER_CALL = 9_000;

interface Period {
  start: number;
  end: number;
}

interface Project {
  cwd: string;
  dir: string;
  branch: string;
}

interface Segment {
  start: number;
  end: number;
  calls: number;
}

interface SessionPlan {
  index: number;
  id: string;
  project: Project;
  segments: Segment[];
  model: string;
  ttl: '5m' | '1h' | 'mixed' | 'legacy';
  version: string;
  resumeFrom: SessionPlan | undefined;
}

const PROJECT_NAMES = [
  'ccguard',
  'web-app',
  'api-server',
  'infra',
  'data-pipeline',
  'mobile-client',
  'docs-site',
  'ml-experiments',
];
const BRANCHES = ['main', 'main', 'main', 'feature/limits', 'fix/flaky-test', 'refactor-store'];
const VERSIONS = ['2.0.76', '2.1.197', '2.1.330'];

function planPeriods(rng: Rng, startMs: number, days: number): Period[] {
  const periods: Period[] = [];
  const endMs = startMs + days * DAY;
  let cursor = startMs;
  for (let d = 0; d < days; d++) {
    const dayStart = startMs + d * DAY;
    const dayEnd = Math.min(dayStart + DAY, endMs) - 15 * MIN;
    if (d > 0 && rng.chance(0.12)) continue; // a day off
    let t = Math.max(cursor, dayStart + rng.range(6, 8) * HOUR);
    let n = 0;
    for (;;) {
      // Day 0 always starts with > 5 h of continuous work (a block ended by its 5-hour end)
      // followed by a > 5 h pause (a block split by inactivity).
      const long = (d === 0 && n === 0) || rng.chance(0.3);
      let dur =
        d === 0 && n === 0 ? rng.range(5.5, 6.5) * HOUR : long ? rng.range(5.5, 9) * HOUR : rng.range(0.75, 4) * HOUR;
      if (t + dur > dayEnd) dur = dayEnd - t;
      if (dur < 30 * MIN) break;
      periods.push({ start: Math.round(t), end: Math.round(t + dur) });
      n++;
      const gapKind =
        d === 0 && n === 1
          ? 'long'
          : rng.weighted([
              ['long', 45],
              ['short', 35],
              ['medium', 20],
            ] as const);
      const gap =
        d === 0 && n === 1
          ? rng.range(5.5, 6.2)
          : gapKind === 'long'
            ? rng.range(5.3, 8)
            : gapKind === 'medium'
              ? rng.range(3, 5)
              : rng.range(0.3, 2.5);
      t += dur + gap * HOUR;
    }
    cursor = t;
  }
  return periods;
}

function makeProjects(rng: Rng, count: number): Project[] {
  const out: Project[] = [];
  for (let i = 0; i < count; i++) {
    const base = PROJECT_NAMES[i % PROJECT_NAMES.length] ?? 'project';
    const name = i < PROJECT_NAMES.length ? base : `${base}-${Math.floor(i / PROJECT_NAMES.length) + 1}`;
    const cwd = `/home/dev/code/${name}`;
    out.push({ cwd, dir: encodeCwd(cwd), branch: rng.pick(BRANCHES) });
  }
  return out;
}

/** Claude Code's project directory name: the cwd with every non-alphanumeric character as '-'. */
export function encodeCwd(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

function planSessions(
  rng: Rng,
  periods: Period[],
  projects: Project[],
  targetBytes: number,
  features: Required<GenerateFeatures>,
): SessionPlan[] {
  const totalDur = periods.reduce((s, p) => s + (p.end - p.start), 0);
  const wanted = Math.round(targetBytes / BYTES_PER_CALL);
  const sessions: SessionPlan[] = [];
  const newSession = (project: Project): SessionPlan => {
    const plan: SessionPlan = {
      index: sessions.length,
      id: rng.uuid(),
      project,
      segments: [],
      model: rng.weighted([
        [MODELS.opus, 45],
        [MODELS.sonnet, 38],
        [MODELS.future, 10],
        [MODELS.haiku, 7],
      ] as const),
      ttl: rng.weighted([
        ['5m', 55],
        ['1h', 30],
        ['mixed', 10],
        ['legacy', 5],
      ] as const),
      version: rng.pick(VERSIONS),
      resumeFrom: undefined,
    };
    if (features.resumedSessions && sessions.length > 0 && rng.chance(0.12)) {
      for (let i = sessions.length - 1; i >= 0; i--) {
        const s = sessions[i];
        if (s && s.project === project) {
          plan.resumeFrom = s;
          break;
        }
      }
    }
    sessions.push(plan);
    return plan;
  };
  let previousMain: SessionPlan | undefined;
  for (const p of periods) {
    const dur = p.end - p.start;
    const calls = Math.max(Math.ceil(dur / (12 * MIN)), Math.round((wanted * dur) / totalDur));
    const k = Math.min(1 + (rng.chance(0.35) ? 1 : 0) + (rng.chance(0.15) ? 1 : 0), Math.max(1, Math.floor(calls / 3)));
    const mainShare = k === 1 ? 1 : rng.range(0.45, 0.7);
    const mainCalls = Math.max(2, Math.round(calls * mainShare));
    // The main lane covers the whole period (continuous activity) as a chain of sessions of
    // varying length; the first may continue the previous period's last one in the same file.
    const chunks: Array<{ start: number; end: number }> = [];
    for (let t = p.start; t < p.end;) {
      let len = Math.max(15 * MIN, rng.logNormal(70 * MIN, 0.8));
      if (p.end - (t + len) < 15 * MIN) len = p.end - t;
      chunks.push({ start: t, end: Math.round(t + len) });
      t = Math.round(t + len);
    }
    let main: SessionPlan | undefined;
    for (let ci = 0; ci < chunks.length; ci++) {
      const ch = chunks[ci] as { start: number; end: number };
      const c = Math.max(2, Math.round((mainCalls * (ch.end - ch.start)) / dur));
      main =
        ci === 0 && previousMain && rng.chance(0.3)
          ? previousMain
          : newSession(rng.chance(0.6) ? (projects[0] as Project) : rng.pick(projects));
      main.segments.push({ start: ch.start, end: ch.end, calls: c });
    }
    if (!main) continue;
    previousMain = main;
    const used = new Set<Project>([main.project]);
    let rest = Math.max(0, calls - mainCalls);
    for (let i = 1; i < k; i++) {
      const c = i === k - 1 ? rest : Math.round(rest * rng.range(0.3, 0.7));
      rest -= c;
      if (c < 2) continue;
      const free = projects.filter((pr) => !used.has(pr));
      const project = free.length > 0 ? rng.pick(free) : rng.pick(projects);
      used.add(project);
      const minSpan = Math.min(20 * MIN, dur);
      const a = Math.round(rng.range(p.start, p.end - minSpan));
      const b = Math.round(rng.range(a + minSpan, p.end));
      newSession(project).segments.push({ start: a, end: b, calls: c });
    }
  }
  return sessions;
}

/** n sorted timestamps in [start, end], spaced by normalized exponential gaps (bursty, no long holes). */
function spread(rng: Rng, start: number, end: number, n: number): number[] {
  const gaps: number[] = [];
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const g = rng.exp(1) + 0.05;
    gaps.push(g);
    sum += g;
  }
  const out: number[] = [];
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += gaps[i] ?? 0;
    out.push(Math.round(start + ((end - start) * acc) / sum));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping: what was written, as ccusage and ccguard should read it.

interface Entry {
  ts: number;
  msgId: string;
  reqId: string | undefined;
  sessionId: string;
  model: string;
  input: number;
  output: number;
  cc5: number;
  cc1: number;
  /** ccusage's cache creation count: 5m + 1h when the split exists, else cache_creation_input_tokens. */
  cc: number;
  cr: number;
  synthetic: boolean;
}

function zeroSums(): TokenSums {
  return { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, cacheCreation5m: 0, cacheCreation1h: 0, total: 0 };
}

function addEntry(s: TokenSums, e: Entry): void {
  s.input += e.input;
  s.output += e.output;
  s.cacheCreation += e.cc;
  s.cacheRead += e.cr;
  s.cacheCreation5m += e.cc5;
  s.cacheCreation1h += e.cc1;
  s.total += e.input + e.output + e.cc + e.cr;
}

function entryTotal(e: Entry): number {
  return e.input + e.output + e.cc + e.cr;
}

class FileCtx {
  readonly entries: Entry[] = [];
  readonly summary: FileSummary;
  private readonly keys = new Set<string>();

  constructor(
    readonly gen: Gen,
    readonly w: LineWriter,
    rel: string,
    kind: 'session' | 'subagent',
    sessionId: string,
    project: Project,
    agentId: string | undefined,
  ) {
    this.summary = {
      path: w.path,
      relPath: rel,
      kind,
      sessionId,
      ...(agentId !== undefined ? { agentId } : {}),
      projectDir: project.dir,
      cwd: project.cwd,
      bytes: 0,
      lines: 0,
      validLines: 0,
      assistantLines: 0,
      responses: 0,
      tokens: zeroSums(),
      duplicateLines: 0,
      copiedLines: 0,
      crossFileDuplicateResponses: 0,
      apiErrorLines: 0,
      systemApiErrorLines: 0,
      limitMessages: 0,
      malformedLines: 0,
      partialLastLine: false,
      firstTimestamp: null,
      lastTimestamp: null,
    };
  }

  private stamp(ts: number | undefined): void {
    if (ts === undefined) return;
    const iso = new Date(ts).toISOString();
    if (this.summary.firstTimestamp === null || iso < this.summary.firstTimestamp) this.summary.firstTimestamp = iso;
    if (this.summary.lastTimestamp === null || iso > this.summary.lastTimestamp) this.summary.lastTimestamp = iso;
  }

  /** A valid non-usage line (user, system, summary, ...). */
  async other(line: string, ts?: number): Promise<void> {
    this.summary.validLines++;
    this.stamp(ts);
    this.gen.approx += line.length + 1;
    await this.w.line(line);
  }

  /** A valid assistant line carrying usage. */
  async usage(line: string, e: Entry): Promise<void> {
    this.summary.validLines++;
    this.stamp(e.ts);
    this.gen.approx += line.length + 1;
    this.entries.push(e);
    if (!e.synthetic && e.reqId !== undefined) {
      this.summary.assistantLines++;
      const key = `${e.msgId}:${e.reqId}`;
      if (this.keys.has(key)) this.summary.duplicateLines++;
      else {
        this.keys.add(key);
        this.summary.responses++;
        addEntry(this.summary.tokens, e);
      }
    }
    await this.w.line(line);
  }

  async malformed(data: string | Buffer, kind: MalformedKind): Promise<void> {
    this.summary.malformedLines++;
    this.gen.malformedByKind[kind]++;
    this.gen.approx += data.length + 1;
    await this.w.raw(data, true);
    await this.w.raw('\n', false);
  }

  async partial(data: string): Promise<void> {
    this.summary.partialLastLine = true;
    this.gen.approx += data.length;
    await this.w.raw(data, true);
  }

  async close(): Promise<void> {
    await this.w.close();
    this.summary.bytes = this.w.bytes;
    this.summary.lines = this.w.lines;
  }
}

// ---------------------------------------------------------------------------------------------
// Conversation simulation.

interface Conv {
  file: FileCtx;
  sessionId: string;
  project: Project;
  version: string;
  model: string;
  ttl: SessionPlan['ttl'];
  agentId: string | undefined;
  lastUuid: string | null;
  /** Tokens of context (system prompt, tools, conversation) the next call sends. */
  ctx: number;
  /** Prefix of ctx that is in the prompt cache. */
  cached: number;
  lastCallTs: number;
  /** The system prompt + tool definitions. */
  system: number;
  /** First lines kept for resumed sessions to copy. */
  head: HeadLine[] | undefined;
  lastAssistantLine: string | undefined;
  pendingMalformed: number[];
  callNo: number;
}

interface HeadLine {
  line: string;
  entry: Entry | undefined;
  ts: number;
}

const TOOLS = ['Bash', 'Read', 'Edit', 'Grep', 'Glob', 'Write', 'TodoWrite', 'WebFetch'] as const;
type ToolName = (typeof TOOLS)[number] | 'Task';

class Gen {
  readonly rng: Rng;
  readonly corpus: Corpus;
  approx = 0;
  plannedCalls = 0;
  doneCalls = 0;
  /** Running sums for the byte-budget controller. */
  private overheadSum = 0;
  private toolCallSum = 0;
  readonly files: FileCtx[] = [];
  readonly limitMessages: ExpectedLimitMessage[] = [];
  readonly malformedByKind: Record<MalformedKind, number> = {
    'truncated-json': 0,
    'random-bytes': 0,
    'json-array': 0,
    'usage-string': 0,
    'tokens-as-strings': 0,
  };
  malformedIssued = 0;
  readonly heads = new Map<SessionPlan, HeadLine[]>();
  limitEpisodes = 0;
  apiErrorEpisodes = 0;
  subagentFiles = 0;
  subagentResponses = 0;

  constructor(
    readonly opts: GenerateOptions,
    readonly features: Required<GenerateFeatures>,
  ) {
    this.rng = new Rng(opts.seed);
    this.corpus = new Corpus(this.rng.fork(1));
  }

  iso(ts: number): string {
    return new Date(ts).toISOString();
  }

  msgId(): string {
    return 'msg_01' + this.rng.chars(22);
  }

  reqId(): string {
    return 'req_011C' + this.rng.chars(20);
  }

  toolId(): string {
    return 'toolu_01' + this.rng.chars(22);
  }

  async openFile(
    rel: string,
    kind: 'session' | 'subagent',
    sessionId: string,
    project: Project,
    agentId?: string,
  ): Promise<FileCtx> {
    const w = await LineWriter.create(join(this.opts.root, ...rel.split('/')));
    const f = new FileCtx(this, w, rel, kind, sessionId, project, agentId);
    this.files.push(f);
    return f;
  }

  /** Characters of tool-result content for the next tool call, steering the total towards targetBytes. */
  contentBudget(nTools: number): number {
    const remaining = this.opts.targetBytes - this.approx;
    const callsLeft = Math.max(1, this.plannedCalls - this.doneCalls);
    const toolFrac = this.doneCalls > 20 ? this.toolCallSum / this.doneCalls : 0.65;
    const overhead = this.doneCalls > 20 ? this.overheadSum / this.doneCalls : 2500;
    const perToolCall = (remaining - callsLeft * overhead) / Math.max(1, callsLeft * toolFrac);
    // Content appears twice (message content and toolUseResult), JSON escaping adds a little.
    const mean = Math.max(40, perToolCall / 2.1 / nTools);
    const sigma = 0.9;
    const v = this.rng.logNormal(mean / Math.exp((sigma * sigma) / 2), sigma);
    return Math.round(Math.min(Math.max(v, 20), 4 * 1024 * 1024));
  }

  recordCall(bytes: number, contentChars: number, hadTools: boolean): void {
    this.doneCalls++;
    this.overheadSum += Math.max(0, bytes - contentChars * 2.1);
    if (hadTools) this.toolCallSum++;
  }

  usageFor(
    conv: Conv,
    ts: number,
    model: string,
  ): {
    usage: Record<string, unknown>;
    entryPart: Omit<Entry, 'ts' | 'msgId' | 'reqId' | 'sessionId' | 'model' | 'synthetic'>;
  } {
    const rng = this.rng;
    const ttlMs = conv.ttl === '1h' ? HOUR : 5 * MIN;
    let cr: number;
    let cc: number;
    if (conv.cached === 0 || ts - conv.lastCallTs > ttlMs) {
      cr = rng.chance(0.5) ? Math.floor(conv.system * 0.85) : 0;
      cc = Math.max(0, conv.ctx - cr);
    } else {
      cr = conv.cached;
      cc = Math.max(0, conv.ctx - conv.cached);
    }
    const input = rng.chance(0.05) ? rng.int(100, 4000) : rng.int(1, 12);
    let output = Math.round(Math.min(32000, Math.max(1, rng.logNormal(160, 1.1))));
    if (model === MODELS.haiku) output = Math.min(output, 4000);
    conv.cached = cr + cc;
    conv.ctx = conv.cached + input + output;
    conv.lastCallTs = ts;
    let cc5 = cc;
    let cc1 = 0;
    if (conv.ttl === '1h') {
      cc5 = 0;
      cc1 = cc;
    } else if (conv.ttl === 'mixed') {
      cc1 = Math.floor(cc * rng.range(0.2, 0.8));
      cc5 = cc - cc1;
    }
    const usage: Record<string, unknown> = {
      input_tokens: input,
      cache_creation_input_tokens: cc,
      cache_read_input_tokens: cr,
    };
    if (conv.ttl !== 'legacy')
      usage.cache_creation = { ephemeral_5m_input_tokens: cc5, ephemeral_1h_input_tokens: cc1 };
    usage.output_tokens = output;
    usage.service_tier = 'standard';
    return {
      usage,
      entryPart:
        conv.ttl === 'legacy'
          ? { input, output, cc5: 0, cc1: 0, cc, cr }
          : { input, output, cc5, cc1, cc: cc5 + cc1, cr },
    };
  }

  base(conv: Conv): Record<string, unknown> {
    const o: Record<string, unknown> = {
      parentUuid: conv.lastUuid,
      isSidechain: conv.agentId !== undefined,
      userType: 'external',
      cwd: conv.project.cwd,
      sessionId: conv.sessionId,
      version: conv.version,
      gitBranch: conv.project.branch,
    };
    if (conv.agentId !== undefined) o.agentId = conv.agentId;
    return o;
  }

  async userPrompt(conv: Conv, ts: number, text: string, keepHead: boolean): Promise<void> {
    const uuid = this.rng.uuid();
    const o = {
      ...this.base(conv),
      type: 'user',
      message: { role: 'user', content: text },
      uuid,
      timestamp: this.iso(ts),
    };
    if (conv.agentId === undefined && this.rng.chance(0.3)) {
      await conv.file.other(
        JSON.stringify({
          type: 'file-history-snapshot',
          messageId: uuid,
          snapshot: { messageId: uuid, trackedFileBackups: {}, timestamp: this.iso(ts) },
          isSnapshotUpdate: false,
        }),
        ts,
      );
    }
    const line = JSON.stringify(o);
    conv.lastUuid = uuid;
    await conv.file.other(line, ts);
    if (keepHead && conv.head && conv.head.length < 24) conv.head.push({ line, entry: undefined, ts });
  }

  /** Writes one API response (several lines when duplicateBlockLines). Returns the bytes written. */
  async assistant(
    conv: Conv,
    ts: number,
    content: Record<string, unknown>[],
    stopReason: string,
    keepHead: boolean,
  ): Promise<number> {
    const rng = this.rng;
    const model = conv.model;
    const msgId = this.msgId();
    const reqId = this.reqId();
    const { usage, entryPart } = this.usageFor(conv, ts, model);
    const blocks = this.features.duplicateBlockLines ? content.map((b) => [b]) : [content];
    let t = ts;
    let bytes = 0;
    for (let i = 0; i < blocks.length; i++) {
      const uuid = rng.uuid();
      const last = i === blocks.length - 1;
      const o = {
        ...this.base(conv),
        message: {
          id: msgId,
          type: 'message',
          role: 'assistant',
          model,
          content: blocks[i],
          stop_reason: last ? stopReason : null,
          stop_sequence: null,
          usage,
        },
        requestId: reqId,
        type: 'assistant',
        uuid,
        timestamp: this.iso(t),
      };
      const line = JSON.stringify(o);
      const entry: Entry = { ts: t, msgId, reqId, sessionId: conv.sessionId, model, synthetic: false, ...entryPart };
      await conv.file.usage(line, entry);
      if (keepHead && conv.head && conv.head.length < 24 && line.length < 4096) conv.head.push({ line, entry, ts: t });
      conv.lastUuid = uuid;
      conv.lastAssistantLine = line;
      bytes += line.length + 1;
      t += rng.int(15, 900);
    }
    return bytes;
  }

  async synthetic(conv: Conv, ts: number, text: string, error: string, status: number | undefined): Promise<void> {
    const uuid = this.rng.uuid();
    const msgId = this.rng.uuid();
    const o: Record<string, unknown> = {
      ...this.base(conv),
      type: 'assistant',
      uuid,
      timestamp: this.iso(ts),
      message: {
        id: msgId,
        container: null,
        model: SYNTHETIC_MODEL,
        role: 'assistant',
        stop_reason: 'stop_sequence',
        stop_sequence: '',
        type: 'message',
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          server_tool_use: { web_search_requests: 0 },
          service_tier: null,
          cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
        },
        content: [{ type: 'text', text }],
      },
      error,
      isApiErrorMessage: true,
    };
    if (status !== undefined) o.apiErrorStatus = status;
    conv.lastUuid = uuid;
    const e: Entry = {
      ts,
      msgId,
      reqId: undefined,
      sessionId: conv.sessionId,
      model: SYNTHETIC_MODEL,
      input: 0,
      output: 0,
      cc5: 0,
      cc1: 0,
      cc: 0,
      cr: 0,
      synthetic: true,
    };
    await conv.file.usage(JSON.stringify(o), e);
  }

  async apiErrorEpisode(conv: Conv, ts: number, fail: boolean): Promise<number> {
    const rng = this.rng;
    this.apiErrorEpisodes++;
    const kind = rng.weighted([
      ['rate_limit', 70],
      ['overloaded', 20],
      ['server_error', 10],
    ] as const);
    const status = kind === 'rate_limit' ? 429 : kind === 'overloaded' ? 529 : 500;
    const retries = rng.int(1, 4);
    let t = ts;
    for (let i = 1; i <= retries; i++) {
      const retryInMs = Math.round(Math.min(32000, 500 * 2 ** (i - 1)) * rng.range(0.8, 1.2));
      const uuid = rng.uuid();
      const o = {
        ...this.base(conv),
        type: 'system',
        subtype: 'api_error',
        level: 'error',
        error: {
          status,
          headers: {},
          requestID: this.reqId(),
          error: {
            type: 'error',
            error: {
              type:
                kind === 'rate_limit' ? 'rate_limit_error' : kind === 'overloaded' ? 'overloaded_error' : 'api_error',
              message:
                kind === 'rate_limit'
                  ? 'Number of request tokens has exceeded your per-minute rate limit'
                  : 'Overloaded',
            },
          },
        },
        retryInMs,
        retryAttempt: i,
        maxRetries: 10,
        timestamp: this.iso(t),
        uuid,
      };
      conv.lastUuid = uuid;
      conv.file.summary.systemApiErrorLines++;
      await conv.file.other(JSON.stringify(o), t);
      t += retryInMs;
    }
    if (fail) {
      const text =
        kind === 'rate_limit'
          ? 'API Error: Request rejected (429) \u00b7 This request would exceed the rate limit for your organization of 40,000 input tokens per minute.'
          : kind === 'overloaded'
            ? 'API Error: Repeated 529 Overloaded errors \u00b7 check status.anthropic.com'
            : 'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}';
      conv.file.summary.apiErrorLines++;
      await this.synthetic(conv, t, text, kind, status);
      t += 1;
    }
    return t;
  }

  async limitEpisode(conv: Conv, ts: number, wordings: readonly LimitWording[]): Promise<void> {
    let t = ts;
    this.limitEpisodes++;
    for (const wording of wordings) {
      await this.userPrompt(conv, t, this.corpus.sentence(this.rng, 3, 12), false);
      t += this.rng.int(800, 4000);
      const { text, resetsAtMs } = limitMessage(this.rng, wording, t);
      conv.file.summary.limitMessages++;
      this.limitMessages.push({
        relPath: conv.file.summary.relPath,
        timestamp: this.iso(t),
        wording,
        text,
        resetsAt: this.iso(resetsAtMs),
      });
      await this.synthetic(conv, t, text, 'rate_limit', wording === 'legacy-pipe' ? undefined : 429);
      t += this.rng.int(20_000, 120_000);
    }
  }

  toolUse(conv: Conv, name: ToolName): Record<string, unknown> {
    const rng = this.rng;
    const file = `${conv.project.cwd}/src/${rng.pick(['index', 'store', 'usage', 'blocks', 'config', 'cli', 'hooks', 'parser'])}.ts`;
    let input: Record<string, unknown>;
    switch (name) {
      case 'Bash':
        input = {
          command: rng.pick([
            'npm test',
            'git status',
            'npx tsc --noEmit',
            'ls -la src',
            'node scripts/run-tests.mjs',
            'git diff --stat',
          ]),
          description: this.corpus.sentence(rng, 3, 8),
        };
        break;
      case 'Read':
        input = { file_path: file };
        break;
      case 'Edit':
        input = {
          file_path: file,
          old_string: this.corpus.slice(rng, rng.int(20, 300)),
          new_string: this.corpus.slice(rng, rng.int(20, 400)),
        };
        break;
      case 'Write':
        input = { file_path: file, content: this.corpus.slice(rng, rng.int(200, 3000)) };
        break;
      case 'Grep':
        input = {
          pattern: rng.pick(['usage', 'requestId', 'TODO', 'export function']),
          path: conv.project.cwd,
          output_mode: 'content',
        };
        break;
      case 'Glob':
        input = { pattern: '**/*.ts' };
        break;
      case 'TodoWrite':
        input = {
          todos: [
            {
              content: this.corpus.sentence(rng, 3, 8),
              status: 'in_progress',
              activeForm: this.corpus.sentence(rng, 3, 8),
            },
          ],
        };
        break;
      case 'WebFetch':
        input = { url: 'https://docs.example.com/api', prompt: this.corpus.sentence(rng, 4, 10) };
        break;
      case 'Task':
        input = {
          description: this.corpus.sentence(rng, 2, 5),
          prompt: this.corpus.sentence(rng, 10, 40),
          subagent_type: rng.pick(['general-purpose', 'Explore']),
        };
        break;
    }
    return { type: 'tool_use', id: this.toolId(), name, input };
  }

  async toolResult(
    conv: Conv,
    ts: number,
    use: Record<string, unknown>,
    chars: number,
    extra?: Record<string, unknown>,
  ): Promise<void> {
    const rng = this.rng;
    const name = use.name as ToolName;
    const content = this.corpus.slice(rng, chars);
    const isError = rng.chance(0.04);
    let toolUseResult: unknown;
    const input = use.input as Record<string, unknown>;
    switch (name) {
      case 'Bash':
        toolUseResult = { stdout: content, stderr: '', interrupted: false, isImage: false };
        break;
      case 'Read': {
        const numLines = content.split('\n').length;
        toolUseResult = {
          type: 'text',
          file: { filePath: input.file_path, content, numLines, startLine: 1, totalLines: numLines },
        };
        break;
      }
      case 'Edit':
      case 'Write':
        toolUseResult = {
          filePath: input.file_path,
          oldString: input.old_string ?? '',
          newString: input.new_string ?? '',
          originalFile: content,
          structuredPatch: [{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 4, lines: ['-a', '+b'] }],
          userModified: false,
          replaceAll: false,
        };
        break;
      case 'Grep':
        toolUseResult = {
          mode: 'content',
          numFiles: rng.int(1, 30),
          filenames: [],
          content,
          numLines: rng.int(1, 400),
        };
        break;
      case 'Task':
        toolUseResult = extra;
        break;
      default:
        toolUseResult = content;
    }
    const uuid = rng.uuid();
    const o = {
      ...this.base(conv),
      type: 'user',
      message: {
        role: 'user',
        content: [
          {
            tool_use_id: use.id,
            type: 'tool_result',
            content:
              name === 'Edit' || name === 'Write' ? `The file ${String(input.file_path)} has been updated.` : content,
            ...(isError ? { is_error: true } : {}),
          },
        ],
      },
      uuid,
      timestamp: this.iso(ts),
      toolUseResult,
    };
    conv.lastUuid = uuid;
    await conv.file.other(JSON.stringify(o), ts);
  }

  assistantContent(conv: Conv, tools: Record<string, unknown>[], finalText: boolean): Record<string, unknown>[] {
    const rng = this.rng;
    const content: Record<string, unknown>[] = [];
    if (conv.model !== MODELS.haiku && rng.chance(0.4)) {
      content.push({
        type: 'thinking',
        thinking: this.corpus.slice(rng, rng.int(60, 1500)),
        signature: 'Eq' + rng.chars(rng.int(200, 600)),
      });
    }
    if (finalText || rng.chance(0.5))
      content.push({ type: 'text', text: this.corpus.slice(rng, finalText ? rng.int(40, 2500) : rng.int(20, 300)) });
    content.push(...tools);
    if (content.length === 0) content.push({ type: 'text', text: 'Done.' });
    return content;
  }

  async maybeMalformed(conv: Conv): Promise<void> {
    while (conv.pendingMalformed.length > 0 && conv.pendingMalformed[0] === conv.callNo) {
      conv.pendingMalformed.shift();
      const kind = MALFORMED_KINDS[this.malformedIssued % MALFORMED_KINDS.length] as MalformedKind;
      this.malformedIssued++;
      await conv.file.malformed(this.malformedLine(conv, kind), kind);
    }
  }

  malformedLine(conv: Conv, kind: MalformedKind): string | Buffer {
    const rng = this.rng;
    const ts = conv.lastCallTs + 1;
    const fake = {
      ...this.base(conv),
      message: {
        id: this.msgId(),
        type: 'message',
        role: 'assistant',
        model: conv.model,
        content: [{ type: 'text', text: 'partial' }],
        usage: {
          input_tokens: 7,
          cache_creation_input_tokens: 100,
          cache_read_input_tokens: 1000,
          output_tokens: 50,
          service_tier: 'standard',
        },
      },
      requestId: this.reqId(),
      type: 'assistant',
      uuid: rng.uuid(),
      timestamp: this.iso(ts),
    };
    switch (kind) {
      case 'truncated-json': {
        const s = JSON.stringify(fake);
        return s.slice(0, rng.int(Math.floor(s.length * 0.3), s.length - 2));
      }
      case 'random-bytes': {
        const b = Buffer.alloc(rng.int(8, 200));
        for (let i = 0; i < b.length; i++) {
          let v = rng.int(0, 255);
          if (v === 0x0a || v === 0x0d) v = 0xff;
          b[i] = v;
        }
        return b;
      }
      case 'json-array':
        return JSON.stringify([fake]);
      case 'usage-string':
        return JSON.stringify({ ...fake, message: { ...fake.message, usage: 'input_tokens=7 output_tokens=50' } });
      case 'tokens-as-strings':
        return JSON.stringify({
          ...fake,
          message: {
            ...fake.message,
            usage: {
              input_tokens: '7',
              cache_creation_input_tokens: 100,
              cache_read_input_tokens: 1000,
              output_tokens: '50',
              service_tier: 'standard',
            },
          },
        });
    }
  }

  async partialLine(conv: Conv): Promise<void> {
    const rng = this.rng;
    let s: string;
    if (conv.lastAssistantLine !== undefined && rng.chance(0.5)) {
      s = conv.lastAssistantLine; // one more content-block line of the last response, cut short
    } else {
      const ts = conv.lastCallTs + rng.int(1000, 60000);
      s = JSON.stringify({
        ...this.base(conv),
        message: {
          id: this.msgId(),
          type: 'message',
          role: 'assistant',
          model: conv.model,
          content: [{ type: 'text', text: this.corpus.slice(rng, 400) }],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 3,
            cache_creation_input_tokens: 500,
            cache_read_input_tokens: 20000,
            output_tokens: 120,
            service_tier: 'standard',
          },
        },
        requestId: this.reqId(),
        type: 'assistant',
        uuid: rng.uuid(),
        timestamp: this.iso(ts),
      });
    }
    await conv.file.partial(s.slice(0, rng.int(Math.floor(s.length * 0.2), s.length - 2)));
  }

  newConv(
    file: FileCtx,
    sessionId: string,
    project: Project,
    model: string,
    ttl: SessionPlan['ttl'],
    version: string,
    agentId: string | undefined,
  ): Conv {
    const system = agentId === undefined ? this.rng.int(11000, 19000) : this.rng.int(4000, 9000);
    return {
      file,
      sessionId,
      project,
      version,
      model,
      ttl,
      agentId,
      lastUuid: null,
      ctx: system,
      cached: 0,
      lastCallTs: 0,
      system,
      head: agentId === undefined ? [] : undefined,
      lastAssistantLine: undefined,
      pendingMalformed: [],
      callNo: 0,
    };
  }

  compactIfNeeded(conv: Conv): Promise<void> | undefined {
    if (conv.ctx < 165_000) return undefined;
    const before = conv.ctx;
    conv.ctx = conv.system + this.rng.int(6000, 20000);
    conv.cached = 0;
    const uuid = this.rng.uuid();
    const o = {
      ...this.base(conv),
      type: 'system',
      subtype: 'compact_boundary',
      content: 'Conversation compacted',
      level: 'info',
      compactMetadata: { trigger: 'auto', preTokens: before },
      timestamp: this.iso(conv.lastCallTs + 1),
      uuid,
    };
    conv.lastUuid = uuid;
    return conv.file.other(JSON.stringify(o), conv.lastCallTs + 1);
  }

  /** Adds a tool result's tokens to the context. */
  grow(conv: Conv, chars: number): void {
    conv.ctx += Math.min(25_000, Math.round(chars / 3.6));
  }

  async subagent(
    parent: Conv,
    t0: number,
    t1: number,
    budget: number,
  ): Promise<{ result: Record<string, unknown>; lastTs: number }> {
    const rng = this.rng;
    const agentId = rng.hex(8);
    const rel = `projects/${parent.project.dir}/${parent.sessionId}/subagents/agent-${agentId}.jsonl`;
    const file = await this.openFile(rel, 'subagent', parent.sessionId, parent.project, agentId);
    this.subagentFiles++;
    const model = rng.weighted([
      [MODELS.haiku, 50],
      [MODELS.sonnet, 35],
      [parent.model, 15],
    ] as const);
    const conv = this.newConv(
      file,
      parent.sessionId,
      parent.project,
      model,
      parent.ttl === 'legacy' ? 'legacy' : '5m',
      parent.version,
      agentId,
    );
    const calls = rng.int(2, 8);
    const span = Math.max(t1 - t0, calls * 50);
    const times = spread(rng, t0 + 10, t0 + span, calls);
    await this.userPrompt(conv, t0, this.corpus.sentence(rng, 10, 40), false);
    let toolCount = 0;
    let tokens = 0;
    for (let i = 0; i < calls; i++) {
      const ts = times[i] ?? t0;
      const last = i === calls - 1;
      const tools = last ? [] : [this.toolUse(conv, rng.pick(['Read', 'Grep', 'Glob', 'Bash'] as const))];
      const before = conv.ctx;
      await this.assistant(conv, ts, this.assistantContent(conv, tools, last), last ? 'end_turn' : 'tool_use', false);
      tokens += conv.ctx - before;
      this.subagentResponses++;
      for (const use of tools) {
        toolCount++;
        const next = times[i + 1] ?? ts + 1000;
        const chars = Math.max(20, Math.round(budget * rng.range(0.2, 1)));
        await this.toolResult(conv, Math.round(ts + (next - ts) * 0.7) + 1, use, chars);
        this.grow(conv, chars);
      }
    }
    if (this.features.partialLastLine && rng.chance(0.05)) await this.partialLine(conv);
    await file.close();
    const result = {
      status: 'completed',
      prompt: 'subagent task',
      agentId,
      content: [{ type: 'text', text: this.corpus.slice(rng, rng.int(100, 1500)) }],
      totalDurationMs: span,
      totalTokens: tokens,
      totalToolUseCount: toolCount,
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 3000,
        cache_read_input_tokens: 20000,
        output_tokens: 800,
        service_tier: 'standard',
      },
    };
    return { result, lastTs: conv.lastCallTs };
  }

  async session(plan: SessionPlan, isLastPlanned: boolean, forceFeatures: boolean): Promise<void> {
    const rng = this.rng;
    const rel = `projects/${plan.project.dir}/${plan.id}.jsonl`;
    const file = await this.openFile(rel, 'session', plan.id, plan.project);
    const conv = this.newConv(file, plan.id, plan.project, plan.model, plan.ttl, plan.version, undefined);
    this.heads.set(plan, conv.head ?? []);
    if (this.heads.size > 64) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
    const totalCalls = plan.segments.reduce((s, g) => s + g.calls, 0);
    if (this.features.malformed) {
      // The first session shows every kind once; later ones now and then.
      const n = forceFeatures ? MALFORMED_KINDS.length : rng.chance(0.25) ? 1 : 0;
      for (let i = 0; i < n; i++) conv.pendingMalformed.push(rng.int(0, Math.max(0, totalCalls - 1)));
      conv.pendingMalformed.sort((a, b) => a - b);
    }
    const firstStart = plan.segments[0]?.start ?? 0;
    if (rng.chance(0.15))
      await file.other(
        JSON.stringify({ type: 'summary', summary: this.corpus.sentence(rng, 3, 9), leafUuid: rng.uuid() }),
      );
    // A resumed session starts with copies of the earlier session's first lines.
    const source = plan.resumeFrom ? this.heads.get(plan.resumeFrom) : undefined;
    if (source && source.length > 0) {
      const from = `"sessionId":"${plan.resumeFrom?.id ?? ''}"`;
      const to = `"sessionId":"${plan.id}"`;
      for (const h of source) {
        if (h.ts >= firstStart) break;
        const line = h.line.split(from).join(to);
        file.summary.copiedLines++;
        if (h.entry) await file.usage(line, { ...h.entry, sessionId: plan.id });
        else await file.other(line, h.ts);
      }
    }
    let forcedApiError = forceFeatures && this.features.apiErrors;
    let forcedSubagent = forceFeatures && this.features.subagents;
    for (let si = 0; si < plan.segments.length; si++) {
      const seg = plan.segments[si] as Segment;
      const times = spread(rng, seg.start, seg.end, seg.calls);
      let turnLeft = 0;
      for (let i = 0; i < seg.calls; i++) {
        const ts = times[i] ?? seg.start;
        const next = times[i + 1] ?? ts + rng.int(5000, 60000);
        await this.maybeMalformed(conv);
        conv.callNo++;
        const before = this.approx;
        let contentChars = 0;
        let hadTools = false;
        if (turnLeft === 0) {
          turnLeft = rng.int(1, 10);
          if (rng.chance(0.03)) {
            const op = {
              type: 'queue-operation',
              operation: 'enqueue',
              timestamp: this.iso(ts - 2500),
              sessionId: conv.sessionId,
              content: this.corpus.sentence(rng),
            };
            await file.other(JSON.stringify(op), ts - 2500);
            await file.other(
              JSON.stringify({ ...op, operation: 'dequeue', timestamp: this.iso(ts - 2000), content: undefined }),
              ts - 2000,
            );
          }
          await this.userPrompt(
            conv,
            Math.max(ts - rng.int(1500, 20000), conv.lastCallTs + 1),
            this.corpus.sentence(rng, 4, 60),
            true,
          );
          if (rng.chance(0.02)) conv.model = rng.pick([MODELS.opus, MODELS.sonnet, MODELS.future]);
        }
        turnLeft--;
        const lastInTurn = turnLeft === 0 || i === seg.calls - 1;
        // API errors: retries, sometimes ending the turn with a synthetic error line.
        const apiError =
          this.features.apiErrors && (rng.chance(0.008) || (forcedApiError && i >= Math.min(2, seg.calls - 1)));
        let callTs = ts;
        if (apiError) {
          const fail = forcedApiError || rng.chance(0.5);
          forcedApiError = false;
          callTs = await this.apiErrorEpisode(conv, ts, fail);
          if (fail) {
            turnLeft = 0;
            this.recordCall(this.approx - before, 0, false);
            continue;
          }
        }
        const tools: Record<string, unknown>[] = [];
        const useTask =
          !lastInTurn && this.features.subagents && ((next - callTs > 30_000 && rng.chance(0.04)) || forcedSubagent);
        if (useTask) {
          forcedSubagent = false;
          tools.push(this.toolUse(conv, 'Task'));
        } else if (!lastInTurn) {
          const n = rng.chance(0.15) ? rng.int(2, 3) : 1;
          for (let k = 0; k < n; k++) tools.push(this.toolUse(conv, rng.pick(TOOLS)));
        }
        await this.assistant(
          conv,
          callTs,
          this.assistantContent(conv, tools, lastInTurn),
          tools.length > 0 ? 'tool_use' : 'end_turn',
          true,
        );
        if (tools.length > 0) {
          hadTools = true;
          const chars = this.contentBudget(tools.length);
          let t = Math.round(callTs + Math.max(1000, (next - callTs) * 0.75));
          for (const use of tools) {
            let extra: Record<string, unknown> | undefined;
            if (use.name === 'Task') {
              const sub = await this.subagent(conv, callTs + 800, Math.max(callTs + 1500, t - 500), chars / 3);
              extra = sub.result;
              t = Math.max(t, sub.lastTs + 1);
            }
            await this.toolResult(conv, t, use, chars, extra);
            contentChars += chars;
            this.grow(conv, chars);
            t += rng.int(1, 200);
          }
        }
        const compact = this.compactIfNeeded(conv);
        if (compact) await compact;
        if (lastInTurn && rng.chance(0.3)) {
          const uuid = rng.uuid();
          const o = {
            ...this.base(conv),
            type: 'system',
            subtype: 'turn_duration',
            durationMs: rng.int(2000, 600000),
            isMeta: false,
            timestamp: this.iso(callTs + 2500),
            uuid,
          };
          await file.other(JSON.stringify(o), callTs + 2500);
        }
        this.recordCall(this.approx - before, contentChars, hadTools);
      }
      // Limit messages end a work period now and then; the first episode shows every wording.
      const segEnd = conv.lastCallTs + rng.int(5000, 90000);
      if (this.features.limitMessages && (this.limitEpisodes === 0 ? forceFeatures : rng.chance(0.2))) {
        const wordings = this.limitEpisodes === 0 ? LIMIT_WORDINGS : [rng.pick(LIMIT_WORDINGS)];
        await this.limitEpisode(conv, segEnd, wordings);
      }
    }
    await this.maybeMalformed(conv);
    while (conv.pendingMalformed.length > 0) {
      conv.pendingMalformed[0] = conv.callNo;
      await this.maybeMalformed(conv);
    }
    await file.other(
      JSON.stringify({ type: 'last-prompt', lastPrompt: this.corpus.sentence(rng, 3, 20), sessionId: plan.id }),
    );
    if (this.features.partialLastLine && (isLastPlanned || rng.chance(0.08))) await this.partialLine(conv);
    await file.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Expected results, computed the way ccusage 20.0.20 (and 20.0.24) reads the files.

function computeExpected(gen: Gen): Expected {
  const files = [...gen.files].sort((a, b) =>
    a.summary.relPath < b.summary.relPath ? -1 : a.summary.relPath > b.summary.relPath ? 1 : 0,
  );
  // ccusage dedup: message.id + requestId globally when requestId exists, else message.id per
  // session; files in path order, lines in file order; the first line wins unless a later one
  // has a larger token total.
  const kept: Entry[] = [];
  const index = new Map<string, number>();
  const seenReal = new Set<string>();
  const totals = zeroSums();
  const byModel: Record<string, TokenSums & { responses: number }> = {};
  let crossFile = 0;
  for (const f of files) {
    const inFile = new Set<string>();
    for (const e of f.entries) {
      const key = e.reqId !== undefined ? `r\u0000${e.msgId}\u0000${e.reqId}` : `s\u0000${e.msgId}\u0000${e.sessionId}`;
      const at = index.get(key);
      if (!e.synthetic && e.reqId !== undefined) {
        const realKey = `${e.msgId}:${e.reqId}`;
        if (!inFile.has(realKey)) {
          inFile.add(realKey);
          if (seenReal.has(realKey)) {
            f.summary.crossFileDuplicateResponses++;
            crossFile++;
          }
        }
        if (!seenReal.has(realKey)) {
          seenReal.add(realKey);
          addEntry(totals, e);
          const m = (byModel[e.model] ??= { ...zeroSums(), responses: 0 });
          addEntry(m, e);
          m.responses++;
        }
      }
      if (at === undefined) {
        index.set(key, kept.length);
        kept.push(e);
      } else {
        const old = kept[at] as Entry;
        if (entryTotal(e) > entryTotal(old)) kept[at] = e;
      }
    }
  }
  kept.sort((a, b) => a.ts - b.ts);
  const blocks: ExpectedBlock[] = [];
  const window = 5 * HOUR;
  let cur: { start: number; last: number; b: ExpectedBlock; models: Set<string> } | undefined;
  for (const e of kept) {
    if (!cur || e.ts - cur.start > window || e.ts - cur.last > window) {
      const start = Math.floor(e.ts / HOUR) * HOUR;
      const b: ExpectedBlock = {
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + window).toISOString(),
        actualEndTime: new Date(e.ts).toISOString(),
        entries: 0,
        tokenCounts: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
        totalTokens: 0,
        models: [],
      };
      blocks.push(b);
      cur = { start, last: e.ts, b, models: new Set() };
    }
    const b = cur.b;
    cur.last = e.ts;
    b.actualEndTime = new Date(e.ts).toISOString();
    b.entries++;
    b.tokenCounts.inputTokens += e.input;
    b.tokenCounts.outputTokens += e.output;
    b.tokenCounts.cacheCreationInputTokens += e.cc;
    b.tokenCounts.cacheReadInputTokens += e.cr;
    b.totalTokens += entryTotal(e);
    if (!e.synthetic && !cur.models.has(e.model)) {
      cur.models.add(e.model);
      b.models.push(e.model);
    }
  }
  const sum = (fn: (s: FileSummary) => number): number => files.reduce((s, f) => s + fn(f.summary), 0);
  const summaries = files.map((f) => f.summary);
  let first: string | null = null;
  let last: string | null = null;
  for (const s of summaries) {
    if (s.firstTimestamp !== null && (first === null || s.firstTimestamp < first)) first = s.firstTimestamp;
    if (s.lastTimestamp !== null && (last === null || s.lastTimestamp > last)) last = s.lastTimestamp;
  }
  return {
    files: summaries,
    totals: {
      files: files.length,
      sessionFiles: summaries.filter((s) => s.kind === 'session').length,
      subagentFiles: summaries.filter((s) => s.kind === 'subagent').length,
      sessions: new Set(summaries.map((s) => s.sessionId)).size,
      lines: sum((s) => s.lines),
      bytes: sum((s) => s.bytes),
      responses: seenReal.size,
      tokens: totals,
      byModel,
      assistantLines: sum((s) => s.assistantLines),
      duplicateLines: sum((s) => s.duplicateLines),
      copiedLines: sum((s) => s.copiedLines),
      crossFileDuplicateResponses: crossFile,
      apiErrorLines: sum((s) => s.apiErrorLines),
      systemApiErrorLines: sum((s) => s.systemApiErrorLines),
      limitMessages: sum((s) => s.limitMessages),
      malformedLines: sum((s) => s.malformedLines),
      malformedByKind: { ...gen.malformedByKind },
      partialLastLines: summaries.filter((s) => s.partialLastLine).length,
      usageEntries: kept.length,
      subagentResponses: gen.subagentResponses,
    },
    limitMessages: gen.limitMessages,
    ccusageBlocks: blocks,
    firstTimestamp: first,
    lastTimestamp: last,
  };
}

// ---------------------------------------------------------------------------------------------

export async function generateHistory(opts: GenerateOptions): Promise<GenerateResult> {
  if (!(opts.targetBytes > 0)) throw new Error('targetBytes must be positive');
  if (!(opts.days >= 1)) throw new Error('days must be >= 1');
  if (Number.isNaN(opts.start.getTime())) throw new Error('start is not a valid date');
  const features: Required<GenerateFeatures> = { ...DEFAULT_FEATURES, ...(opts.features ?? {}) };
  const gen = new Gen(opts, features);
  const planRng = gen.rng.fork(2);
  const projects = makeProjects(planRng, Math.max(1, Math.floor(opts.projects ?? 4)));
  const periods = planPeriods(planRng, opts.start.getTime(), Math.floor(opts.days));
  const sessions = planSessions(planRng, periods, projects, opts.targetBytes, features);
  gen.plannedCalls = sessions.reduce((s, p) => s + p.segments.reduce((a, g) => a + g.calls, 0), 0);
  await mkdir(join(opts.root, 'projects'), { recursive: true });
  for (let i = 0; i < sessions.length; i++) {
    const plan = sessions[i] as SessionPlan;
    await gen.session(plan, i === sessions.length - 1, i === 0);
  }
  const expected = computeExpected(gen);
  const root = resolve(opts.root);
  const files = expected.files.map((f) => resolve(root, ...f.relPath.split('/')));
  // A real transcript was last written when its last line was: give each file that mtime, so tools
  // that watch recently written files see the history as it would be on a user's disk.
  expected.files.forEach((f, i) => {
    const last = f.lastTimestamp ?? f.firstTimestamp;
    if (last) utimesSync(files[i]!, new Date(last), new Date(last));
  });
  return { files, bytes: expected.totals.bytes, responses: expected.totals.responses, expected };
}

/** Parses sizes like 100MB, 1GB, 512KiB, 300000 (KB/MB/GB are powers of 1000; KiB/MiB/GiB of 1024). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(text);
  if (!m) throw new Error(`invalid size: ${text}`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase().replace(/b$/, '');
  const mult: Record<string, number> = {
    '': 1,
    k: 1e3,
    m: 1e6,
    g: 1e9,
    t: 1e12,
    ki: 1024,
    mi: 1024 ** 2,
    gi: 1024 ** 3,
    ti: 1024 ** 4,
  };
  const f = mult[unit];
  if (f === undefined) throw new Error(`invalid size unit: ${text}`);
  return Math.round(n * f);
}

async function main(argv: string[]): Promise<void> {
  const args = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--no-')) flags.add(a.slice(5));
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) args.set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new Error(`missing value for ${a}`);
        args.set(a.slice(2), v);
        i++;
      }
    } else throw new Error(`unexpected argument: ${a}`);
  }
  const out = args.get('out');
  if (!out) {
    process.stderr.write(
      'usage: node --import tsx bench/generate.ts --out DIR --size 100MB --seed 1 [--days N] [--start ISO] [--projects N] [--no-<feature>] [--expected FILE]\n',
    );
    process.exitCode = 2;
    return;
  }
  const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const features: GenerateFeatures = {};
  for (const f of flags) {
    const k = camel(f) as keyof GenerateFeatures;
    if (!(k in DEFAULT_FEATURES)) throw new Error(`unknown feature: --no-${f}`);
    features[k] = false;
  }
  const targetBytes = parseSize(args.get('size') ?? '100MB');
  const opts: GenerateOptions = {
    root: out,
    targetBytes,
    seed: Number(args.get('seed') ?? '1'),
    start: new Date(args.get('start') ?? '2026-01-05T00:00:00.000Z'),
    days: Number(args.get('days') ?? '14'),
    features,
  };
  if (args.has('projects')) opts.projects = Number(args.get('projects'));
  const t0 = performance.now();
  const res = await generateHistory(opts);
  const secs = (performance.now() - t0) / 1000;
  const expectedPath = args.get('expected');
  if (expectedPath) writeFileSync(expectedPath, JSON.stringify(res.expected, null, 1));
  const { byModel, ...totals } = res.expected.totals;
  process.stdout.write(
    JSON.stringify(
      {
        root: resolve(out),
        bytes: res.bytes,
        files: res.files.length,
        responses: res.responses,
        seconds: Number(secs.toFixed(2)),
        mbPerSecond: Number((res.bytes / 1e6 / secs).toFixed(1)),
        blocks: res.expected.ccusageBlocks.length,
        totals,
        byModel: Object.fromEntries(Object.entries(byModel).map(([m, t]) => [m, t.responses])),
      },
      null,
      1,
    ) + '\n',
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
