import { limitWindow, mightContainLimitMessage, parseLimitMessage, type LimitScope } from './limitMessage.ts';
import { hasApiErrorMarker, RECORD_MARKERS, SYNTHETIC_MODEL } from './markers.ts';
import { isObj } from '../util/guards.ts';
import { HOUR_MS } from '../util/time.ts';

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

// The fields a line's records are made of, checked by hand rather than by zod: every thread that
// reads transcripts loads this module (ARCHITECTURE.md, "zod, and the inputs checked by hand").
// test/transcripts/line.test.ts holds these checks to the zod schema they replace: what a field must
// be to be kept, and what takes its place when it is not.

type Block = { type: string | undefined; text: string | undefined };
type Content = string | Block[];

export interface Line {
  type: string;
  subtype: string | undefined;
  uuid: string | undefined;
  timestamp: string;
  sessionId: string | undefined;
  cwd: string | undefined;
  requestId: string | undefined;
  requestedModel: string | undefined;
  isApiErrorMessage: boolean | undefined;
  error: unknown;
  apiErrorStatus: number | undefined;
  content: Content | undefined;
  message: LineMessage | undefined;
  /**
   * Claude Code's own account of a usage limit the server enforced (`apiErrorParams.rate_limit_info`,
   * or `quotaLimits`): the exact reset and the window, where the text shows only the minute.
   */
  rateLimit: RateLimitInfo | undefined;
}

export interface RateLimitInfo {
  status: string | undefined;
  /** Epoch ms. */
  resetsAt: number | undefined;
  rateLimitType: string | undefined;
}

export interface LineMessage {
  id: string | undefined;
  model: string | undefined;
  usage: unknown;
  content: Content | undefined;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  /** Present and not a count: 0 (as for the split below). */
  cache_creation_input_tokens: number | undefined;
  cache_read_input_tokens: number | undefined;
  /** Not an object: dropped. */
  cache_creation:
    { ephemeral_5m_input_tokens: number | undefined; ephemeral_1h_input_tokens: number | undefined } | null | undefined;
}

const optString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A token count: a safe non-negative integer. */
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const countOr0 = (v: unknown): number | undefined => (v === undefined ? undefined : isCount(v) ? v : 0);

/** Text or content blocks, kept only when every block is an object whose type and text are strings or absent. */
function contentOf(v: unknown): Content | undefined {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return undefined;
  const out: Block[] = [];
  for (const b of v) {
    if (!isObj(b)) return undefined;
    const { type, text } = b;
    if ((type !== undefined && typeof type !== 'string') || (text !== undefined && typeof text !== 'string'))
      return undefined;
    out.push({ type, text });
  }
  return out;
}

/** The line's fields, or null when it is not a line a record can come from (no type or timestamp, a message that is no object). */
export function validLine(raw: unknown): Line | null {
  if (!isObj(raw)) return null;
  const { type, timestamp, message } = raw;
  if (typeof type !== 'string' || typeof timestamp !== 'string') return null;
  if (message !== undefined && !isObj(message)) return null;
  return {
    type,
    subtype: optString(raw.subtype),
    uuid: optString(raw.uuid),
    timestamp,
    sessionId: optString(raw.sessionId),
    cwd: optString(raw.cwd),
    requestId: optString(raw.requestId),
    requestedModel: optString(raw.requestedModel),
    isApiErrorMessage: typeof raw.isApiErrorMessage === 'boolean' ? raw.isApiErrorMessage : undefined,
    error: raw.error,
    apiErrorStatus: typeof raw.apiErrorStatus === 'number' ? raw.apiErrorStatus : undefined,
    content: contentOf(raw.content),
    rateLimit: rateLimitOf(raw),
    message: message && {
      id: optString(message.id),
      model: optString(message.model),
      usage: message.usage,
      content: contentOf(message.content),
    },
  };
}

/** `resetsAt` is Unix seconds; a value that already looks like milliseconds is taken as such. */
function epochMs(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return undefined;
  return v >= 1e12 ? v : v * 1000;
}

function rateLimitOf(raw: Record<string, unknown>): RateLimitInfo | undefined {
  const params = raw.apiErrorParams;
  const info =
    isObj(params) && isObj(params.rate_limit_info)
      ? params.rate_limit_info
      : isObj(raw.quotaLimits)
        ? raw.quotaLimits
        : undefined;
  if (!info) return undefined;
  return {
    status: optString(info.status),
    resetsAt: epochMs(info.resetsAt),
    rateLimitType: optString(info.rateLimitType),
  };
}

/** The window a structured limit names, in the scopes the text parser uses. */
function scopeOfType(t: string | undefined): LimitScope | null {
  switch (t) {
    case 'five_hour':
      return 'five_hour';
    case 'seven_day':
      return 'weekly';
    case 'seven_day_opus':
      return 'opus';
    case 'seven_day_sonnet':
      return 'sonnet';
    default:
      return null;
  }
}

/** No limit resets further off than its window is long: a reset past that is misread, and capped. */
// A bare "usage limit" may be either window: only the week bounds it.
const SCOPE_SPAN: Record<LimitScope, number> = {
  five_hour: 6 * HOUR_MS,
  usage: 168 * HOUR_MS,
  weekly: 168 * HOUR_MS,
  opus: 168 * HOUR_MS,
  sonnet: 168 * HOUR_MS,
};

/** A message's usage, or null when its input or output count is missing or not a count. */
export function validUsage(raw: unknown): Usage | null {
  if (!isObj(raw) || !isCount(raw.input_tokens) || !isCount(raw.output_tokens)) return null;
  const split = raw.cache_creation;
  return {
    input_tokens: raw.input_tokens,
    output_tokens: raw.output_tokens,
    cache_creation_input_tokens: countOr0(raw.cache_creation_input_tokens),
    cache_read_input_tokens: countOr0(raw.cache_read_input_tokens),
    cache_creation: isObj(split)
      ? {
          ephemeral_5m_input_tokens: countOr0(split.ephemeral_5m_input_tokens),
          ephemeral_1h_input_tokens: countOr0(split.ephemeral_1h_input_tokens),
        }
      : split === null
        ? null
        : undefined,
  };
}

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
  /**
   * The text is the line's raw bytes decoded as latin1 (one char per byte) rather than as UTF-8: the
   * import decodes that way because it is a plain copy and keeps strings one byte wide, which
   * JSON.parse reads faster. Such text is decoded properly before any non-ASCII string is used.
   */
  latin1?: boolean;
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
  // Nearly every line given is an ordinary response: it is tried first, as only a line with a usage
  // can pass it. Error lines and limit messages carry a usage too; the ordinary reader hands them on.
  const fast = ordinaryUsage(text, ctx);
  if (fast !== null) return [fast];
  if (!RECORD_MARKERS.some((m) => text.includes(m)) && !hasApiErrorMarker(text) && !mightContainLimitMessage(text)) {
    return 'skip';
  }
  return parseWhole(ctx.latin1 === true ? Buffer.from(text, 'latin1').toString('utf8') : text, ctx);
}

/** The general reader: the whole (properly decoded) line through JSON.parse and the schema. */
export function parseWhole(text: string, ctx: ParseContext): LineResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'bad';
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'bad';
  const typ = (raw as { type?: unknown }).type;
  if (typ !== 'assistant' && typ !== 'system') return 'skip';
  const line = validLine(raw);
  if (!line) return 'bad';
  const ts = Date.parse(line.timestamp);
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_TS) return 'bad';
  const sessionId = line.sessionId ?? null;
  const cwd = line.cwd ?? null;

  if (line.type === 'system') {
    if (line.subtype !== 'api_error') return 'skip';
    return [
      {
        kind: 'api_error',
        key: line.uuid ?? ctx.fallbackKey,
        ts,
        sessionId,
        cwd,
        error: 'retry:' + errorKind(line.error),
        status: line.apiErrorStatus ?? statusOf(line.error),
        message: '',
      },
    ];
  }

  const msg = line.message;
  const model = msg?.model ?? 'unknown';
  const out: LineRecord[] = [];
  if (msg?.usage !== undefined) {
    const u = validUsage(msg.usage);
    if (!u) return 'bad';
    out.push(
      usageRecord(
        {
          messageId: msg.id,
          requestId: line.requestId,
          requestedModel: line.requestedModel,
          model,
          ts,
          sessionId,
          cwd,
          input: u.input_tokens,
          output: u.output_tokens,
          cacheCreation: u.cache_creation_input_tokens,
          cacheRead: u.cache_read_input_tokens,
          split: u.cache_creation
            ? { m5: u.cache_creation.ephemeral_5m_input_tokens, h1: u.cache_creation.ephemeral_1h_input_tokens }
            : undefined,
        },
        ctx,
      ),
    );
  }
  if (line.isApiErrorMessage === true || model === SYNTHETIC_MODEL) {
    const body = textOf(line);
    // The structured fields first (exact to the second); the text, in every known wording, for
    // versions that write none.
    const rl = line.rateLimit;
    const structured =
      rl &&
      (rl.status === 'rejected' || line.error === 'rate_limit') &&
      (rl.resetsAt !== undefined || scopeOfType(rl.rateLimitType) !== null)
        ? rl
        : undefined;
    const text = mightContainLimitMessage(body) ? parseLimitMessage(body, ts, ctx.timeZone()) : null;
    if (structured || text) {
      const resetAt = structured?.resetsAt ?? text?.resetAt ?? null;
      const scope = scopeOfType(structured?.rateLimitType) ?? limitWindow(text?.scope ?? 'usage', resetAt, ts);
      out.push({
        kind: 'limit',
        key: line.uuid ?? msg?.id ?? ctx.fallbackKey,
        ts,
        sessionId,
        cwd,
        scope,
        resetAt: resetAt === null ? null : Math.min(resetAt, ts + SCOPE_SPAN[scope]),
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

interface UsageFields {
  messageId: string | undefined;
  requestId: string | undefined;
  requestedModel: string | undefined;
  model: string;
  ts: number;
  sessionId: string | null;
  cwd: string | null;
  input: number;
  output: number;
  cacheCreation: number | undefined;
  cacheRead: number | undefined;
  split: { m5: number | undefined; h1: number | undefined } | undefined;
}

/** One usage record from a line's validated fields: the one place both readers build it. */
function usageRecord(f: UsageFields, ctx: ParseContext): UsageRecord {
  // As ccusage counts: where the line has the 5m/1h split, the split is the cache write; else the total.
  const cacheWrite5m = f.split ? (f.split.m5 ?? 0) : (f.cacheCreation ?? 0);
  const cacheWrite1h = f.split ? (f.split.h1 ?? 0) : 0;
  // One response, many content-block lines: keyed by message.id and requestId (or the session, when a
  // line has no requestId). A line with no message id is its own entry.
  const key = f.messageId
    ? f.requestId
      ? `${f.messageId}:${f.requestId}`
      : `${f.messageId}@${f.sessionId ?? ctx.fallbackKey}`
    : ctx.fallbackKey;
  return {
    kind: 'usage',
    key,
    ts: f.ts,
    sessionId: f.sessionId,
    cwd: f.cwd,
    model: f.model === SYNTHETIC_MODEL ? f.model : (f.requestedModel ?? f.model),
    input: f.input,
    output: f.output,
    cacheWrite5m,
    cacheWrite1h,
    cacheRead: f.cacheRead ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// The ordinary line: an assistant response with its usage, read without building its content.

const CONTENT_KEY = '"content":';
const AFTER_CONTENT = ',"stop_reason":';
// Any UTF-16 code unit above 0x7f (written as a range so that no control character is in the pattern).
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Reads an ordinary assistant line (the kind that makes up nearly all usage) to exactly the record
 * the general reader makes, or returns null and leaves the line to it: errors, synthetic lines,
 * system lines, any field of an unexpected type, non-ASCII in a kept string of latin1 text.
 *
 * Most of such a line is `message.content`, which no record uses; building it was most of an
 * import's time. So the value of the first `"content":` key is replaced by `null` before JSON.parse,
 * when that value (found by its brackets and quotes alone, see `endOfValue`) ends exactly where the
 * `,"stop_reason":` key that Claude Code writes next begins. Outside strings both are real keys (a
 * quote in a string is escaped), so the text parsed is the line with one value replaced, and no
 * field a record reads lies in that value. Otherwise (another layout, a line cut short and run into
 * the next) nothing is cut and the general reader takes the line. What this gives up: a line whose
 * content alone is not valid JSON (a bad escape, a raw control character), which Claude Code
 * (JSON.stringify) never writes, is counted rather than called malformed.
 */
function ordinaryUsage(text: string, ctx: ParseContext): UsageRecord | null {
  const a = text.indexOf(CONTENT_KEY);
  if (a < 0) return null;
  const b = endOfValue(text, a + CONTENT_KEY.length);
  if (b < 0 || !text.startsWith(AFTER_CONTENT, b)) return null;
  const cut = text.slice(0, a + CONTENT_KEY.length) + 'null' + text.slice(b);
  let o: unknown;
  try {
    o = JSON.parse(cut);
  } catch {
    return null;
  }
  if (!isObj(o) || o.type !== 'assistant' || o.isApiErrorMessage === true) return null;
  const msg = o.message;
  if (!isObj(msg) || typeof o.timestamp !== 'string') return null;
  const model = msg.model === undefined ? 'unknown' : msg.model;
  if (typeof model !== 'string' || model === SYNTHETIC_MODEL) return null;
  const u = msg.usage;
  if (!isObj(u) || !isCount(u.input_tokens) || !isCount(u.output_tokens)) return null;
  const cc = u.cache_creation_input_tokens;
  const cr = u.cache_read_input_tokens;
  if ((cc !== undefined && !isCount(cc)) || (cr !== undefined && !isCount(cr))) return null;
  const splitRaw = u.cache_creation;
  let split: UsageFields['split'];
  if (isObj(splitRaw)) {
    const m5 = splitRaw.ephemeral_5m_input_tokens;
    const h1 = splitRaw.ephemeral_1h_input_tokens;
    if ((m5 !== undefined && !isCount(m5)) || (h1 !== undefined && !isCount(h1))) return null;
    split = { m5, h1 };
  } else if (splitRaw !== undefined && splitRaw !== null) {
    return null;
  }
  const ts = Date.parse(o.timestamp);
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_TS) return null;
  const f: UsageFields = {
    messageId: optString(msg.id),
    requestId: optString(o.requestId),
    requestedModel: optString(o.requestedModel),
    model,
    ts,
    sessionId: optString(o.sessionId) ?? null,
    cwd: optString(o.cwd) ?? null,
    input: u.input_tokens,
    output: u.output_tokens,
    cacheCreation: cc,
    cacheRead: cr,
    split,
  };
  if (ctx.latin1 === true) {
    // Bytes above 0x7f are UTF-8 that latin1 decoding split apart: such a line goes the general way.
    for (const v of [o.timestamp, f.messageId, f.requestId, f.requestedModel, f.model, f.sessionId, f.cwd]) {
      if (v && NON_ASCII.test(v)) return null;
    }
  }
  return usageRecord(f, ctx);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The index just past the JSON array, object or string that starts at `i`, matched by its brackets
 * and quotes alone (what lies inside strings is skipped, not checked), or -1 when there is no such
 * value there. Strings are crossed with indexOf, so a long text costs a native scan, not a JS loop.
 */
export function endOfValue(s: string, i: number): number {
  const closers: number[] = [];
  let j = i;
  const first = s.charCodeAt(j);
  if (first !== QUOTE && first !== 0x5b && first !== 0x7b) return -1;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) {
      let k = j;
      for (;;) {
        k = s.indexOf('"', k + 1);
        if (k < 0) return -1;
        let slashes = 0;
        while (s.charCodeAt(k - 1 - slashes) === BACKSLASH) slashes++;
        if ((slashes & 1) === 0) break;
      }
      j = k + 1;
      if (closers.length === 0) return j;
      continue;
    }
    if (c === 0x5b) closers.push(0x5d);
    else if (c === 0x7b) closers.push(0x7d);
    else if (c === 0x5d || c === 0x7d) {
      if (closers.pop() !== c) return -1;
      if (closers.length === 0) return j + 1;
    }
    j++;
  }
  return -1;
}
