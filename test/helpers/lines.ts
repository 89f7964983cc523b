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
