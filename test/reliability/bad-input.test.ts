// Bad input, generated: hook stdin that is not JSON, has the wrong types, misses fields, carries huge
// or deeply nested fields or unknown events; transcript lines of every malformed kind. The bulk goes
// through the code in-process (runHook, the fast path's parser, salvage; parseLine and a file
// import), a few hundred payloads through real hook processes. Every hook answers within its budget
// with an allow or a documented decision and nothing on stderr; the import skips and counts.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { runHook, type HookDeps } from '../../lib/hook/run.ts';
import { parseFastInput, leaseAllows } from '../../lib/hook/fast.ts';
import { MAX_STDIN, salvage } from '../../lib/hook/stdin.ts';
import { parseLine, type LineResult } from '../../lib/transcripts/line.ts';
import { LINE_MARKERS } from '../../lib/transcripts/fileBytes.ts';
import { openStore } from '../../lib/store/store.ts';
import { importAll } from '../../lib/transcripts/import.ts';
import { HOOK_EVENTS } from '../../lib/policy/types.ts';
import { assistantLine, apiErrorLine, limitLine, userLine } from '../helpers/lines.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { badOutput, badRun, pool, runHookProc } from '../helpers/hookProc.ts';
import { Tally, measured } from '../helpers/figures.ts';

const SUITE = 'bad-input';
const SEED = Number(process.env.CCGUARD_FUZZ_SEED ?? 20261124);
const LONG = process.env.CCGUARD_SOAK === 'long';
const IN_PROCESS = LONG ? 50_000 : 10_000;
const PROCESSES = LONG ? 1000 : 240;
const LINES = LONG ? 100_000 : 12_000;

// ---------------------------------------------------------------------------------------------
// Hook stdin.

interface World {
  home: string;
  sessions: string[];
  transcripts: string[];
  oddPaths: string[];
}

function world(t: TestContext): World & { cleanup: () => void } {
  const h = tmpHome(t, 'ccguard-fuzz-');
  const dir = join(h.projects, '-fuzz');
  mkdirSync(dir, { recursive: true });
  mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
  // Far from every limit, so a silent allow is the usual answer and anything else stands out; no sleeping.
  writeFileSync(join(h.stateDir, 'config.yaml'), 'plan: 1000000000\nrecovery:\n  max_sleep_seconds: 0\n');
  const sessions = ['s-1', 's-2', 's-3'];
  const transcripts = sessions.map((s) => join(dir, `${s}.jsonl`));
  const now = Date.now();
  transcripts.forEach((f, i) =>
    writeFileSync(
      f,
      [
        userLine(now - 120_000, 'hi', sessions[i]),
        assistantLine({ ts: now - 60_000, msgId: `m${i}`, session: sessions[i] }),
      ].join('\n') + '\n',
    ),
  );
  const fifo = join(h.home, 'fifo.jsonl');
  execFileSync('mkfifo', [fifo]);
  const oddPaths = [
    fifo,
    '/dev/null',
    '/dev/zero',
    '/dev/stdin',
    '/',
    h.home,
    '/proc/self/status',
    join(h.home, 'missing.jsonl'),
    'relative.jsonl',
    '',
    'x'.repeat(5000),
    '/tmp/../tmp/./x.jsonl',
    `${dir}/../-fuzz/s-1.jsonl`,
    '\u0000',
    'C:\\Users\\x.jsonl',
  ];
  return { home: h.home, sessions, transcripts, oddPaths, cleanup: h.cleanup };
}

/** A value of any JSON type, sometimes huge or deeply nested. */
const anyValue = (w: World): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', 'x'.repeat(200_000), '\ud800', '💥'.repeat(1000)) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown),
    },
    { weight: 1, arbitrary: fc.constantFrom(...w.oddPaths, ...w.transcripts) },
    { weight: 1, arbitrary: fc.constantFrom(Number.MAX_VALUE, -0, 1e308, -1, 0.5, 2 ** 53 + 1) },
  );

const eventName = fc.oneof(
  fc.constantFrom(...HOOK_EVENTS),
  fc.constantFrom('', 'Foo', 'pretooluse', 'Notification', 'PreCompact', 'PermissionRequest'),
  fc.string(),
);

/** A payload shaped like Claude Code's, with any field mistyped, missing, odd or huge, and extra keys. */
const shaped = (w: World): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record(
      {
        session_id: fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...w.sessions) },
          { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
          { weight: 2, arbitrary: anyValue(w) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              '../../../etc/passwd',
              '.',
              '..',
              'a/b',
              'x'.repeat(100_000),
              'fast',
              'GEN',
              '$(touch pwned)',
            ),
          },
        ),
        hook_event_name: fc.oneof({ weight: 3, arbitrary: eventName }, { weight: 1, arbitrary: anyValue(w) }),
        transcript_path: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...w.transcripts) },
          { weight: 3, arbitrary: fc.constantFrom(...w.oddPaths) },
          { weight: 1, arbitrary: anyValue(w) },
        ),
        cwd: fc.oneof(fc.constantFrom('/work/app', '/', '', '$(reboot)'), anyValue(w)),
        tool_name: fc.oneof(
          fc.constantFrom('Bash', 'Task', 'WebFetch', 'ScheduleWakeup', 'mcp__x__y', ''),
          fc.string(),
          anyValue(w),
        ),
        tool_input: anyValue(w),
        tool_response: anyValue(w),
        prompt: fc.oneof(fc.string(), anyValue(w)),
        error: fc.oneof(fc.constantFrom('rate_limit', 'server_error', 'invalid_request', ''), anyValue(w)),
        source: anyValue(w),
        reason: anyValue(w),
        duration_ms: anyValue(w),
        permission_mode: anyValue(w),
      },
      { requiredKeys: [] },
    )
    .chain((o) =>
      fc.dictionary(fc.string({ maxLength: 12 }), anyValue(w), { maxKeys: 4 }).map((extra) => ({ ...extra, ...o })),
    );

/** Hook stdin: mostly Claude Code's shape gone wrong, and text that is not that at all. */
const stdinArb = (w: World): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: shaped(w).map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'null',
        'true',
        '0',
        '"x"',
        '[]',
        '{}',
        '{',
        '}{',
        '{"session_id":',
        '{"session_id":"s-1"',
        '\u0000\u0001',
        'undefined',
        'NaN',
      ),
    },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    {
      weight: 2,
      arbitrary: fc.tuple(shaped(w), fc.nat()).map(([o, n]) => {
        const t = JSON.stringify(o);
        return t.slice(0, n % (t.length + 1));
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 10, max: 200_000 })
        .map(
          (n) => `{"session_id":"s-1","hook_event_name":"PreToolUse","tool_input":${'['.repeat(n)}${']'.repeat(n)}}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"session_id":"s-1","session_id":5}',
        '{"__proto__":{"session_id":"x"},"hook_event_name":"Stop"}',
        '{"session_id":"s-1","hook_event_name":"PreToolUse","constructor":{"prototype":{"polluted":1}}}',
        '\ufeff{"session_id":"s-1","hook_event_name":"Stop"}',
      ),
    },
  );

function captureStderr(): { stop: () => string } {
  const chunks: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = (c: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
    return (orig as (...a: unknown[]) => boolean)(c, ...rest);
  };
  return {
    stop: () => {
      process.stderr.write = orig;
      return chunks.join('');
    },
  };
}

test(
  `${IN_PROCESS} generated hook payloads through runHook, the fast path's parser and salvage, in-process`,
  { timeout: 600_000 },
  async (t) => {
    const w = world(t);
    const tally = new Tally('');
    await measured(
      SUITE,
      'Bad input',
      `${IN_PROCESS} generated hook stdin payloads (fast-check, seed ${SEED}), in-process: runHook, parseFastInput, salvage, leaseAllows`,
      tally,
      async () => {
        const env = { HOME: w.home, TZ: 'UTC', PATH: process.env.PATH ?? '' };
        const stateDir = join(w.home, '.claude', 'ccguard');
        const notified: string[] = [];
        const slept: number[] = [];
        const deps: HookDeps = {
          now: Date.now,
          sleep: async (ms) => void slept.push(ms),
          notify: (n) => void notified.push(n.title),
        };
        const outcomes = new Map<string, number>();
        const count = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
        const events = fc.constantFrom(...HOOK_EVENTS);
        await fc.assert(
          fc.asyncProperty(stdinArb(w), events, async (raw, event) => {
            // As the entry does: past the stdin cap only the leading fields are kept.
            const text =
              Buffer.byteLength(raw) > MAX_STDIN
                ? salvage(Buffer.from(raw).subarray(0, MAX_STDIN).toString('utf8'))
                : raw;
            const fast = parseFastInput(text);
            if (fast !== null) {
              assert.equal(typeof fast.session_id, 'string');
              assert.ok(fast.session_id.length > 0);
              const state = leaseAllows(
                stateDir,
                join(stateDir, 'config.yaml'),
                fast.session_id,
                Date.now(),
                fast.transcript_path,
              );
              assert.ok(state === null || typeof state === 'string');
            }
            assert.doesNotThrow(() => JSON.parse(salvage(raw)));
            const err = captureStderr();
            const t0 = performance.now();
            let res;
            try {
              res = await runHook(event, text, env, deps);
            } finally {
              const said = err.stop();
              assert.equal(said, '', `stderr: ${said.slice(0, 200)}`);
            }
            const ms = performance.now() - t0;
            tally.call(ms, false);
            assert.equal(res.exitCode, 0);
            assert.equal(res.sleepMs, 0);
            const why = badOutput(event, res.stdout, false);
            assert.equal(why, null, why ?? '');
            count(
              res.stdout === ''
                ? 'silent'
                : /"permissionDecision":"deny"|"decision":"block"/.test(res.stdout)
                  ? 'deny'
                  : 'message',
            );
          }),
          { numRuns: IN_PROCESS, seed: SEED, endOnFailure: true },
        );
        assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
        tally.cases = IN_PROCESS;
        tally.held = `every call resolved to exit 0, no stderr; answers: ${[...outcomes].map(([k, n]) => `${n} ${k}`).join(', ')} (all documented shapes)`;
      },
    );
  },
);

test(`${PROCESSES} generated hook payloads through real hook processes`, { timeout: 600_000 }, async (t) => {
  const w = world(t);
  const tally = new Tally('');
  await measured(
    SUITE,
    'Bad input',
    `${PROCESSES} generated payloads through the built hooks (8 at a time)`,
    tally,
    async () => {
      const env = { HOME: w.home, TZ: 'UTC', PATH: process.env.PATH ?? '' };
      const samples = fc.sample(fc.tuple(stdinArb(w), fc.constantFrom(...HOOK_EVENTS)), {
        numRuns: PROCESSES,
        seed: SEED + 1,
      });
      // And a few that pass the stdin cap: the fields ccguard needs first, then megabytes.
      samples.push([
        '{"session_id":"s-1","transcript_path":"' +
          w.transcripts[0] +
          '","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"content":"' +
          'y'.repeat(6 * 1024 * 1024) +
          '"}}',
        'PreToolUse',
      ]);
      samples.push([`{"tool_input":"${'z'.repeat(5 * 1024 * 1024)}","session_id":"s-2"}`, 'PostToolUse']);
      const results = await pool(
        8,
        samples.map(([stdin, event]) => async () => ({
          event,
          stdin,
          r: await runHookProc(event, stdin, { env, killAfterMs: 60_000 }),
        })),
      );
      const failures = results.flatMap(({ event, stdin, r }) => {
        tally.call(r.ms);
        const why = badRun(event, r);
        return why ? [`${event} ${JSON.stringify(stdin.slice(0, 120))}: ${why}`] : [];
      });
      assert.deepEqual(failures, []);
      tally.cases = samples.length;
      tally.held = `all exit 0, stdout empty or one documented JSON line, stderr empty, no stack trace`;
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Transcript lines.

const T = Date.UTC(2026, 10, 20, 12);

/** A path into a JSON object and a value to put there (or undefined to delete it). */
const mutation = fc.tuple(
  fc.constantFrom(
    ['type'],
    ['timestamp'],
    ['sessionId'],
    ['requestId'],
    ['uuid'],
    ['message'],
    ['message', 'id'],
    ['message', 'model'],
    ['message', 'usage'],
    ['message', 'usage', 'input_tokens'],
    ['message', 'usage', 'output_tokens'],
    ['message', 'usage', 'cache_creation_input_tokens'],
    ['message', 'usage', 'cache_read_input_tokens'],
    ['message', 'usage', 'cache_creation'],
    ['message', 'usage', 'cache_creation', 'ephemeral_1h_input_tokens'],
    ['message', 'content'],
    ['message', 'content', '0'],
    ['message', 'content', '0', 'text'],
    ['isApiErrorMessage'],
    ['error'],
    ['apiErrorStatus'],
    ['subtype'],
    ['requestedModel'],
    ['content'],
  ),
  fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(
      -1,
      1.5,
      1e308,
      -1e308,
      2 ** 53,
      '12',
      'NaN',
      null,
      true,
      [],
      {},
      '',
      '<synthetic>',
      'assistant',
      'system',
      'api_error',
      '9999-99-99',
      '2026-11-20T12:00:00Z',
      "You've hit your limit · resets 3pm (Europe/Berlin)",
      'Claude usage limit reached. Your limit will reset at 99pm.',
      'x'.repeat(100_000),
    ),
  ),
);

function setAt(o: Record<string, unknown>, path: readonly string[], v: unknown): void {
  let cur: unknown = o;
  for (const k of path.slice(0, -1)) {
    if (typeof cur !== 'object' || cur === null) return;
    cur = (cur as Record<string, unknown>)[k];
  }
  if (typeof cur !== 'object' || cur === null) return;
  const last = path.at(-1)!;
  if (v === undefined) delete (cur as Record<string, unknown>)[last];
  else (cur as Record<string, unknown>)[last] = structuredClone(v); // constants are shared between samples
}

const baseLines = (i: number): string[] => [
  assistantLine({
    ts: T + i * 1000,
    msgId: `msg_${i}`,
    session: 'fz',
    input: i,
    output: 2,
    cacheWrite: 100,
    cacheWrite1h: 40,
    cacheRead: 7,
  }),
  apiErrorLine(T + i * 1000, `err-${i}`, 'fz'),
  limitLine(T + i * 1000, `lim-${i}`, "You've hit your limit · resets 5pm (UTC)", 'fz'),
  JSON.stringify({
    type: 'system',
    subtype: 'api_error',
    uuid: `sys-${i}`,
    timestamp: new Date(T + i * 1000).toISOString(),
    sessionId: 'fz',
    error: { status: 429, error: { type: 'rate_limit_error' } },
    retryAttempt: 1,
  }),
];

const lineArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.nat(), fc.nat(3), fc.array(mutation, { minLength: 1, maxLength: 4 }))
      .map(([i, which, muts]) => {
        const o = JSON.parse(baseLines(i % 5000)[which]!) as Record<string, unknown>;
        for (const [path, v] of muts) setAt(o, path, v);
        return JSON.stringify(o) ?? 'undefined';
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom('"usage"', '"api_error"', 'isApiErrorMessage', 'limit reached', 'hit your limit'),
      )
      .map(([s, m]) => s.slice(0, s.length >> 1) + m + s.slice(s.length >> 1)),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(), fc.nat(3), fc.nat()).map(([i, which, cut]) => {
      const l = baseLines(i % 5000)[which]!;
      return l.slice(0, cut % l.length);
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue({ maxDepth: 5 })
      .map((v) => JSON.stringify({ type: 'assistant', timestamp: new Date(T).toISOString(), message: { usage: v } })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 50_000 })
      .map(
        (n) =>
          `{"type":"assistant","timestamp":"2026-11-20T12:00:00Z","message":{"usage":${'['.repeat(n)}${']'.repeat(n)}}}`,
      ),
  },
);

function checkResult(r: LineResult, text: string): void {
  if (r === 'skip' || r === 'bad') return;
  assert.ok(Array.isArray(r) && r.length > 0, `result for ${text.slice(0, 100)}`);
  for (const rec of r) {
    assert.equal(typeof rec.key, 'string'); // may be "" when a line's uuid is: such lines share one key
    assert.ok(Number.isFinite(rec.ts) && !Number.isNaN(new Date(rec.ts + 7 * 86_400_000).getTime()), `ts ${rec.ts}`);
    if (rec.kind === 'usage') {
      for (const n of [rec.input, rec.output, rec.cacheWrite5m, rec.cacheWrite1h, rec.cacheRead])
        assert.ok(Number.isSafeInteger(n) && n >= 0, `tokens ${n} in ${text.slice(0, 100)}`);
      assert.equal(typeof rec.model, 'string');
    } else if (rec.kind === 'limit') {
      assert.ok(rec.resetAt === null || Number.isFinite(rec.resetAt));
    }
  }
}

test(
  `${LINES} generated transcript lines through parseLine, then as one file through the import`,
  { timeout: 600_000 },
  async (t) => {
    const tally = new Tally('');
    await measured(
      SUITE,
      'Bad input',
      `${LINES} generated malformed transcript lines (fast-check, seed ${SEED}): parseLine in-process, then one file import`,
      tally,
      async () => {
        const ctx = (i: number) => ({ fallbackKey: `fallback#${i}`, timeZone: () => 'UTC' });
        let n = 0;
        fc.assert(
          fc.property(lineArb, (line) => {
            const r = parseLine(line, ctx(n++));
            checkResult(r, line);
          }),
          { numRuns: LINES, seed: SEED },
        );
        // The same kind of lines as a file: what the import counts is what parseLine says, line by line.
        const lines = fc
          .sample(lineArb, { numRuns: LINES, seed: SEED + 2 })
          .map((l) => Buffer.from(l.replace(/[\r\n]/g, ' ')).toString('utf8'));
        const keys = new Set<string>();
        let bad = 0;
        lines.forEach((l, i) => {
          const b = Buffer.from(l);
          if (!LINE_MARKERS.some((m) => b.includes(m))) return; // passed over undecoded by the reader
          const r = parseLine(l, ctx(i));
          if (r === 'bad') bad++;
          else if (r !== 'skip')
            for (const rec of r)
              if (rec.kind === 'usage') keys.add(rec.key.startsWith('fallback#') ? `fb${i}` : rec.key);
        });
        const h = tmpHome(t, 'ccguard-lines-');
        const dir = join(h.projects, '-fuzz');
        mkdirSync(dir, { recursive: true });
        const file = join(dir, 'fz.jsonl');
        writeFileSync(file, '');
        for (let i = 0; i < lines.length; i += 1000) appendFileSync(file, lines.slice(i, i + 1000).join('\n') + '\n'); // one string would pass V8's limit
        const store = openStore(join(h.stateDir, 'state.db'));
        try {
          const t0 = performance.now();
          const stats = await importAll({
            store,
            roots: [h.projects],
            prices: {},
            timeZone: () => 'UTC',
            now: Date.now(),
          });
          assert.equal(stats.badLines, bad, 'malformed lines skipped and counted');
          assert.equal(
            store.entries.totals(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).entries,
            keys.size,
            'each response once',
          );
          assert.equal(store.files.totals().badLines, bad);
          tally.held = `parseLine never threw and every record it made was sound; the import of all ${lines.length} lines in ${Math.round(performance.now() - t0)} ms skipped and counted ${bad} malformed lines and kept ${keys.size} responses, as line-by-line parsing says`;
        } finally {
          store.close();
        }
        tally.cases = LINES * 2;
      },
    );
  },
);
