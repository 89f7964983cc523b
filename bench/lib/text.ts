// Cheap, deterministic text for generated transcripts: a corpus of code-like and prose lines that
// tool results, prompts and replies are sliced from, plus the subscription limit-message wordings.
import type { Rng } from './prng.ts';

const KEYWORDS = [
  'const',
  'let',
  'return',
  'if',
  'else',
  'for',
  'while',
  'function',
  'async',
  'await',
  'import',
  'export',
  'class',
  'interface',
  'type',
  'new',
  'throw',
  'try',
  'catch',
  'switch',
  'case',
  'break',
  'yield',
  'static',
  'public',
  'private',
  'def',
  'self',
  'None',
  'fn',
  'impl',
  'match',
  'pub',
  'struct',
];
const IDENTS = [
  'user',
  'session',
  'config',
  'result',
  'items',
  'index',
  'buffer',
  'response',
  'request',
  'handler',
  'options',
  'value',
  'error',
  'context',
  'state',
  'cache',
  'token',
  'limit',
  'window',
  'block',
  'entry',
  'record',
  'parser',
  'stream',
  'reader',
  'writer',
  'path',
  'file',
  'data',
  'model',
  'usage',
  'total',
  'count',
  'offset',
  'timestamp',
  'queue',
  'worker',
  'logger',
  'client',
  'server',
  'router',
  'schema',
  'store',
  'batch',
  'row',
  'column',
  'query',
  'params',
  'payload',
  'meta',
];
const WORDS = [
  'the',
  'a',
  'to',
  'of',
  'and',
  'in',
  'is',
  'it',
  'that',
  'this',
  'for',
  'with',
  'on',
  'we',
  'should',
  'can',
  'will',
  'test',
  'fails',
  'because',
  'function',
  'returns',
  'value',
  'when',
  'file',
  'now',
  'let',
  'me',
  'check',
  'update',
  'fix',
  'build',
  'error',
  'output',
  'line',
  'change',
  'handle',
  'case',
  'empty',
  'input',
  'add',
  'remove',
  'rename',
  'refactor',
  'module',
  'import',
  'type',
  'config',
  'option',
  'default',
  'before',
  'after',
  'instead',
  'only',
  'also',
  'still',
  'again',
  'then',
  'first',
  'next',
  'done',
  'works',
  'passes',
  'looks',
  'good',
  'café',
  'naïve',
  '→',
  'ok',
];
const PUNCT = ['(', ')', '{', '}', '[', ']', ';', ',', '.', ' = ', ' => ', ' === ', ' + ', ' && ', ' || ', '?', ':'];

function codeLine(rng: Rng): string {
  const indent = '  '.repeat(rng.int(0, 4));
  const n = rng.int(2, 9);
  let s = indent;
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.25) s += rng.pick(KEYWORDS) + ' ';
    else if (r < 0.6)
      s += rng.pick(IDENTS) + (rng.chance(0.3) ? rng.pick(['Id', 'Map', 'List', 'Count', 'Ms', '_v2']) : '');
    else if (r < 0.85) s += rng.pick(PUNCT);
    else if (r < 0.93) s += `"${rng.pick(IDENTS)}/${rng.pick(IDENTS)}.ts"`;
    else if (r < 0.97) s += String(rng.int(0, 99999));
    else s += rng.pick(["'\\n'", '`${x}`', '\\\\', '\t// TODO']);
  }
  return s;
}

function proseLine(rng: Rng): string {
  const n = rng.int(4, 18);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  const first = words[0] ?? 'ok';
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ') + rng.pick(['.', '.', '.', ':', '!', '?']);
}

/** A deterministic corpus of mixed code/prose lines; slices of it fill tool results and texts. */
export class Corpus {
  readonly text: string;

  constructor(rng: Rng, size = 512 * 1024) {
    const parts: string[] = [];
    let len = 0;
    while (len < size) {
      const line = rng.chance(0.7) ? codeLine(rng) : proseLine(rng);
      parts.push(line);
      len += line.length + 1;
    }
    this.text = parts.join('\n');
  }

  /** About `len` characters, starting at a random line start. */
  slice(rng: Rng, len: number): string {
    const t = this.text;
    len = Math.max(1, Math.floor(len));
    let off = rng.int(0, t.length - 1);
    const nl = t.indexOf('\n', off);
    off = nl < 0 || nl + 1 >= t.length ? 0 : nl + 1;
    if (off + len <= t.length) return t.slice(off, off + len);
    let out = t.slice(off);
    while (out.length < len) out += '\n' + t.slice(0, Math.min(t.length, len - out.length));
    return out.slice(0, len);
  }

  sentence(rng: Rng, minWords = 5, maxWords = 25): string {
    const n = rng.int(minWords, maxWords);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
    return words.join(' ');
  }
}

/** The subscription limit-message wordings Claude Code has used (see docs/claude-code-hooks.md). */
export const LIMIT_WORDINGS = [
  'legacy-pipe', // Claude AI usage limit reached|<unix seconds>
  'five-hour', // 5-hour limit reached ∙ resets 3pm
  'session-old', // Session limit reached ∙ resets 9:30pm
  'hit-limit', // You've hit your limit · resets Feb 7, 11am (Asia/Seoul)
  'hit-session', // You've hit your session limit · resets 3pm (Europe/Berlin)
  'hit-weekly',
  'hit-opus',
  'hit-sonnet',
  'hit-usage',
] as const;
export type LimitWording = (typeof LIMIT_WORDINGS)[number];

const TIME_ZONES = ['Europe/Berlin', 'Asia/Seoul', 'America/New_York', 'UTC', 'Asia/Kolkata', 'America/Los_Angeles'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(ms: number, timeZone: string): { month: string; day: string; hour: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const out = { month: '', day: '', hour: 0, minute: 0 };
  for (const p of f.formatToParts(new Date(ms))) {
    if (p.type === 'month') out.month = p.value;
    else if (p.type === 'day') out.day = p.value;
    else if (p.type === 'hour') out.hour = Number(p.value);
    else if (p.type === 'minute') out.minute = Number(p.value);
  }
  return out;
}

function clock(hour: number, minute: number): string {
  const suffix = hour < 12 ? 'am' : 'pm';
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return minute === 0 ? `${h12}${suffix}` : `${h12}:${String(minute).padStart(2, '0')}${suffix}`;
}

/** Builds a limit message for a line written at `nowMs`; returns the text and its reset time. */
export function limitMessage(rng: Rng, wording: LimitWording, nowMs: number): { text: string; resetsAtMs: number } {
  const weekly =
    wording === 'hit-weekly' ||
    wording === 'hit-opus' ||
    wording === 'hit-sonnet' ||
    (wording === 'hit-limit' && rng.chance(0.4));
  const hour = 3600_000;
  let reset = Math.ceil(nowMs / hour) * hour + rng.int(0, 4) * hour;
  if (rng.chance(0.3)) reset += 30 * 60_000;
  if (weekly) reset += rng.int(1, 6) * 24 * hour;
  const tz = rng.pick(TIME_ZONES);
  const p = parts(reset, tz);
  const t = clock(p.hour, p.minute);
  const when = reset - nowMs > 24 * hour ? `${p.month} ${p.day}, ${t}` : t;
  const utc = parts(reset, 'UTC');
  const utcClock = clock(utc.hour, utc.minute);
  switch (wording) {
    case 'legacy-pipe':
      return { text: `Claude AI usage limit reached|${Math.floor(reset / 1000)}`, resetsAtMs: reset };
    case 'five-hour':
      return { text: `5-hour limit reached \u2219 resets ${utcClock}`, resetsAtMs: reset };
    case 'session-old':
      return { text: `Session limit reached \u2219 resets ${utcClock}`, resetsAtMs: reset };
    case 'hit-limit':
      return { text: `You've hit your limit \u00b7 resets ${when} (${tz})`, resetsAtMs: reset };
    case 'hit-session':
      return { text: `You've hit your session limit \u00b7 resets ${when} (${tz})`, resetsAtMs: reset };
    case 'hit-weekly':
      return { text: `You've hit your weekly limit \u00b7 resets ${when} (${tz})`, resetsAtMs: reset };
    case 'hit-opus':
      return { text: `You've hit your Opus limit \u00b7 resets ${when} (${tz})`, resetsAtMs: reset };
    case 'hit-sonnet':
      return { text: `You've hit your Sonnet limit \u00b7 resets ${when} (${tz})`, resetsAtMs: reset };
    case 'hit-usage':
      return { text: `You've hit your usage limit \u00b7 resets ${when} (${tz})`, resetsAtMs: reset };
  }
}
