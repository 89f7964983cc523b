/**
 * Instants, spans and local days.
 *
 * "Local" has one meaning in ccguard: the process's time zone, the one Date's local getters use
 * (Node takes it from TZ, else from the system). Every time a person reads (a clock, a date, a
 * local day in a report or in `today`) is in that zone, and localZoneName() is its name wherever
 * the zone is named. There is no setting for another zone: showing times in a zone other than
 * the process's would need Intl (and its start-up) on the hook's path, and Claude Code, the terminal
 * and the shell around them already show the process's zone.
 *
 * SQLite is never asked for 'localtime': its C library reads TZ on its own and can disagree with
 * Node's bundled ICU (a container without /usr/share/zoneinfo counts every named zone as UTC), so
 * local days are cut here (localDaySpans) and SQL is given their bounds as epoch ms.
 *
 * Nothing here may import more than the language: hooks load this on every tool call.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** `2026-11-24T14:05:00.000Z`: how an instant is stored and written to JSON. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `iso` for a value that may be missing. */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : iso(ms);
}

/** An ISO time (or anything Date.parse reads) as epoch ms; null when it is not one. */
export function parseInstant(s: string | null | undefined): number | null {
  if (s === null || s === undefined) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The local zone's IANA name, worked out only when first asked: Intl's start-up is a cost a hook should not pay.
 * `env` is the process's environment (tests pass their own): TZ names the zone Node runs in, and
 * without it Intl reports the system's.
 */
export function localTimeZone(env: { TZ?: string | undefined } = process.env): () => string {
  let zone: string | undefined;
  return () => (zone ??= localZoneName(env));
}

/** The local zone's IANA name, now (see localTimeZone for the lazy form). */
export function localZoneName(env: { TZ?: string | undefined } = process.env): string {
  return env.TZ && env.TZ.length > 0 && !env.TZ.startsWith(':')
    ? env.TZ
    : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `2026-11-24`: the local day holding `ms`, without starting ICU. */
export function localDayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** Local midnight starting the day that holds `ms`. */
export function startOfLocalDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * Local midnight `days` days after the one starting `ms`'s day (before, when negative). Not
 * `+ days * DAY_MS`: a local day is 23 or 25 hours long where the clocks change.
 */
export function addLocalDays(ms: number, days: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + days);
  return d.getTime();
}

/** Local midnight `days - 1` days before the day holding `now`: a window of `days` days, today included. */
export function localWindowStart(now: number, days: number): number {
  return addLocalDays(now, -(days - 1));
}

/** Local midnight of a calendar date (month 1 to 12); null when there is no such day (Feb 30). */
export function localDateStart(year: number, month: number, day: number): number | null {
  const d = new Date(year, month - 1, day);
  if (Number.isNaN(d.getTime()) || d.getMonth() !== month - 1 || d.getDate() !== day) return null;
  return d.getTime();
}

/** One local day's part of a span: [start, end) in epoch ms. */
export interface LocalDaySpan {
  date: string;
  start: number;
  end: number;
}

/** [from, to) cut at local midnights, in order: SQL sums a day over its span's bounds. */
export function localDaySpans(from: number, to: number): LocalDaySpan[] {
  const out: LocalDaySpan[] = [];
  // The guard only stops a runaway loop on a bad input: no report spans 300 years.
  for (let start = from, guard = 0; start < to && guard < 110_000; guard++) {
    const end = Math.min(addLocalDays(start, 1), to);
    out.push({ date: localDayKey(start), start, end });
    start = end;
  }
  return out;
}
