/** Builders for Claude Code transcript lines, shaped as the docs describe. */
export interface AssistantOpts {
  ts: number;
  msgId: string;
  reqId?: string;
  session?: string;
  model?: string;
  input?: number;
  output?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  cacheRead?: number;
  text?: string;
}

export function assistantLine(o: AssistantOpts): string {
  const cw = o.cacheWrite ?? 0;
  const cw1h = o.cacheWrite1h ?? 0;
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    type: 'assistant',
    uuid: `uuid-${o.msgId}-${Math.abs(o.ts % 100000)}`,
    timestamp: new Date(o.ts).toISOString(),
    sessionId: o.session ?? 'sess-1',
    cwd: '/work/p',
    requestId: o.reqId ?? `req_${o.msgId}`,
    message: {
      id: o.msgId,
      type: 'message',
      role: 'assistant',
      model: o.model ?? 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: o.text ?? 'ok' }],
      usage: {
        input_tokens: o.input ?? 10,
        output_tokens: o.output ?? 20,
        cache_creation_input_tokens: cw,
        cache_read_input_tokens: o.cacheRead ?? 0,
        cache_creation: { ephemeral_5m_input_tokens: cw - cw1h, ephemeral_1h_input_tokens: cw1h },
        service_tier: 'standard',
      },
    },
  });
}

export function userLine(ts: number, text: string, session = 'sess-1'): string {
  return JSON.stringify({
    type: 'user',
    uuid: `u-${ts}`,
    timestamp: new Date(ts).toISOString(),
    sessionId: session,
    message: { role: 'user', content: text },
  });
}

export function apiErrorLine(ts: number, uuid: string, session = 'sess-1', status = 429, error = 'rate_limit'): string {
  return JSON.stringify({
    type: 'assistant',
    uuid,
    timestamp: new Date(ts).toISOString(),
    sessionId: session,
    isApiErrorMessage: true,
    error,
    apiErrorStatus: status,
    message: {
      id: `msg-${uuid}`,
      model: '<synthetic>',
      role: 'assistant',
      content: [{ type: 'text', text: `API Error: Request rejected (${status}) · rate limited` }],
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

export function limitLine(ts: number, uuid: string, text: string, session = 'sess-1'): string {
  return JSON.stringify({
    type: 'assistant',
    uuid,
    timestamp: new Date(ts).toISOString(),
    sessionId: session,
    isApiErrorMessage: true,
    error: 'rate_limit',
    message: {
      id: `msg-${uuid}`,
      model: '<synthetic>',
      role: 'assistant',
      content: [{ type: 'text', text }],
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A reset as Claude Code's limit text names it in UTC: "1:05am", or "Dec 11, 1:05am" with its date.
 * Tests that write a text-only limit line build its reset from the clock, so the line means the same
 * window at whatever hour they run (a fixed "11:59pm" is the weekly window before 19:00 UTC).
 */
export function resetText(ms: number, withDate = false): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const clock = `${h % 12 || 12}:${String(d.getUTCMinutes()).padStart(2, '0')}${h < 12 ? 'am' : 'pm'}`;
  return withDate ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${clock}` : clock;
}

/** The same reset as ccguard prints it under TZ=UTC (24 h). */
function resetClock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** A text-only 5-hour limit line's words, resetting two hours after `now`, and that reset's clock. */
export function fiveHourLimitText(now: number): { text: string; clock: string } {
  const reset = now + 120 * 60_000;
  return { text: `You've hit your limit · resets ${resetText(reset)} (UTC)`, clock: resetClock(reset) };
}
