// The line readers check a line's fields by hand (lib/transcripts/line.ts validLine, validUsage). The
// zod schema below is what they replaced, kept as the specification: on any input, the same fields
// are kept, the same replaced (a bad optional value by nothing, a bad count by 0), the same lines refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { z } from 'zod';
import { validLine, validUsage } from '../../lib/transcripts/line.ts';

const count = z.number().int().nonnegative().catch(0);
const UsageSchema = z.looseObject({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_creation_input_tokens: count.optional(),
  cache_read_input_tokens: count.optional(),
  cache_creation: z
    .looseObject({ ephemeral_5m_input_tokens: count.optional(), ephemeral_1h_input_tokens: count.optional() })
    .nullish()
    .catch(undefined),
});
const ContentSchema = z
  .union([z.string(), z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() }))])
  .optional()
  .catch(undefined);
const optString = () => z.string().optional().catch(undefined);
const LineSchema = z.looseObject({
  type: z.string(),
  subtype: optString(),
  uuid: optString(),
  timestamp: z.string(),
  sessionId: optString(),
  cwd: optString(),
  requestId: optString(),
  requestedModel: optString(),
  isApiErrorMessage: z.boolean().optional().catch(undefined),
  error: z.unknown().optional(),
  apiErrorStatus: z.number().optional().catch(undefined),
  content: ContentSchema,
  message: z
    .looseObject({ id: optString(), model: optString(), usage: z.unknown().optional(), content: ContentSchema })
    .optional(),
});

const LINE_KEYS = [
  'type',
  'subtype',
  'uuid',
  'timestamp',
  'sessionId',
  'cwd',
  'requestId',
  'requestedModel',
  'isApiErrorMessage',
  'error',
  'apiErrorStatus',
] as const;

/** The fields the readers use, from either side, with content blocks as their type and text. */
function fields(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = o[k];
  for (const k of ['content'] as const) {
    const c = o[k];
    out[k] = Array.isArray(c) ? c.map((b: { type?: unknown; text?: unknown }) => ({ type: b.type, text: b.text })) : c;
  }
  return out;
}

function zodLine(raw: unknown): unknown {
  const r = LineSchema.safeParse(raw);
  if (!r.success) return null;
  const m = r.data.message;
  return { ...fields(r.data, LINE_KEYS), message: m && { ...fields(m, ['id', 'model', 'usage']) } };
}

function handLine(raw: unknown): unknown {
  const l = validLine(raw);
  if (!l) return null;
  const m = l.message;
  return { ...fields({ ...l }, LINE_KEYS), message: m && { ...fields({ ...m }, ['id', 'model', 'usage']) } };
}

function zodUsage(raw: unknown): unknown {
  const r = UsageSchema.safeParse(raw);
  if (!r.success) return null;
  const u = r.data;
  const c = u.cache_creation;
  return {
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    cache_creation: c
      ? {
          ephemeral_5m_input_tokens: c.ephemeral_5m_input_tokens,
          ephemeral_1h_input_tokens: c.ephemeral_1h_input_tokens,
        }
      : c,
  };
}

// Values of every JSON kind, with the edges a count or a string check meets.
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom(0, -0, 1, -1, 1.5, 2 ** 53, 2 ** 53 - 1, 1e300, 42),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 2 }),
  fc.dictionary(
    fc.constantFrom('type', 'text', 'x'),
    fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)),
    { maxKeys: 2 },
  ),
);
const content = fc.oneof(
  anyValue,
  fc.array(
    fc.oneof(
      fc.record(
        {
          type: fc.oneof(fc.string({ maxLength: 3 }), anyValue),
          text: fc.oneof(fc.string({ maxLength: 3 }), anyValue),
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    { maxLength: 3 },
  ),
);
const usage = fc.oneof(
  anyValue,
  fc.record(
    {
      input_tokens: fc.oneof(fc.nat(), anyValue),
      output_tokens: fc.oneof(fc.nat(), anyValue),
      cache_creation_input_tokens: anyValue,
      cache_read_input_tokens: anyValue,
      cache_creation: fc.oneof(
        anyValue,
        fc.record({ ephemeral_5m_input_tokens: anyValue, ephemeral_1h_input_tokens: anyValue }, { requiredKeys: [] }),
      ),
    },
    { requiredKeys: [] },
  ),
);
const line = fc.oneof(
  anyValue,
  fc.record(
    {
      type: fc.oneof(fc.constantFrom('assistant', 'system', 'user'), anyValue),
      timestamp: fc.oneof(fc.constant('2026-11-20T10:00:00.000Z'), anyValue),
      subtype: anyValue,
      uuid: anyValue,
      sessionId: anyValue,
      cwd: anyValue,
      requestId: anyValue,
      requestedModel: anyValue,
      isApiErrorMessage: anyValue,
      error: anyValue,
      apiErrorStatus: anyValue,
      content,
      message: fc.oneof(anyValue, fc.record({ id: anyValue, model: anyValue, usage, content }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  ),
);

test('validLine keeps, replaces and refuses what the zod line schema did', () => {
  fc.assert(
    fc.property(line, (raw) => assert.deepStrictEqual(handLine(raw), zodLine(raw))),
    { numRuns: 20_000, seed: 5 },
  );
});

test('validUsage keeps, replaces and refuses what the zod usage schema did', () => {
  fc.assert(
    fc.property(usage, (raw) => assert.deepStrictEqual(validUsage(raw), zodUsage(raw))),
    { numRuns: 20_000, seed: 6 },
  );
});
