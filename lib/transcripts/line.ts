import { z } from 'zod';
import { mightContainLimitMessage, parseLimitMessage, type LimitScope } from '../usage/limitMessage.ts';

/** One API response's usage, counted once per `message.id:requestId`. */
export interface UsageRecord {
  kind: 'usage';
  key: string;
  ts: number;
  sessionId: string | null;
  cwd: string | null;
  /** The model Claude Code asked for, which is what it prices and reports by; else the response's. */
  model: string;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export interface ApiErrorRecord {
  kind: 'api_error';
  key: string;
  ts: number;
  sessionId: string | null;
  cwd: string | null;
  error: string;
  status: number | null;
  message: string;
}

export interface LimitRecord {
  kind: 'limit';
  key: string;
  ts: number;
  sessionId: string | null;
  cwd: string | null;
  scope: LimitScope;
  resetAt: number | null;
  text: string;
}

export type LineRecord = UsageRecord | ApiErrorRecord | LimitRecord;
/** A line can carry usage and be an API error or limit message at once (synthetic lines do). */
export type LineResult = LineRecord[] | 'skip' | 'bad';

const count = z.number().int().nonnegative().catch(0);

const UsageSchema = z.looseObject({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_creation_input_tokens: count.optional(),
  cache_read_input_tokens: count.optional(),
  cache_creation: z
    .looseObject({
      ephemeral_5m_input_tokens: count.optional(),
      ephemeral_1h_input_tokens: count.optional(),
    })
    .nullish()
    .catch(undefined),
});

const ContentSchema = z
  .union([z.string(), z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() }))])
  .optional()
  .catch(undefined);

const LineSchema = z.looseObject({
  type: z.string(),
  subtype: z.string().optional().catch(undefined),
  uuid: z.string().optional().catch(undefined),
  timestamp: z.string(),
  sessionId: z.string().optional().catch(undefined),
  cwd: z.string().optional().catch(undefined),
  requestId: z.string().optional().catch(undefined),
  requestedModel: z.string().optional().catch(undefined),
  isApiErrorMessage: z.boolean().optional().catch(undefined),
  error: z.unknown().optional(),
  apiErrorStatus: z.number().optional().catch(undefined),
  content: ContentSchema,
  message: z
    .looseObject({
      id: z.string().optional().catch(undefined),
      model: z.string().optional().catch(undefined),
      usage: z.unknown().optional(),
      content: ContentSchema,
    })
    .optional(),
});

type Line = z.infer<typeof LineSchema>;

function textOf(line: Line): string {
  const parts: string[] = [];
  for (const c of [line.message?.content, line.content]) {
    if (typeof c === 'string') parts.push(c);
    else if (Array.isArray(c)) for (const b of c) if (typeof b.text === 'string') parts.push(b.text);
  }
  return parts.join('\n');
}

function errorKind(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    const inner = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : o;
    if (typeof inner.type === 'string') return inner.type;
  }
  return 'unknown';
}

export interface ParseContext {
  /** Key of last resort for a record whose line has no id: unique per line position. */
  fallbackKey: string;
  /** IANA zone used for limit messages whose text names none (asked for lazily: ICU start-up is slow). */
  timeZone: () => string;
}


/**
 * The furthest timestamp from 1970 that is kept. Dates end at ±8.64e15 ms; a time at the very edge
 * (`+275760-09-13`) leaves no room for its block's end, and one such line made every hook fail open
 * and `status` and `report` stop with "Invalid time value".
 */
const MAX_TS = 8.64e15 - 366 * 86_400_000;

/**
 * Classifies one transcript line. Cheap substring tests come first: most lines (prompts, tool
 * results) carry no usage and are dropped without JSON.parse.
 */
export function parseLine(text: string, ctx: ParseContext): LineResult {
  const hasUsage = text.includes('"usage"');
  const hasError = text.includes('api_error') || text.includes('isApiErrorMessage');
  if (!hasUsage && !hasError && !mightContainLimitMessage(text)) return 'skip';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'bad';
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'bad';
  const typ = (raw as { type?: unknown }).type;
  if (typ !== 'assistant' && typ !== 'system') return 'skip';
  const parsed = LineSchema.safeParse(raw);
  if (!parsed.success) return 'bad';
  const line = parsed.data;
  const ts = Date.parse(line.timestamp);
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_TS) return 'bad';
  const sessionId = line.sessionId ?? null;
  const cwd = line.cwd ?? null;

  if (line.type === 'system') {
    if (line.subtype !== 'api_error') return 'skip';
    return [{
      kind: 'api_error',
      key: line.uuid ?? ctx.fallbackKey,
      ts,
      sessionId,
      cwd,
      error: 'retry:' + errorKind(line.error),
      status: line.apiErrorStatus ?? statusOf(line.error),
      message: '',
    }];
  }

  const msg = line.message;
  const model = msg?.model ?? 'unknown';
  const out: LineRecord[] = [];
  if (msg?.usage !== undefined) {
    const usage = UsageSchema.safeParse(msg.usage);
    if (!usage.success) return 'bad';
    const u = usage.data;
    // As ccusage counts: where the line has the 5m/1h split, the split is the cache write; else the total.
    const split = u.cache_creation;
    const cacheWrite5m = split ? (split.ephemeral_5m_input_tokens ?? 0) : (u.cache_creation_input_tokens ?? 0);
    const cacheWrite1h = split ? (split.ephemeral_1h_input_tokens ?? 0) : 0;
    // One response, many content-block lines: keyed by message.id and requestId (or the session, when a
    // line has no requestId). A line with no message id is its own entry.
    const key = msg.id
      ? line.requestId
        ? `${msg.id}:${line.requestId}`
        : `${msg.id}@${sessionId ?? ctx.fallbackKey}`
      : ctx.fallbackKey;
    out.push({
      kind: 'usage',
      key,
      ts,
      sessionId,
      cwd,
      model: model === '<synthetic>' ? model : (line.requestedModel ?? model),
      input: u.input_tokens,
      output: u.output_tokens,
      cacheWrite5m,
      cacheWrite1h,
      cacheRead: u.cache_read_input_tokens ?? 0,
    });
  }
  if (line.isApiErrorMessage === true || model === '<synthetic>') {
    const body = textOf(line);
    const limit = mightContainLimitMessage(body) ? parseLimitMessage(body, ts, ctx.timeZone()) : null;
    if (limit) {
      out.push({
        kind: 'limit',
        key: line.uuid ?? msg?.id ?? ctx.fallbackKey,
        ts,
        sessionId,
        cwd,
        scope: limit.scope,
        resetAt: limit.resetAt,
        text: body.slice(0, 500),
      });
    } else if (line.isApiErrorMessage === true) {
      out.push({
        kind: 'api_error',
        key: line.uuid ?? ctx.fallbackKey,
        ts,
        sessionId,
        cwd,
        error: errorKind(line.error),
        status: line.apiErrorStatus ?? null,
        message: body.slice(0, 500),
      });
    }
  }
  return out.length > 0 ? out : 'skip';
}

function statusOf(e: unknown): number | null {
  if (e && typeof e === 'object' && typeof (e as { status?: unknown }).status === 'number') {
    return (e as { status: number }).status;
  }
  return null;
}
