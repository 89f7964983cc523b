// The import reads ordinary assistant lines without building their content, from latin1-decoded
// bytes. These tests hold it to the general reader (whole line, UTF-8, JSON.parse and the schema):
// for every line, the same result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers/tmp.ts';
import { endOfValue, parseLine, parseWhole, type ParseContext } from '../../lib/transcripts/line.ts';
import { LINE_MARKERS } from '../../lib/transcripts/fileBytes.ts';
import { generateHistory } from '../../bench/generate.ts';
import { mightContainLimitMessage } from '../../lib/transcripts/limitMessage.ts';
import { assistantLine } from '../helpers/lines.ts';

const ctx = (latin1: boolean): ParseContext => ({ fallbackKey: 'fb', timeZone: () => 'UTC', latin1 });

/** What the import computes for a line's bytes, and what the general reader says of them. */
function both(bytes: Buffer): { fast: unknown; whole: unknown } {
  const text = bytes.toString('utf8');
  // The general reader behind parseLine's cheap pre-check, as parseLine applied it before.
  const relevant =
    text.includes('"usage"') ||
    text.includes('api_error') ||
    text.includes('isApiErrorMessage') ||
    mightContainLimitMessage(text);
  return {
    fast: parseLine(bytes.toString('latin1'), ctx(true)),
    whole: relevant ? parseWhole(text, ctx(false)) : 'skip',
  };
}

function jsonlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) jsonlFiles(p, out);
    else if (name.endsWith('.jsonl')) out.push(p);
  }
  return out;
}

test('every line of a generated history (all features) reads the same both ways', async (t) => {
  const root = tmpDir(t, 'ccguard-line-');
  await generateHistory({ root, targetBytes: 3e6, seed: 7, start: new Date('2026-09-01T00:00:00Z'), days: 3 });
  let compared = 0;
  let usage = 0;
  for (const f of jsonlFiles(root)) {
    const buf = readFileSync(f);
    let s = 0;
    for (let e = buf.indexOf(0x0a); e >= 0; s = e + 1, e = buf.indexOf(0x0a, s)) {
      const line = buf.subarray(s, e);
      if (!LINE_MARKERS.some((m) => line.includes(m))) continue;
      const { fast, whole } = both(line);
      assert.deepEqual(fast, whole, line.toString('utf8').slice(0, 300));
      compared++;
      if (Array.isArray(whole) && whole.some((r) => r.kind === 'usage')) usage++;
    }
  }
  assert.ok(compared > 500 && usage > 400, `compared ${compared} lines, ${usage} with usage`);
});

test('lines the real Claude Code CLI wrote read the same both ways', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'claude-real');
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)) {
      const { fast, whole } = both(Buffer.from(line));
      assert.deepEqual(fast, whole, line.slice(0, 200));
      n++;
    }
  }
  assert.ok(n >= 5);
});

/** Claude Code writes `stop_reason` right after `content`, as the API orders a message's fields. */
function withStopReason(line: string): Record<string, unknown> {
  const o = JSON.parse(line) as Record<string, unknown>;
  const { content, usage, ...rest } = o.message as Record<string, unknown>;
  o.message = { ...rest, content, stop_reason: 'end_turn', stop_sequence: null, usage };
  return o;
}

test('lines built to mislead the content cut read the same both ways', () => {
  const T = Date.UTC(2026, 10, 20, 9);
  const base = withStopReason(
    assistantLine({
      ts: T,
      msgId: 'msg_1',
      reqId: 'req_1',
      model: 'claude-sonnet-4-5',
      input: 3,
      output: 7,
      cacheWrite: 11,
      cacheRead: 13,
    }),
  );
  const msg = base.message as Record<string, unknown>;
  const variant = (edit: (o: Record<string, unknown>, m: Record<string, unknown>) => void): string => {
    const o = structuredClone(base);
    edit(o, o.message as Record<string, unknown>);
    return JSON.stringify(o);
  };
  const cases: string[] = [
    JSON.stringify(base),
    // Tool input whose own keys are "content" and "stop_reason", before the message's.
    variant(
      (_o, m) =>
        (m.content = [
          {
            type: 'tool_use',
            id: 't',
            name: 'Write',
            input: { content: 'x', stop_reason: ['a'], nested: { content: [1, { stop_reason: 2 }] } },
          },
        ]),
    ),
    // Text that spells the keys out (escaped inside the string) and braces that do not balance.
    variant((_o, m) => (m.content = [{ type: 'text', text: '"content":[{ ,"stop_reason":"}]] \\" \\\\' }])),
    // A top-level "content" before the message: the cut spans into the message and must not parse.
    `{"content":[1],"type":"assistant","timestamp":"2026-11-20T09:00:00.000Z","message":${JSON.stringify({ ...msg, content: [{ type: 'text', text: 'a' }] })},"requestId":"req_2"}`,
    // Content as a string, content missing, stop_reason missing.
    variant((_o, m) => (m.content = 'plain')),
    variant((_o, m) => delete m.content),
    variant((_o, m) => delete m.stop_reason),
    // Non-ASCII where records keep it, and escapes.
    variant((o) => (o.cwd = '/Users/José/code — ü')),
    variant((o) => (o.sessionId = 'sess-\u00e9')),
    JSON.stringify(base).replace('"claude-sonnet-4-5"', '"claude-sonnet-4-\\u0035"'),
    JSON.stringify(base).replace('"claude-sonnet-4-5"', '"claude-sonnet-\\u00e9"'),
    // Odd usage shapes the schema judges its own way.
    variant((_o, m) => ((m.usage as Record<string, unknown>).cache_creation = null)),
    variant((_o, m) => ((m.usage as Record<string, unknown>).cache_creation = [1, 2])),
    variant((_o, m) => ((m.usage as Record<string, unknown>).cache_creation = { ephemeral_5m_input_tokens: -1 })),
    variant((_o, m) => ((m.usage as Record<string, unknown>).cache_creation = { ephemeral_1h_input_tokens: 5 })),
    variant((_o, m) => ((m.usage as Record<string, unknown>).cache_read_input_tokens = 1.5)),
    variant((_o, m) => ((m.usage as Record<string, unknown>).cache_read_input_tokens = '9')),
    variant((_o, m) => ((m.usage as Record<string, unknown>).input_tokens = 2 ** 60)),
    variant((_o, m) => ((m.usage as Record<string, unknown>).output_tokens = null)),
    variant((_o, m) => (m.usage = 'lots')),
    variant((_o, m) => (m.model = 42)),
    variant((_o, m) => delete m.model),
    variant((_o, m) => (m.model = '<synthetic>')),
    variant((o) => (o.isApiErrorMessage = true)),
    variant((o) => (o.isApiErrorMessage = 'true')),
    variant((o) => (o.sessionId = 17)),
    variant((o) => (o.requestedModel = 'claude-opus-4-5')),
    variant((o) => delete o.requestId),
    variant((o) => (o.timestamp = 'yesterday')),
    variant((o) => (o.timestamp = '+275760-09-13T00:00:00.000Z')),
    variant((o) => (o.type = 'user')),
    variant((o) => (o.message = null)),
    variant((o) => (o.message = [msg])),
    // Duplicate keys: the last one counts, as in JSON.parse.
    JSON.stringify(base).replace('"requestId":"req_1"', '"requestId":"req_1","requestId":"req_9"'),
    // Truncated, and two lines run together.
    JSON.stringify(base).slice(0, 200),
    JSON.stringify(base).slice(0, -40) + JSON.stringify(base),
    // A line cut short inside its content, run into the next (complete) line: one bad line, not a
    // response keyed by the first's message id and the second's request id.
    JSON.stringify(variant((_o, m) => (m.content = [{ type: 'text', text: 'long text cut here' }]))).split(
      'cut here',
    )[0] +
      JSON.stringify(
        variant(
          (o, m) => (
            (o.requestId = 'req_B'),
            (m.id = 'msg_B'),
            ((m.usage as Record<string, unknown>).output_tokens = 900)
          ),
        ),
      ),
    // The same with a user line (a tool result) cut short.
    JSON.stringify({
      type: 'user',
      sessionId: 's',
      timestamp: '2026-11-20T09:00:00.000Z',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'output that was cut' }] },
    }).split('was cut')[0] + JSON.stringify(base),
    // Keys of the message between its content and stop_reason, and a sibling object holding the keys.
    JSON.stringify(base)
      .replace('"content":[', '"model":"A","content":[')
      .replace(',"stop_reason":', ',"model":"B","stop_reason":'),
    JSON.stringify(base).replace(',"stop_reason":', ',"usage":{"input_tokens":7,"output_tokens":7},"stop_reason":'),
    `{"type":"assistant","timestamp":"2026-11-20T09:00:00.000Z","requestId":"r","message":{"id":"m","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":1,"output_tokens":1}},"extra":{"a":1,"stop_reason":null,"usage":{"input_tokens":999,"output_tokens":999}}}`,
    // Brackets and quotes inside strings of the content, escaped backslashes before quotes.
    variant(
      (_o, m) =>
        (m.content = [
          { type: 'text', text: '] } ] "quoted" \\" [[{{ \\' },
          { type: 'tool_use', id: 't', name: 'Bash', input: { command: 'echo "}]"', n: [1, [2, { x: '\\' }]] } },
        ]),
    ),
    // A content value that is not JSON while the rest is: the one documented difference, checked below.
  ];
  for (const c of cases) {
    const { fast, whole } = both(Buffer.from(c));
    assert.deepEqual(fast, whole, c.slice(0, 300));
  }
  // Raw bytes that are not UTF-8 in the content and in the cwd.
  const raw = Buffer.concat([
    Buffer.from(JSON.stringify(base).replace('"cwd":"', '"cwd":"X').replace('"text":"', '"text":"Y')),
    Buffer.alloc(0),
  ]);
  const xAt = raw.indexOf('X');
  const yAt = raw.indexOf('Y');
  raw[xAt] = 0xff;
  raw[yAt] = 0xc3;
  const { fast, whole } = both(raw);
  assert.deepEqual(fast, whole);
});

test('the one difference: a line whose content alone is not JSON is still counted', () => {
  const T = Date.UTC(2026, 10, 20, 9);
  const good = JSON.stringify(
    withStopReason(
      assistantLine({ ts: T, msgId: 'msg_1', reqId: 'req_1', model: 'claude-sonnet-4-5', input: 3, output: 7 }),
    ),
  );
  const odd = good.replace(
    /"content":\[.*?\],"stop_reason"/,
    '"content":[{"type":"text","text":"tab\there"}],"stop_reason"',
  );
  assert.notEqual(odd, good);
  assert.equal(parseWhole(odd, ctx(false)), 'bad');
  const r = parseLine(odd, ctx(false));
  assert.ok(Array.isArray(r) && r[0]?.kind === 'usage' && r[0].output === 7);
});

test('endOfValue finds the end of one array, object or string by its brackets and quotes', () => {
  const cases: [string, number][] = [
    ['[1,2]x', 5],
    ['{"a":"]"}x', 9],
    ['"a\\"b"x', 6],
    ['"a\\\\"x', 5],
    ['[{"t":"}]"},[["x"]]],x', 20],
    ['[1,2', -1],
    ['[1}', -1],
    ['"open', -1],
    ['1', -1],
    ['null', -1],
  ];
  for (const [text, end] of cases) assert.equal(endOfValue(text, 0), end, text);
});

test("a limit line's window: rate_limit_info names it when present; text alone resetting days away is the weekly one", () => {
  const ts = '2026-12-07T18:40:00.000Z';
  const text = "You've hit your limit · resets Dec 11, 12:30pm (America/Los_Angeles)";
  const line = (extra: Record<string, unknown>) =>
    JSON.stringify({
      type: 'assistant',
      uuid: 'u1',
      timestamp: ts,
      sessionId: 's',
      isApiErrorMessage: true,
      error: 'rate_limit',
      message: { id: 'm1', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text }] },
      ...extra,
    });
  const limitOf = (r: unknown) =>
    Array.isArray(r)
      ? (r as { kind: string; scope?: string; resetAt?: number | null }[]).find((x) => x.kind === 'limit')
      : undefined;
  const textOnly = limitOf(parseWhole(line({}), ctx(false)));
  assert.equal(textOnly?.scope, 'weekly');
  assert.equal(textOnly?.resetAt, Date.UTC(2026, 11, 11, 20, 30));
  const resetsAt = Date.UTC(2026, 11, 7, 21, 0) / 1000;
  const structured = limitOf(
    parseWhole(
      line({ apiErrorParams: { rate_limit_info: { status: 'rejected', resetsAt, rateLimitType: 'five_hour' } } }),
      ctx(false),
    ),
  );
  assert.equal(structured?.scope, 'five_hour', 'rate_limit_info names the window');
  assert.equal(structured?.resetAt, resetsAt * 1000);
});
