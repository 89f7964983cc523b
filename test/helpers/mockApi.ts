// A local mock of the Anthropic Messages API, good enough to drive the real Claude Code CLI offline.
//
//   const api = await start({ toolUse: { name: 'Bash', input: { command: 'touch /tmp/x' } } });
//   ... run the CLI with ANTHROPIC_BASE_URL=api.url ...
//   api.requests            // every request received, bodies parsed
//   await api.close();
//
// POST /v1/messages (the CLI adds ?beta=true) is answered with Server-Sent Events when the body says
// `stream: true` (what the CLI sends for its main loop) and with a plain JSON message otherwise.
// POST /v1/messages/count_tokens answers `{input_tokens}`. Everything else (HEAD / probes, GETs, unknown
// POSTs) goes to the `route` option when given, else gets 200 with `{}`.
//
// What each /v1/messages request is answered with:
//   1. `script` (an array consumed in order, or a function returning a reply or undefined), else
//   0. with `meter`, the server's usage limit first: past the window's budget, the 429 `rejected` with
//      Claude Code's real limit headers (the script is not consulted); within it, the reply gets the
//      `anthropic-ratelimit-unified-*` headers of the window's use so far.
//   2. the default: if the request carries tools, its last message has no tool_result and a `toolUse`
//      was configured, that tool call; otherwise a text reply (`text`, default "done").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rejected429, unifiedHeaders } from './subscriber.ts';

export interface CacheCreation {
  ephemeral_5m_input_tokens?: number;
  ephemeral_1h_input_tokens?: number;
}

/** Usage numbers to report. Missing fields fall back to the server's `usage` option, then to DEFAULT_USAGE. */
export interface MockUsage {
  input_tokens?: number;
  output_tokens?: number;
  /** Defaults to the sum of `cache_creation` when that is given. */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** Defaults to `{ephemeral_5m_input_tokens: cache_creation_input_tokens, ephemeral_1h_input_tokens: 0}`. */
  cache_creation?: CacheCreation;
  service_tier?: string;
}

export const DEFAULT_USAGE = {
  input_tokens: 100,
  output_tokens: 20,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
} as const;

interface ReplyBase {
  /** Model id written into message_start (default: the server's `model` option, else the requested model). */
  model?: string;
  usage?: MockUsage;
  /**
   * output_tokens announced in message_start; the final figure (usage.output_tokens) comes in message_delta.
   * The real API sends a small number here. Default: the final figure.
   */
  startOutputTokens?: number;
  /** Send the full usage object in message_delta (as the current API does), not just output_tokens. Default true. */
  fullDeltaUsage?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Message id (default msg_mock_<n>). */
  id?: string;
  /** Extra response headers (e.g. anthropic-ratelimit-* headers). */
  headers?: Record<string, string>;
}

export interface TextReply extends ReplyBase {
  kind: 'text';
  text: string;
  stopReason?: string;
}

export interface ToolCall {
  name: string;
  input: unknown;
  /** tool_use id (default toolu_mock_<n>). */
  id?: string;
}

export interface ToolUseReply extends ReplyBase, ToolCall {
  kind: 'tool_use';
  /** Optional text block sent before the tool_use block. */
  text?: string;
}

/** Several tool_use blocks in one response (parallel tool calls). */
export interface ToolUsesReply extends ReplyBase {
  kind: 'tool_uses';
  calls: ToolCall[];
  text?: string;
}

export interface ErrorReply {
  kind: 'error';
  /** HTTP status, e.g. 429, 529, 500, 401. */
  status: number;
  /** error.type, e.g. rate_limit_error, overloaded_error, api_error, authentication_error. */
  type: string;
  message: string;
  /** Extra response headers, e.g. {'retry-after': '0'} or anthropic-ratelimit-* headers. */
  headers?: Record<string, string>;
  delayMs?: number;
}

export type MockReply = TextReply | ToolUseReply | ToolUsesReply | ErrorReply;

export interface RecordedRequest {
  /** 0-based position among all requests. */
  seq: number;
  method: string;
  /** Path without the query string, e.g. /v1/messages. */
  path: string;
  /** Path with the query string, e.g. /v1/messages?beta=true. */
  url: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or undefined when empty or not JSON. */
  body: any;
  /** 'messages' for POST /v1/messages, 'count_tokens', or 'other'. */
  kind: 'messages' | 'count_tokens' | 'other';
  stream: boolean;
  /** What the mock answered (messages requests only). */
  reply?: MockReply;
  /** The message id / `request-id` header the mock sent (messages requests; errors get a requestId only). */
  messageId?: string;
  requestId?: string;
  time: number;
}

export interface ReplyContext {
  /** 0-based index among POST /v1/messages requests. */
  index: number;
  /** What the default rule would answer. */
  defaultReply: MockReply;
  /** All requests so far, this one included. */
  requests: readonly RecordedRequest[];
}

export type ScriptFn = (req: RecordedRequest, ctx: ReplyContext) => MockReply | undefined;

/**
 * A subscriber's usage limit, metered per window as the server does: a window opens at the first
 * request after the last one closed and lasts `windowMs` (its end rounded up to a whole second, as
 * the headers carry it); each accepted /v1/messages request uses one of `budget`.
 */
export interface MeterOptions {
  budget: number;
  windowMs: number;
}

export interface MeterState {
  /** Requests accepted in the current window. */
  used: number;
  /** When the current window ends (ms; a whole second), null before the first request. */
  windowEnd: number | null;
  /** Requests rejected past the budget, in all windows. */
  rejected: number;
}

export interface MockApiOptions {
  /** Meter requests against a usage limit per window (see MeterOptions). */
  meter?: MeterOptions;
  /** Replies consumed in order by /v1/messages requests (then the default rule), or a function. */
  script?: MockReply[] | ScriptFn;
  /** Tool call the default rule makes when the request has tools and no tool_result yet. */
  toolUse?: ToolCall & Partial<Omit<ToolUseReply, 'kind'>>;
  /** Final text of the default rule (default "done"). */
  text?: string;
  /** Default model for message_start (default: echo the requested model). */
  model?: string;
  /** Default usage for every reply. */
  usage?: MockUsage;
  /** Print one line per request to stderr. */
  log?: boolean;
  /**
   * Answers requests other than POST /v1/messages and /v1/messages/count_tokens (e.g. a GET
   * /api/oauth/usage route). Return undefined to fall back to the default 200 `{}`. A non-string body is
   * sent as JSON.
   */
  route?: (req: RecordedRequest) => RouteReply | undefined;
}

/** What a `route` handler answers. */
export interface RouteReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface MockApi {
  /** The meter's state (with the `meter` option). */
  meter: MeterState;
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Only the POST /v1/messages requests. */
  messageRequests(): RecordedRequest[];
  close(): Promise<void>;
}

/** Concatenated text of a tool_result / message content (string or array of blocks). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => contentText(b)).join('\n');
  if (content && typeof content === 'object') {
    const o = content as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if ('content' in o) return contentText(o.content);
  }
  return '';
}

export interface ToolResultBlock {
  tool_use_id: string;
  is_error: boolean;
  text: string;
  raw: unknown;
}

function blocksOf(message: unknown): unknown[] {
  const c = (message as { content?: unknown } | null)?.content;
  return Array.isArray(c) ? c : [];
}

/** tool_result blocks of one message. */
export function toolResultsOf(message: unknown): ToolResultBlock[] {
  const out: ToolResultBlock[] = [];
  for (const b of blocksOf(message)) {
    const o = b as Record<string, unknown> | null;
    if (o && o.type === 'tool_result') {
      out.push({
        tool_use_id: typeof o.tool_use_id === 'string' ? o.tool_use_id : '',
        is_error: o.is_error === true,
        text: contentText(o.content),
        raw: b,
      });
    }
  }
  return out;
}

/** All tool_result blocks in a request body's messages. */
export function toolResults(req: RecordedRequest): ToolResultBlock[] {
  const msgs: unknown[] = Array.isArray(req.body?.messages) ? req.body.messages : [];
  return msgs.flatMap((m) => toolResultsOf(m));
}

function lastUserLikeMessage(body: any): unknown {
  const msgs: unknown[] = Array.isArray(body?.messages) ? body.messages : [];
  // The CLI may append role "system" messages (environment reminders) after the user turn: look at the
  // last user message.
  for (let i = msgs.length - 1; i >= 0; i--) {
    if ((msgs[i] as { role?: unknown })?.role === 'user') return msgs[i];
  }
  return msgs[msgs.length - 1];
}

/** True when the last user message of the request carries a tool_result. */
export function hasToolResult(body: any): boolean {
  return toolResultsOf(lastUserLikeMessage(body)).length > 0;
}

function mergeUsage(base: MockUsage | undefined, over: MockUsage | undefined): MockUsage {
  const out: MockUsage = { ...base, ...over };
  // A reply that sets either cache-creation field does not inherit the other one from the defaults.
  if (over && (over.cache_creation !== undefined || over.cache_creation_input_tokens !== undefined)) {
    out.cache_creation = over.cache_creation;
    out.cache_creation_input_tokens = over.cache_creation_input_tokens;
  }
  return out;
}

/** The usage object the mock reports for a reply, every field filled in. */
export function resolveUsage(base: MockUsage | undefined, over?: MockUsage) {
  const u = mergeUsage(base, over);
  const cc = u.cache_creation;
  const cci =
    u.cache_creation_input_tokens ??
    (cc
      ? (cc.ephemeral_5m_input_tokens ?? 0) + (cc.ephemeral_1h_input_tokens ?? 0)
      : DEFAULT_USAGE.cache_creation_input_tokens);
  const h1 = cc?.ephemeral_1h_input_tokens ?? 0;
  return {
    input_tokens: u.input_tokens ?? DEFAULT_USAGE.input_tokens,
    cache_creation_input_tokens: cci,
    cache_read_input_tokens: u.cache_read_input_tokens ?? DEFAULT_USAGE.cache_read_input_tokens,
    cache_creation: {
      ephemeral_5m_input_tokens: cc?.ephemeral_5m_input_tokens ?? Math.max(0, cci - h1),
      ephemeral_1h_input_tokens: h1,
    },
    output_tokens: u.output_tokens ?? DEFAULT_USAGE.output_tokens,
    service_tier: u.service_tier ?? 'standard',
  };
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

export async function start(opts: MockApiOptions = {}): Promise<MockApi> {
  const requests: RecordedRequest[] = [];
  const queue = Array.isArray(opts.script) ? [...opts.script] : null;
  const fn = typeof opts.script === 'function' ? opts.script : null;
  let messagesIndex = 0;
  let msgCounter = 0;
  let toolCounter = 0;

  function defaultReply(body: any): MockReply {
    const tools = Array.isArray(body?.tools) && body.tools.length > 0;
    if (opts.toolUse && tools && !hasToolResult(body)) return { kind: 'tool_use', ...opts.toolUse };
    return { kind: 'text', text: opts.text ?? 'done' };
  }

  const meter: MeterState = { used: 0, windowEnd: null, rejected: 0 };

  /** The meter's verdict on one request: the 429 past the budget, else the headers of the use so far. */
  function metered(): { reject: ErrorReply } | { headers: Record<string, string> } | null {
    const m = opts.meter;
    if (!m) return null;
    const now = Date.now();
    if (meter.windowEnd === null || now >= meter.windowEnd) {
      meter.used = 0;
      meter.windowEnd = Math.ceil((now + m.windowMs) / 1000) * 1000;
    }
    const resetsAt = meter.windowEnd / 1000;
    if (meter.used >= m.budget) {
      meter.rejected++;
      return { reject: rejected429({ resetsAt }) };
    }
    meter.used++;
    const utilization = meter.used / m.budget;
    return {
      headers: unifiedHeaders({
        status: utilization >= 0.9 ? 'allowed_warning' : 'allowed',
        fiveHour: { utilization, resetsAt },
      }),
    };
  }

  function choose(rec: RecordedRequest): MockReply {
    const m = metered();
    if (m && 'reject' in m) return m.reject;
    const reply = chooseScripted(rec);
    return m && reply.kind !== 'error' ? { ...reply, headers: { ...m.headers, ...reply.headers } } : reply;
  }

  function chooseScripted(rec: RecordedRequest): MockReply {
    const def = defaultReply(rec.body);
    const index = messagesIndex++;
    if (fn) return fn(rec, { index, defaultReply: def, requests }) ?? def;
    if (queue && queue.length > 0) return queue.shift()!;
    return def;
  }

  function blocksFor(reply: Exclude<MockReply, ErrorReply>): { blocks: Block[]; stop: string } {
    const blocks: Block[] = [];
    if (reply.kind === 'text')
      return { blocks: [{ type: 'text', text: reply.text }], stop: reply.stopReason ?? 'end_turn' };
    if (reply.text) blocks.push({ type: 'text', text: reply.text });
    const calls = reply.kind === 'tool_use' ? [reply] : reply.calls;
    for (const c of calls) {
      blocks.push({
        type: 'tool_use',
        id: c.id ?? `toolu_mock_${String(++toolCounter).padStart(4, '0')}`,
        name: c.name,
        input: c.input ?? {},
      });
    }
    return { blocks, stop: 'tool_use' };
  }

  async function answerMessages(rec: RecordedRequest, res: http.ServerResponse) {
    const reply = choose(rec);
    rec.reply = reply;
    const n = ++msgCounter;
    const requestId = `req_mock_${String(n).padStart(4, '0')}`;
    rec.requestId = requestId;
    if (reply.delayMs) {
      // Wait, but give up as soon as the client goes away (a killed CLI, a closed server).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reply.delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed) return;
    }

    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': requestId, ...reply.headers });
      res.end(
        JSON.stringify({ type: 'error', error: { type: reply.type, message: reply.message }, request_id: requestId }),
      );
      return;
    }

    const model =
      reply.model ?? opts.model ?? (typeof rec.body?.model === 'string' ? rec.body.model : 'claude-sonnet-4-5');
    const usage = resolveUsage(opts.usage, reply.usage);
    const id = reply.id ?? `msg_mock_${String(n).padStart(4, '0')}`;
    rec.messageId = id;
    const { blocks, stop } = blocksFor(reply);

    if (!rec.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId, ...reply.headers });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: blocks,
          stop_reason: stop,
          stop_sequence: null,
          usage,
        }),
      );
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': requestId,
      ...reply.headers,
    });
    const send = (type: string, data: Record<string, unknown>) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: reply.startOutputTokens ?? usage.output_tokens },
      },
    });
    blocks.forEach((b, index) => {
      if (b.type === 'text') {
        send('content_block_start', { index, content_block: { type: 'text', text: '' } });
        send('content_block_delta', { index, delta: { type: 'text_delta', text: b.text } });
      } else {
        send('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
        const json = JSON.stringify(b.input);
        // Split the JSON in two deltas, as the real API streams it in pieces.
        const cut = Math.floor(json.length / 2);
        send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(0, cut) } });
        send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(cut) } });
      }
      send('content_block_stop', { index });
    });
    const fullDelta = reply.fullDeltaUsage ?? true;
    send('message_delta', {
      delta: { stop_reason: stop, stop_sequence: null },
      usage: fullDelta
        ? {
            input_tokens: usage.input_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens,
            cache_read_input_tokens: usage.cache_read_input_tokens,
            output_tokens: usage.output_tokens,
          }
        : { output_tokens: usage.output_tokens },
    });
    send('message_stop', {});
    res.end();
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const url = req.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      const kind: RecordedRequest['kind'] =
        method === 'POST' && path === '/v1/messages'
          ? 'messages'
          : method === 'POST' && path === '/v1/messages/count_tokens'
            ? 'count_tokens'
            : 'other';
      const rec: RecordedRequest = {
        seq: requests.length,
        method,
        path,
        url,
        headers: req.headers,
        rawBody,
        body,
        kind,
        stream: body?.stream === true,
        time: Date.now(),
      };
      requests.push(rec);
      if (opts.log) process.stderr.write(`[mockApi] ${method} ${url} ${rawBody.length}B\n`);

      if (kind === 'messages') {
        answerMessages(rec, res).catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
        });
        return;
      }
      if (kind === 'count_tokens') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: Math.max(1, Math.ceil(rawBody.length / 4)) }));
        return;
      }
      const routed = opts.route?.(rec);
      if (routed) {
        const text =
          routed.body === undefined ? '' : typeof routed.body === 'string' ? routed.body : JSON.stringify(routed.body);
        res.writeHead(routed.status ?? 200, { 'content-type': 'application/json', ...routed.headers });
        res.end(method === 'HEAD' ? undefined : text);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(method === 'HEAD' ? undefined : '{}');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    meter,
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    messageRequests: () => requests.filter((r) => r.kind === 'messages'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export { start as startMockApi };
