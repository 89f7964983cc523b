/** The few drawing helpers the report's charts need: escaping, scales, nice ticks, number labels. */

/** Escapes text for HTML and SVG, in element content and in double-quoted attributes alike. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A coordinate with at most one decimal: keeps the file small and the output stable. */
export function n(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Attributes from an object; undefined and null are left out, values escaped. */
export function attrs(a: Record<string, string | number | undefined | null>): string {
  let s = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null) continue;
    s += ` ${k}="${esc(typeof v === 'number' ? n(v) : v)}"`;
  }
  return s;
}

export function el(tag: string, a: Record<string, string | number | undefined | null>, body?: string): string {
  return body === undefined ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${body}</${tag}>`;
}

/** Maps [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** A step of 1, 2, 2.5 or 5 times a power of ten giving about `count` intervals up to `max`. */
export function niceStep(max: number, count: number): number {
  if (!(max > 0)) return 1;
  const raw = max / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const f = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return f * mag;
}

/** Tick values from 0 to the first step at or above `max`. */
export function ticks(max: number, count: number): number[] {
  const step = niceStep(max, count);
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const out: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

/** 950, 12.5k, 88k, 1.2M */
export function fmtTokens(v: number): string {
  const a = Math.abs(v);
  if (a < 1000) return String(Math.round(v));
  if (a < 10_000) return `${trim((v / 1000).toFixed(1))}k`;
  if (a < 1_000_000) return `${Math.round(v / 1000)}k`;
  if (a < 10_000_000) return `${trim((v / 1e6).toFixed(2))}M`;
  return `${trim((v / 1e6).toFixed(1))}M`;
}

const trim = (s: string): string => s.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');

export function fmtUsd(v: number): string {
  return `$${v.toFixed(2)}`;
}

/** Short money for tight labels: $0.42, $12.3, $123. */
export function fmtUsdShort(v: number): string {
  if (v < 10) return `$${v.toFixed(2)}`;
  if (v < 100) return `$${v.toFixed(1)}`;
  return `$${Math.round(v)}`;
}

/** Axis money: $0, $2.5, $10. */
export function fmtUsdAxis(v: number): string {
  return `$${trim(v.toFixed(2))}`;
}

export function fmtInt(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

export function fmtPct(share: number): string {
  return `${Math.round(share * 100)}%`;
}

const pad2 = (x: number): string => String(x).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 14:05, in the process's time zone. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Mon 23 */
export function dayLabel(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getDay()] ?? ''} ${d.getDate()}`;
}

/** Mon 23 Nov, 14:05 */
export function when(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getDay()] ?? ''} ${d.getDate()} ${MONTHS[d.getMonth()] ?? ''}, ${clock(ms)}`;
}

/** 2h 05m, 45m, 30s */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h ${pad2(m % 60)}m`;
}
