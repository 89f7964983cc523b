/**
 * How numbers, spans of time and clock times read, wherever ccguard writes them for a person.
 *
 * Every clock and date is in the one local zone (lib/util/time.ts). All by hand, never
 * toLocaleString or Intl: those start ICU, a start-up every command and hook would pay.
 * Hooks load this on every tool call: it may import nothing beyond lib/util/time.ts.
 */
import { MINUTE_MS, SECOND_MS } from './time.ts';

// Numbers.

/** `1,234,567`: rounded to a whole number, with thousands separators. */
export function fmtInt(n: number): string {
  const r = Math.round(n);
  return (r < 0 ? '-' : '') + String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Trailing zeros off a fixed-point number: `2.50` -> `2.5`, `3.00` -> `3`. */
const trimZeros = (s: string): string => s.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');

/** Compact tokens for tight labels: 950, 1.5k, 88k, 1.25M, 51M. */
export function fmtTokens(v: number): string {
  const a = Math.abs(v);
  if (a < 1000) return String(Math.round(v));
  if (a < 10_000) return `${trimZeros((v / 1000).toFixed(1))}k`;
  if (a < 1_000_000) return `${Math.round(v / 1000)}k`;
  if (a < 10_000_000) return `${trimZeros((v / 1e6).toFixed(2))}M`;
  return `${trimZeros((v / 1e6).toFixed(1))}M`;
}

/** `$1.23`: money in whole cents. */
export function fmtUsd(v: number): string {
  return `$${v.toFixed(2)}`;
}

/** Money for tight labels, three figures: $0.42, $12.3, $123. */
export function fmtUsdShort(v: number): string {
  if (v < 10) return `$${v.toFixed(2)}`;
  if (v < 100) return `$${v.toFixed(1)}`;
  return `$${Math.round(v)}`;
}

/** Money on a chart axis, no zeros that say nothing: $0, $2.5, $0.25, $10. */
export function fmtUsdAxis(v: number): string {
  return `$${trimZeros(v.toFixed(2))}`;
}

/** A share (0.425) as a whole percent: `43%`. Verdicts and charts: a tenth would be noise there. */
export function fmtPct(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** A share (0.425) to a tenth of a percent: `42.5%`. Status tables, where the last point matters. */
export function fmtPctTenths(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** `12.3 MB` (decimal megabytes). */
export function fmtMb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

// Spans of time.

/**
 * The ways a span reads; each is pinned by README examples or tests, so each keeps its text.
 * - wait: how long something holds or waits, rounded up and never under 1 s: 45s, 12 min, 2h 05m
 * - hm: to the nearest minute, for tables and resets: 0m, 45m, 2h 05m
 * - short: to the nearest second under a minute, for report tiles: 30s, 45m, 2h 05m
 * - countdown: a ticking clock, rounded up: 4:05, 1:02:03
 * - span: a configured length, in words: 45 s, 10 min, 1.5 h
 * - age: how old a reading is, in doctor's measuring terms: 45s, 10 min, 3.0 h
 */
export type DurationStyle = 'wait' | 'hm' | 'short' | 'countdown' | 'span' | 'age';

const pad2 = (n: number): string => String(n).padStart(2, '0');
const hMm = (min: number): string => `${Math.floor(min / 60)}h ${pad2(min % 60)}m`;

export function fmtDuration(ms: number, style: DurationStyle): string {
  switch (style) {
    case 'wait': {
      const s = Math.max(1, Math.ceil(ms / SECOND_MS));
      if (s < 90) return `${s}s`;
      const m = Math.ceil(s / 60);
      return m < 90 ? `${m} min` : hMm(m);
    }
    case 'hm': {
      const m = Math.max(0, Math.round(ms / MINUTE_MS));
      return m >= 60 ? hMm(m) : `${m}m`;
    }
    case 'short': {
      const s = Math.max(0, Math.round(ms / SECOND_MS));
      if (s < 60) return `${s}s`;
      const m = Math.round(s / 60);
      return m < 60 ? `${m}m` : hMm(m);
    }
    case 'countdown': {
      const s = Math.max(0, Math.ceil(ms / SECOND_MS));
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      return h > 0 ? `${h}:${pad2(m)}:${pad2(s % 60)}` : `${m}:${pad2(s % 60)}`;
    }
    case 'span':
    case 'age': {
      // A configured span keeps its fractions (a span is whole ms, so three places at most).
      const s = style === 'span' ? +(ms / SECOND_MS).toFixed(3) : Math.round(ms / SECOND_MS);
      if (s < 120) return style === 'span' ? `${s} s` : `${s}s`;
      if (s < 7200) return `${Math.round(s / 60)} min`;
      const h = s / 3600;
      return style === 'span' ? `${+h.toFixed(1)} h` : `${h.toFixed(1)} h`;
    }
  }
}

// Clock times and dates, in the local zone.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `14:05` */
export function fmtClock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/**
 * A moment a person acts on (a reset, the end of a hold, pause or backoff), as every view prints it:
 * `14:05` when it falls on today's local date, `Tue 14:05` within six days of it, else
 * `Tue 11 Dec, 14:05`. Never a bare clock for another day: "held until 20:30" must not mean Tuesday's.
 */
export function fmtAt(ms: number, now: number): string {
  const d = new Date(ms);
  const n = new Date(now);
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate())
    return fmtClock(ms);
  const days =
    Math.abs(
      Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(n.getFullYear(), n.getMonth(), n.getDate()),
    ) / 86_400_000;
  return days <= 6 ? `${fmtWeekday(ms)} ${fmtClock(ms)}` : fmtWhen(ms);
}

/** `2026-11-24 14:05` */
export function fmtDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${fmtClock(ms)}`;
}

/** `Mon` */
export function fmtWeekday(ms: number): string {
  return DAYS[new Date(ms).getDay()] ?? '';
}

/** `Mon 23` */
export function fmtDay(ms: number): string {
  return `${fmtWeekday(ms)} ${new Date(ms).getDate()}`;
}

/** `Mon 23 Nov, 14:05` */
export function fmtWhen(ms: number): string {
  const d = new Date(ms);
  return `${fmtDay(ms)} ${MONTHS[d.getMonth()] ?? ''}, ${fmtClock(ms)}`;
}
