// A user config with every kind of mistake, for every key the defaults hold (so a key added later is
// covered without touching this file): a wrong type, a value out of range, an unknown key beside each
// real one, and YAML that does not parse. Each gets one line naming key, value and file; a hook given
// that config allows the call and logs the same line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../lib/config/load.ts';
import { ConfigSchema } from '../../lib/config/schema.ts';
import { ConfigError } from '../../lib/util/errors.ts';
import { runHook } from '../../lib/hook/run.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { Tally, measured } from '../helpers/figures.ts';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

const DEFAULTS = loadConfig('/nonexistent/config.yaml').config as unknown as Plain;

/** Every leaf of the defaults (records such as `prices` count as leaves) and every mapping. */
function walk(
  o: Plain,
  prefix: string[] = [],
  leaves: string[][] = [],
  maps: string[][] = [[]],
): { leaves: string[][]; maps: string[][] } {
  for (const [k, v] of Object.entries(o)) {
    const p = [...prefix, k];
    if (isPlain(v) && Object.keys(v).length > 0) {
      maps.push(p);
      walk(v, p, leaves, maps);
    } else leaves.push(p);
  }
  return { leaves, maps };
}

function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), value);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

const rejects = (user: unknown): boolean => !ConfigSchema.safeParse(deepMerge(DEFAULTS, user)).success;

/** What `(got ...)` may show for a value: itself or any part of it, as the loader prints values. */
function renderings(v: unknown, out: string[] = []): string[] {
  const s = JSON.stringify(v);
  out.push(s.length > 60 ? s.slice(0, 57) : s);
  if (Array.isArray(v)) v.forEach((x) => renderings(x, out));
  else if (isPlain(v)) Object.values(v).forEach((x) => renderings(x, out));
  return out;
}

interface Case {
  kind: 'wrong type' | 'out of range' | 'unknown key' | 'bad YAML';
  key: string;
  /** The user's file. */
  text: string;
  /** The value the message must show, when there is one. */
  value?: unknown;
}

function wrongTypes(v: unknown): unknown[] {
  if (typeof v === 'number') return ['abc', true, [1], { a: 1 }, null];
  if (typeof v === 'boolean') return ['maybe', 1, [true], null];
  if (typeof v === 'string') return [123, false, ['x'], { a: 'b' }, null];
  if (Array.isArray(v)) return ['notalist', 5, { a: 1 }, [1, { b: 2 }]];
  if (v === null) return [12345, true, ['x'], { a: 1 }];
  return ['x', 5, [1]]; // an empty mapping (prices)
}

function outOfRange(v: unknown): unknown[] {
  if (typeof v === 'number') return [-1, 0, 1.5, 0.5, -1e300, 1e300, 2.5];
  if (typeof v === 'string') return ['bogus-value', ''];
  if (v === null) return [-1, 0, 'bogus-value', ''];
  if (Array.isArray(v)) return [[''], ['ok', 7]];
  // prices: a model with a negative, a missing and an unknown price field
  return [
    { 'claude-x': { input: -1, output: 1, cache_write_5m: 1, cache_read: 1 } },
    { 'claude-x': { input: 1, output: 1 } },
    { 'claude-x': { input: 1, output: 1, cache_write_5m: 1, cache_read: 1, bogus: 1 } },
  ];
}

function cases(): { all: Case[]; leaves: string[][] } {
  const { leaves, maps } = walk(DEFAULTS);
  const all: Case[] = [];
  for (const leaf of leaves) {
    const def = leaf.reduce<unknown>((o, k) => (o as Plain)[k], DEFAULTS);
    const key = leaf.join('.');
    const wrong = wrongTypes(def).filter((x) => rejects(nest(leaf, x)));
    assert.ok(wrong.length > 0, `${key}: no wrong-type value is rejected`);
    for (const value of wrong) all.push({ kind: 'wrong type', key, value, text: stringify(nest(leaf, value)) });
    const range = outOfRange(def).filter((x) => rejects(nest(leaf, x)) && typeof x === typeof def);
    for (const value of range) all.push({ kind: 'out of range', key, value, text: stringify(nest(leaf, value)) });
  }
  for (const m of maps) {
    const key = [...m, 'no_such_key'].join('.');
    all.push({ kind: 'unknown key', key, value: 42, text: stringify(nest([...m, 'no_such_key'], 42)) });
    const near = m.length === 0 ? 'mdoe' : `${m.at(-1)}s`;
    all.push({
      kind: 'unknown key',
      key: [...m, near].join('.'),
      value: 'on',
      text: stringify(nest([...m, near], 'on')),
    });
  }
  const yaml: string[] = [
    'alerts: [1, 2\n',
    'alerts:\n  token_threshold: 0.5\n token_threshold: 0.6\n',
    'alerts:\n\ttoken_threshold: 0.5\n',
    'mode: "enforce\n',
    'mode: enforce\nmode: observe\n',
    'plan: *missing\n',
    'a: &a [1]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n',
    '{ mode: enforce\n',
    '- mode\n- enforce\n',
    'just a sentence\n',
    '42\n',
    '\u0000\u0001\u0002binary\n',
    'mode: enforce\n  plan: pro\n',
    '? [a, b]\n: c\n',
  ];
  for (const text of yaml) all.push({ kind: 'bad YAML', key: '', text });
  return { all, leaves };
}

test('every key of config.yaml, every kind of mistake: one line naming key, value and file; the hook goes on with the defaults and logs it', async (t) => {
  const { all, leaves } = cases();
  const tally = new Tally('');
  await measured(
    'config',
    'Config',
    `user config.yaml mistakes over all ${leaves.length} keys: wrong type, out of range, unknown key, bad YAML`,
    tally,
    async () => {
      const h = tmpHome(t, 'ccguard-config-');
      mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
      const file = join(h.stateDir, 'config.yaml');
      const log = join(h.stateDir, 'ccguard.log');
      const env = { HOME: h.home, TZ: 'UTC' };
      const deps = { now: Date.now, sleep: async (): Promise<void> => undefined, notify: (): void => undefined };
      const problems: string[] = [];
      const kinds = new Map<string, number>();
      for (const c of all) {
        kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
        writeFileSync(file, c.text);
        let msg: string;
        try {
          loadConfig(file);
          problems.push(`${c.kind} ${c.key}: accepted ${JSON.stringify(c.text)}`);
          continue;
        } catch (e) {
          if (!(e instanceof ConfigError)) {
            problems.push(`${c.kind} ${c.key}: threw ${String(e)}`);
            continue;
          }
          msg = e.message;
        }
        const why: string[] = [];
        if (msg.includes('\n')) why.push('more than one line');
        if (!msg.includes(file)) why.push('no file');
        if (c.kind === 'bad YAML') {
          if (!/not valid YAML|must be a mapping|unknown key/.test(msg)) why.push('does not say what is wrong');
        } else {
          if (!msg.includes(c.key)) why.push(`no key ${c.key}`);
          const got = /\(got (.*?)\)(?: in |$)/.exec(msg)?.[1];
          // A field left out shows as "nothing".
          if (
            got === undefined ||
            (got !== 'nothing' && !renderings(c.value).some((r) => got.startsWith(r.slice(0, 40))))
          )
            why.push(`does not show the value ${JSON.stringify(c.value)}`);
        }
        if (msg.length > 400) why.push('longer than 400 characters');
        if (why.length > 0) problems.push(`${c.kind} ${c.key}: ${why.join(', ')}: ${msg}`);

        // The hook with this config: it goes on with the defaults (nothing to deny here: an allow), and
        // the same line lands in the log, once per distinct mistake (the markers are per mistake).
        rmSync(log, { force: true });
        rmSync(join(h.stateDir, 'config.cache.json'), { force: true });
        for (const m of readdirSync(h.stateDir).filter((n) => n.startsWith('.config-problem-')))
          rmSync(join(h.stateDir, m));
        const t0 = performance.now();
        const r = await runHook(
          'PreToolUse',
          JSON.stringify({ session_id: 's1', hook_event_name: 'PreToolUse', tool_name: 'Bash' }),
          env,
          deps,
        );
        tally.call(performance.now() - t0, false);
        if (r.stdout !== '' || r.exitCode !== 0)
          problems.push(`${c.kind} ${c.key}: the hook answered ${JSON.stringify(r.stdout)}`);
        const logged = readFileSync(log, 'utf8');
        if (!logged.includes(JSON.stringify(msg).slice(1, -1)))
          problems.push(`${c.kind} ${c.key}: the hook did not log the line`);
      }
      assert.deepEqual(problems, []);
      tally.cases = all.length;
      tally.held = `${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}: each refused with one line naming key, value and file; the hook went on with the defaults and logged it`;
    },
  );
});
