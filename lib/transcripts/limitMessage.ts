/**
 * Recognises the subscription-limit messages Claude Code writes into its JSONL transcripts
 * (as the text of assistant lines) and works out when the limit resets.
 *
 * Wordings seen over the versions:
 *   Claude AI usage limit reached|1763900000                      (old; epoch seconds)
 *   5-hour limit reached ∙ resets 3pm
 *   Session limit reached ∙ resets 9:30pm
 *   Weekly limit reached ∙ resets Nov 30, 5pm
 *   Opus weekly limit reached ∙ resets ...
 *   You've hit your limit · resets Feb 7, 11am (Asia/Seoul)
 *   You've hit your session limit · resets 3pm (Europe/Berlin)
 *   You've hit your weekly limit · resets Mon 9am (America/New_York)
 *   You've hit your Opus limit · resets ...
 *   You've hit your usage limit · resets 11pm
 *
 * Matching is structural and anchored at the start of the text (after an optional
 * "API Error: " style prefix), so assistant prose that merely quotes or discusses a limit
 * is not taken for one. Wall-clock reset times are converted to epoch ms with Intl only.
 */

import { LIMIT_TEXT_MARKERS } from './markers.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../util/time.ts';

export type LimitScope = 'five_hour' | 'weekly' | 'opus' | 'sonnet' | 'usage';

export interface LimitMessage {
  scope: LimitScope;
  /** Epoch ms the limit resets, or null when the message names no time that can be parsed. */
  resetAt: number | null;
  /**
   * IANA zone the reset's wall-clock time was read in: the zone the message names when Intl
   * knows it, else the default zone. Null when no wall-clock time was read (epoch form, or no
   * reset time in the message).
   */
  timeZone: string | null;
  /** The message text, trimmed (at most 500 characters). */
  raw: string;
}

/** How far off a 5-hour window's reset can be when its limit line is written (and a minute: the text rounds to it). */
const FIVE_HOUR_REACH_MS = 5 * HOUR_MS + MINUTE_MS;

/**
 * The window a limit line stands for. Its own word when it names one ("weekly", "session", "Opus");
 * a bare "limit" ("You've hit your limit · resets Dec 11, 12:30pm") is the 5-hour window only
 * while its reset is within 5 hours of the line: a reset further off can only be the weekly one.
 * Every reader of limit lines (import, the usage sources, the report) asks this, stored rows too.
 * (`rate_limit_info`, when the line carries it, names the window itself and is read before this.)
 */
export function limitWindow<S extends string>(scope: S, resetAt: number | null, seenAt: number): S | 'weekly' {
  if (scope === 'usage' && resetAt !== null && resetAt - seenAt > FIVE_HOUR_REACH_MS) return 'weekly';
  return scope;
}

// ---------------------------------------------------------------------------------------------
// Cheap pre-check

/** Fixed substrings, in the case variants the wordings actually use (shared with the fast path). */
const NEEDLES = LIMIT_TEXT_MARKERS;

/** Cheap pre-check on a raw JSONL line or text (no parse): could it contain a limit message? */
export function mightContainLimitMessage(text: string): boolean {
  if (typeof text !== 'string' || text.length < 8) return false;
  for (const needle of NEEDLES) {
    if (text.includes(needle)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Regexes (compiled once)

/** Only this much of the text is looked at: limit messages are short and start the text. */
const HEAD_CHARS = 4096;
const RAW_CHARS = 500;

// Leading noise and an optional "API Error: " / "Error 429: " prefix.
const PREFIX = String.raw`^[\s>*_"'⎿]*(?:(?:api\s+)?error(?:\s+\d{3})?\s*:\s*)?`;
// Words that may qualify "limit": "5-hour", "session", "weekly", "Opus", "Sonnet 4.5", "usage"...
const QUAL = String.raw`(?:5[\s-]*h(?:ou)?rs?|five[\s-]*hours?|session|weekly|week|opus(?:\s+\d+(?:\.\d+)?)?|sonnet(?:\s+\d+(?:\.\d+)?)?|usage|claude|ai|max|pro)`;

/** Old form: "Claude AI usage limit reached|1763900000". */
const OLD_RE = new RegExp(
  PREFIX + String.raw`claude\s+ai\s+usage\s+limit\s+reached(?:[^\S\r\n]*\|[^\S\r\n]*(\d{9,13})\b)?`,
  'i',
);
/** "<qualifiers> limit reached" (qualifiers may be empty: "Limit reached ∙ resets 3pm"). */
const REACHED_RE = new RegExp(PREFIX + `((?:${QUAL}\\s+){0,3})limits?\\s+reached\\b`, 'i');
/** "You've hit your <qualifiers> limit". */
const HIT_RE = new RegExp(
  PREFIX + `you(?:['’‘\`]?ve|\\s+have)\\s+hit\\s+your\\s+((?:${QUAL}\\s+){0,3})limits?\\b`,
  'i',
);
/**
 * What may follow the headline: the end, a line break, sentence punctuation, the middle-dot
 * separator (or a stand-in for it), an opening parenthesis, or "resets". Anything else
 * ("You've hit your limit on open files") is prose, not a limit message.
 */
const FOLLOW_RE = /^[^\S\r\n]*(?:$|[\r\n.!∙·•⋅|\-–—(]|,?[^\S\r\n]*resets?\b)/i;

/** Where the reset clause starts, within the headline's line. */
const RESET_FIND_RE = /(?:^|[^a-z0-9])resets?\b[^\S\r\n]*(?:(?:at|on)[^\S\r\n]+)?/i;

const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const SP = String.raw`[^\S\r\n]`;
/**
 * The reset clause, anchored right after "resets ":
 *   [today|tonight|tomorrow] [weekday] [Mon D | D Mon [, YYYY]] [time] [(Zone)]
 * Groups: 1 relative day, 2 weekday, 3 month, 4 day, 5 day, 6 month, 7 year,
 *         8 noon|midnight, 9 hour, 10 minute, 11 a|p, 12 zone in parentheses, 13 bare zone.
 */
const RESET_BODY_RE = new RegExp(
  '^' +
    `(?:(today|tonight|tomorrow)\\b${SP}*,?${SP}*(?:at${SP}+)?)?` +
    `(?:(mon|tue|wed|thu|fri|sat|sun)[a-z]*\\.?,?${SP}*)?` +
    `(?:(?:(${MONTHS})[a-z]*\\.?${SP}*(\\d{1,2})(?:st|nd|rd|th)?\\b|(\\d{1,2})(?:st|nd|rd|th)?${SP}+(${MONTHS})[a-z]*\\.?)` +
    `(?:,?${SP}*(\\d{4})\\b)?${SP}*,?${SP}*(?:at${SP}+)?)?` +
    `(?:(noon|midnight)\\b|(\\d{1,2})(?::(\\d{2}))?${SP}*(?:([ap])\\.?${SP}?m\\b\\.?)?)?` +
    `${SP}*(?:\\(([^()\\r\\n]{1,64})\\)|(?:in${SP}+)?([A-Za-z]+\\/[A-Za-z0-9_+\\-/]+|UTC|GMT)\\b)?`,
  'i',
);
/** A zone in parentheses anywhere in the reset line, when the clause itself did not parse to it. */
const ZONE_ANYWHERE_RE = /\(([A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+|UTC|GMT)\)/;

const MONTH_INDEX: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const WEEKDAY_INDEX: Readonly<Record<string, number>> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Parse one text. `seenAt` is the epoch ms the message was written (the transcript line's
 * timestamp); `defaultTimeZone` is the IANA zone used when the text names none (the user's
 * local zone). Returns null when the text is not a limit message. Never throws.
 */
export function parseLimitMessage(text: string, seenAt: number, defaultTimeZone: string): LimitMessage | null {
  try {
    return parse(text, seenAt, defaultTimeZone);
  } catch {
    return null;
  }
}

function parse(text: string, seenAt: number, defaultTimeZone: string): LimitMessage | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  const head = text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
  const raw = head.trim().slice(0, RAW_CHARS);

  let scope: LimitScope;
  let rest: string;

  const old = OLD_RE.exec(head);
  if (old) {
    // The old form was the 5-hour limit.
    const epoch = old[1];
    if (epoch !== undefined) {
      const n = Number(epoch);
      const resetAt = n >= 1e12 ? n : n * 1000;
      return { scope: 'five_hour', resetAt, timeZone: null, raw };
    }
    rest = head.slice(old[0].length);
    if (!FOLLOW_RE.test(rest)) return null;
    scope = 'five_hour';
  } else {
    const m = REACHED_RE.exec(head) ?? HIT_RE.exec(head);
    if (!m) return null;
    rest = head.slice(m[0].length);
    if (!FOLLOW_RE.test(rest)) return null;
    scope = scopeOf(m[1] ?? '');
  }

  let reset: ResetParse;
  try {
    reset = parseReset(rest, seenAt, defaultTimeZone);
  } catch {
    // An instant Intl cannot format (seenAt far out of range): a limit message all the same.
    reset = NO_RESET;
  }
  return { scope: limitWindow(scope, reset.resetAt, seenAt), resetAt: reset.resetAt, timeZone: reset.timeZone, raw };
}

function scopeOf(qualifiers: string): LimitScope {
  const q = qualifiers.toLowerCase();
  if (q.includes('opus')) return 'opus';
  if (q.includes('sonnet')) return 'sonnet';
  if (q.includes('week')) return 'weekly';
  if (q.includes('session') || /\b(?:5|five)[\s-]*h/.test(q)) return 'five_hour';
  return 'usage';
}

interface ResetParse {
  resetAt: number | null;
  timeZone: string | null;
}

const NO_RESET: ResetParse = { resetAt: null, timeZone: null };

function parseReset(rest: string, seenAt: number, defaultTimeZone: string): ResetParse {
  // The reset clause lives on the headline's line.
  const nl = rest.search(/[\r\n]/);
  const line = (nl >= 0 ? rest.slice(0, nl) : rest).slice(0, 300);
  const found = RESET_FIND_RE.exec(line);
  if (!found) return NO_RESET;
  const body = line.slice(found.index + found[0].length);
  const m = RESET_BODY_RE.exec(body);
  if (!m) return NO_RESET;

  const relDay = m[1]?.toLowerCase();
  const weekdayName = m[2]?.toLowerCase();
  const monthName = (m[3] ?? m[6])?.toLowerCase().slice(0, 3);
  const dayText = m[4] ?? m[5];
  const yearText = m[7];
  const special = m[8]?.toLowerCase();
  const hourText = m[9];
  const minuteText = m[10];
  const meridiem = m[11]?.toLowerCase();
  const zoneText = m[12] ?? m[13] ?? ZONE_ANYWHERE_RE.exec(line)?.[1];

  // Zone: the named one when Intl knows it, else the default, else UTC.
  const zone = (zoneText !== undefined ? zoneFor(zoneText.trim()) : null) ?? zoneFor(defaultTimeZone) ?? zoneFor('UTC');
  if (!zone) return NO_RESET;

  // Time of day.
  let hour: number;
  let minute: number;
  if (special === 'noon') {
    hour = 12;
    minute = 0;
  } else if (special === 'midnight') {
    hour = 0;
    minute = 0;
  } else if (hourText !== undefined) {
    hour = Number(hourText);
    minute = minuteText !== undefined ? Number(minuteText) : 0;
    if (minute > 59) return NO_RESET;
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) return NO_RESET;
      hour = (hour % 12) + (meridiem === 'p' ? 12 : 0);
    } else {
      // A bare "3" is not a time; "15:00" is.
      if (minuteText === undefined || hour > 23) return NO_RESET;
    }
  } else {
    return NO_RESET;
  }

  if (!Number.isFinite(seenAt)) return { resetAt: null, timeZone: zone.name };
  const threshold = seenAt - MINUTE_MS;
  const today = wallOf(seenAt, zone.fmt);
  const y0 = today.getUTCFullYear();
  const mo0 = today.getUTCMonth() + 1;
  const d0 = today.getUTCDate();

  let resetAt: number | null = null;
  if (monthName !== undefined && dayText !== undefined) {
    const month = MONTH_INDEX[monthName];
    const day = Number(dayText);
    if (month === undefined) return { resetAt: null, timeZone: zone.name };
    if (yearText !== undefined) {
      const year = Number(yearText);
      if (validDate(year, month, day)) {
        resetAt = pick(instantsFor(year, month, day, hour, minute, zone.fmt), threshold, true);
      }
    } else {
      // The next occurrence of that date (at that time) after seenAt - 1 minute.
      for (let year = y0; year <= y0 + 8 && resetAt === null; year++) {
        if (!validDate(year, month, day)) continue;
        resetAt = pick(instantsFor(year, month, day, hour, minute, zone.fmt), threshold, false);
      }
    }
  } else if (relDay === 'tomorrow') {
    const t = new Date(Date.UTC(y0, mo0 - 1, d0 + 1));
    resetAt = pick(
      instantsFor(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), hour, minute, zone.fmt),
      threshold,
      true,
    );
  } else {
    const weekday = weekdayName !== undefined ? WEEKDAY_INDEX[weekdayName.slice(0, 3)] : undefined;
    const lastDay = weekday !== undefined ? 7 : 2;
    for (let k = 0; k <= lastDay && resetAt === null; k++) {
      const t = new Date(Date.UTC(y0, mo0 - 1, d0 + k));
      if (weekday !== undefined && t.getUTCDay() !== weekday) continue;
      resetAt = pick(
        instantsFor(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), hour, minute, zone.fmt),
        threshold,
        false,
      );
    }
  }
  return { resetAt, timeZone: zone.name };
}

/** First instant after the threshold; when `fallback`, the earliest instant if none is. */
function pick(instants: number[], threshold: number, fallback: boolean): number | null {
  for (const t of instants) if (t > threshold) return t;
  return fallback ? (instants[0] ?? null) : null;
}

function validDate(year: number, month: number, day: number): boolean {
  if (day < 1 || day > 31) return false;
  const t = new Date(Date.UTC(year, month - 1, day));
  return t.getUTCMonth() === month - 1 && t.getUTCDate() === day;
}

// ---------------------------------------------------------------------------------------------
// Time zones without a library

interface Zone {
  name: string;
  fmt: Intl.DateTimeFormat;
}

const zoneCache = new Map<string, Zone | null>();
const ZONE_CACHE_MAX = 256;

/** The zone Intl knows by that name (canonical name reported), or null. */
function zoneFor(name: string): Zone | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) return null;
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  let zone: Zone | null;
  try {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zone = { name: fmt.resolvedOptions().timeZone, fmt };
  } catch {
    zone = null;
  }
  if (zoneCache.size < ZONE_CACHE_MAX) zoneCache.set(name, zone);
  return zone;
}

/** The wall clock at instant `t` in the formatter's zone, as a Date whose UTC fields hold it. */
function wallOf(t: number, fmt: Intl.DateTimeFormat): Date {
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of fmt.formatToParts(t)) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value) % 24;
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      default:
        break;
    }
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** Zone offset (ms, wall clock minus UTC) at instant `t`. */
function offsetAt(t: number, fmt: Intl.DateTimeFormat): number {
  const whole = Math.floor(t / 1000) * 1000;
  return wallOf(whole, fmt).getTime() - whole;
}

/**
 * Every instant whose wall clock in the zone reads that date and time, ascending: one
 * normally, two in a fall-back overlap. In a spring-forward gap, the instant the clock would
 * read had it not jumped (2:30 in a 2:00→3:00 gap is 3:30 new time).
 */
function instantsFor(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  fmt: Intl.DateTimeFormat,
): number[] {
  const local = Date.UTC(year, month - 1, day, hour, minute);
  // Offset at the instant, then once more from the corrected instant (DST); plus the offsets a
  // day either side, so both readings of an overlapped hour are found.
  const o1 = offsetAt(local, fmt);
  const o2 = offsetAt(local - o1, fmt);
  const before = offsetAt(local - DAY_MS, fmt);
  const after = offsetAt(local + DAY_MS, fmt);
  const out: number[] = [];
  for (const o of [o1, o2, before, after]) {
    const t = local - o;
    if (!out.includes(t) && wallOf(t, fmt).getTime() === local) out.push(t);
  }
  if (out.length === 0) out.push(local - before);
  return out.sort((a, b) => a - b);
}
