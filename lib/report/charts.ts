/**
 * The report's SVG charts, drawn as strings. Each chart comes in two frames: a wide one for desktop
 * widths and a narrow one for phones (CSS shows one of them), so labels keep a readable size on both
 * instead of shrinking with a single scaled viewBox. Data attributes carry the exact numbers drawn.
 */
import type { BlockBar, CurrentBlock, DayRow, Marker } from './data.ts';
import { el, esc, linear, n, ticks } from './svg.ts';
import {
  fmtClock,
  fmtDay,
  fmtInt,
  fmtPct,
  fmtTokens,
  fmtUsd,
  fmtUsdAxis,
  fmtUsdShort,
  fmtWhen,
} from '../util/format.ts';
import { addLocalDays, HOUR_MS, localDaySpans } from '../util/time.ts';

export interface Frame {
  variant: 'wide' | 'narrow';
  w: number;
  h: number;
  /** Margins around the plot area. */
  m: { l: number; r: number; t: number; b: number };
  font: number;
}

export const FRAMES = {
  block: {
    wide: { variant: 'wide', w: 1100, h: 400, m: { l: 56, r: 24, t: 22, b: 34 }, font: 13 },
    narrow: { variant: 'narrow', w: 340, h: 280, m: { l: 38, r: 12, t: 18, b: 30 }, font: 11 },
  },
  blocks: {
    wide: { variant: 'wide', w: 1100, h: 260, m: { l: 56, r: 24, t: 18, b: 34 }, font: 13 },
    narrow: { variant: 'narrow', w: 340, h: 230, m: { l: 38, r: 12, t: 16, b: 40 }, font: 11 },
  },
  daily: {
    wide: { variant: 'wide', w: 530, h: 260, m: { l: 52, r: 12, t: 24, b: 34 }, font: 13 },
    narrow: { variant: 'narrow', w: 340, h: 230, m: { l: 40, r: 8, t: 22, b: 40 }, font: 11 },
  },
} as const satisfies Record<string, Record<'wide' | 'narrow', Frame>>;

/** A day's label under a bar: one line wide (Mon 23), two lines narrow (Mon / 23). */
function dayTick(f: Frame, x: number, y: number, ms: number): string {
  const [wd, day] = fmtDay(ms).split(' ');
  const a = { class: 'tick', x, y, 'text-anchor': 'middle', 'dominant-baseline': 'hanging' };
  if (f.variant === 'wide') return el('text', a, esc(fmtDay(ms)));
  return el(
    'text',
    a,
    `<tspan x="${n(x)}">${esc(wd ?? '')}</tspan><tspan x="${n(x)}" dy="1.2em">${esc(day ?? '')}</tspan>`,
  );
}

function svgOpen(f: Frame, chart: string, label: string, extra = ''): string {
  return `<svg class="${f.variant}" data-chart="${chart}" viewBox="0 0 ${f.w} ${f.h}" role="img" aria-label="${esc(label)}" style="--fs:${f.font}px"${extra}>`;
}

function yAxis(f: Frame, y: (v: number) => number, values: number[], fmt: (v: number) => string): string {
  let s = '';
  for (const v of values) {
    const yy = y(v);
    s += el('line', { class: v === 0 ? 'axis' : 'grid', x1: f.m.l, x2: f.w - f.m.r, y1: yy, y2: yy });
    s += el(
      'text',
      { class: 'tick', x: f.m.l - 6, y: yy, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
      esc(fmt(v)),
    );
  }
  return s;
}

const MARKER_LABEL: Record<Marker['kind'], string> = {
  warn: 'warned',
  delay: 'slowed (delay)',
  deny: 'denied',
  pause: 'paused',
};

/** A marker glyph centred on (x, y). */
export function glyph(kind: Marker['kind'], x: number, y: number, r: number): string {
  switch (kind) {
    case 'warn':
      return el('path', {
        d: `M${n(x)} ${n(y - r * 1.15)}L${n(x + r * 1.1)} ${n(y + r * 0.8)}L${n(x - r * 1.1)} ${n(y + r * 0.8)}Z`,
      });
    case 'delay':
      return el('circle', { cx: x, cy: y, r });
    case 'deny':
      return el('rect', { x: x - r * 0.9, y: y - r * 0.9, width: r * 1.8, height: r * 1.8, rx: 1 });
    case 'pause':
      return el('path', {
        d: `M${n(x)} ${n(y - r * 1.2)}L${n(x + r * 1.2)} ${n(y)}L${n(x)} ${n(y + r * 1.2)}L${n(x - r * 1.2)} ${n(y)}Z`,
      });
  }
}

/** (a) The current block: cumulative limit tokens against the limit and the pace line, the projection, the decisions. */
export function blockChart(cb: CurrentBlock, limit: number, now: number, f: Frame): string {
  const start = Date.parse(cb.start);
  const end = Math.max(Date.parse(cb.end), Date.parse(cb.reset_at));
  const peak = Math.max(limit * 1.08, ...cb.series.map((p) => p.tokens), (cb.projection_line?.[1].tokens ?? 0) * 1.02);
  const yv = ticks(peak, f.variant === 'wide' ? 5 : 4);
  const top = yv.at(-1) ?? peak;
  const x = linear(start, end, f.m.l, f.w - f.m.r);
  const y = linear(0, top, f.h - f.m.b, f.m.t);
  const plotTop = f.m.t;
  const plotBottom = f.h - f.m.b;
  const parts: string[] = [];

  for (const b of cb.bands) {
    const x0 = x(Date.parse(b.from));
    const x1 = x(Date.parse(b.to));
    parts.push(
      el(
        'rect',
        { class: `band band-${b.kind}`, x: x0, y: plotTop, width: Math.max(1, x1 - x0), height: plotBottom - plotTop },
        `<title>${esc(`${b.kind}: ${b.reason}`)}</title>`,
      ),
    );
  }
  parts.push(yAxis(f, y, yv, fmtTokens));
  // Hour ticks from the block start.
  for (let t = start; t <= end + 1; t += HOUR_MS) {
    const xx = x(t);
    parts.push(el('line', { class: 'tickmark', x1: xx, x2: xx, y1: plotBottom, y2: plotBottom + 4 }));
    const anchor = t === start ? 'start' : t + HOUR_MS > end + 1 ? 'end' : 'middle';
    parts.push(
      el(
        'text',
        { class: 'tick', x: xx, y: plotBottom + 6, 'text-anchor': anchor, 'dominant-baseline': 'hanging' },
        fmtClock(t),
      ),
    );
  }

  // Pace: 0 at the start to the limit at the reset.
  const [p0, p1] = cb.pace;
  parts.push(
    el('line', { class: 'pace', x1: x(Date.parse(p0.t)), y1: y(p0.tokens), x2: x(Date.parse(p1.t)), y2: y(p1.tokens) }),
  );
  // The limit.
  parts.push(
    el('line', { class: 'limit', x1: f.m.l, x2: f.w - f.m.r, y1: y(limit), y2: y(limit), 'data-tokens': limit }),
  );
  parts.push(
    el('text', { class: 'label limit-label', x: f.m.l + 6, y: y(limit) - 5 }, `limit ${esc(fmtTokens(limit))}`),
  );

  // Usage so far: a step line (tokens arrive with each response) with a soft area under it.
  const pts = cb.series.map((p) => [x(Date.parse(p.t)), y(p.tokens)] as const);
  let d = '';
  for (const [i, [px, py]] of pts.entries()) d += i === 0 ? `M${n(px)} ${n(py)}` : `H${n(px)}V${n(py)}`;
  parts.push(el('path', { class: 'usage-area', d: `${d}V${n(y(0))}H${n(pts[0]?.[0] ?? f.m.l)}Z` }));
  parts.push(
    el('path', {
      class: 'usage',
      d,
      'data-points': cb.series.length,
      'data-tokens': cb.limit_tokens,
    }),
  );
  // One invisible point per series value: the numbers, for tests and for anyone reading the source.
  parts.push(
    `<g class="points">${cb.series.map((p, i) => el('circle', { class: 'pt', cx: pts[i]![0], cy: pts[i]![1], r: 0, 'data-t': p.t, 'data-tokens': p.tokens })).join('')}</g>`,
  );

  // Projection to the block end, dashed.
  if (cb.projection_line && cb.projection) {
    const [a, b] = cb.projection_line;
    const bx = x(Date.parse(b.t));
    const by = y(b.tokens);
    parts.push(
      el('line', {
        class: 'projection',
        x1: x(Date.parse(a.t)),
        y1: y(a.tokens),
        x2: bx,
        y2: by,
        'data-tokens': b.tokens,
      }),
    );
    parts.push(el('circle', { class: 'projection-end', cx: bx, cy: by, r: 3 }));
    const label = `${fmtTokens(b.tokens)} (${fmtPct(cb.projection.share)})`;
    const below = by < plotTop + f.font * 1.6;
    parts.push(
      el(
        'text',
        { class: 'label projection-label', x: bx - 6, y: below ? by + f.font + 4 : by - 8, 'text-anchor': 'end' },
        esc(label),
      ),
    );
  }

  // Now.
  if (cb.is_active && now >= start && now <= end) {
    const nx = x(now);
    parts.push(el('line', { class: 'now', x1: nx, x2: nx, y1: plotTop, y2: plotBottom }));
    parts.push(el('text', { class: 'label now-label', x: nx + 4, y: plotTop + f.font * 0.9 }, 'now'));
  }

  // Decisions on the usage line.
  const r = f.variant === 'wide' ? 5.5 : 4.5;
  const marks = cb.markers.map((m) => {
    const mx = x(Date.parse(m.t));
    const my = y(m.tokens);
    const tip = `${m.count > 1 ? `${m.count} × ` : ''}${MARKER_LABEL[m.kind]} at ${fmtClock(Date.parse(m.t))}${m.reason ? `: ${m.reason.replace(/^ccguard: /, '')}` : ''}`;
    return `<g class="marker m-${m.kind}" data-kind="${m.kind}" data-t="${esc(m.t)}" data-count="${m.count}"><title>${esc(tip)}</title>${glyph(m.kind, mx, my, r)}</g>`;
  });
  parts.push(`<g class="markers">${marks.join('')}</g>`);

  const label = `Cumulative tokens in the 5-hour block from ${fmtWhen(start)}: ${fmtInt(cb.limit_tokens)} of ${fmtInt(limit)}`;
  return `${svgOpen(f, 'block', label)}${parts.join('')}</svg>`;
}

/** (b) The last days' blocks as bars against the limit, placed on a time axis. */
export function blocksChart(blocks: BlockBar[], limit: number, since: number, now: number, f: Frame): string {
  const x0 = since;
  const x1 = addLocalDays(now, 1);
  const peak = Math.max(limit * 1.1, ...blocks.map((b) => b.limit_tokens));
  const yv = ticks(peak, f.variant === 'wide' ? 4 : 3);
  const top = yv.at(-1) ?? peak;
  const x = linear(x0, x1, f.m.l, f.w - f.m.r);
  const y = linear(0, top, f.h - f.m.b, f.m.t);
  const plotBottom = f.h - f.m.b;
  const parts: string[] = [yAxis(f, y, yv, fmtTokens)];
  // Day boundaries and labels.
  for (const { start: t, end: next } of localDaySpans(x0, x1)) {
    if (t > x0) parts.push(el('line', { class: 'daysep', x1: x(t), x2: x(t), y1: f.m.t, y2: plotBottom }));
    parts.push(dayTick(f, (x(t) + x(next)) / 2, plotBottom + 6, t));
  }
  for (const b of blocks) {
    const s = Math.max(Date.parse(b.start), x0);
    const e = Math.min(Date.parse(b.end), x1);
    const bx = x(s) + 0.5;
    const bw = Math.max(2, x(e) - x(s) - 1);
    const h = b.limit_tokens > 0 ? Math.max(1.5, plotBottom - y(b.limit_tokens)) : 0;
    const level = b.share >= 1 ? 'over' : b.share >= 0.8 ? 'high' : 'ok';
    const tip = `${fmtWhen(Date.parse(b.start))}–${fmtClock(Date.parse(b.end))}: ${fmtInt(b.limit_tokens)} tokens (${fmtPct(b.share)} of the limit), ${fmtUsd(b.cost_usd)}, ${b.entries} responses${b.is_active ? ' (active)' : ''}`;
    if (b.is_active) {
      parts.push(
        el('text', { class: 'label now-label', x: bx + bw / 2, y: plotBottom - h - 5, 'text-anchor': 'middle' }, 'now'),
      );
    }
    parts.push(
      `<rect class="bar ${level}${b.is_active ? ' active' : ''}" x="${n(bx)}" y="${n(plotBottom - h)}" width="${n(bw)}" height="${n(h)}" rx="1.5" data-start="${esc(b.start)}" data-tokens="${b.limit_tokens}" data-cost="${b.cost_usd}" data-share="${b.share}"><title>${esc(tip)}</title></rect>`,
    );
  }
  parts.push(
    el('line', { class: 'limit', x1: f.m.l, x2: f.w - f.m.r, y1: y(limit), y2: y(limit), 'data-tokens': limit }),
  );
  parts.push(
    el(
      'text',
      { class: 'label limit-label', x: f.w - f.m.r - 4, y: y(limit) - 5, 'text-anchor': 'end' },
      `limit ${esc(fmtTokens(limit))}`,
    ),
  );
  const label = `${blocks.length} five-hour blocks since ${fmtWhen(x0)} against the limit of ${fmtInt(limit)} tokens`;
  return `${svgOpen(f, 'blocks', label)}${parts.join('')}</svg>`;
}

/** (c) Cost per local day. */
export function dailyChart(days: DayRow[], f: Frame): string {
  // Labels are in cents: the axis never steps below one, and a window with no cost reads $0 to $1
  // rather than the same cent four times over.
  const most = Math.max(0, ...days.map((d) => d.cost_usd));
  const peak = most === 0 ? 1 : Math.max(0.04, most * 1.05);
  const yv = ticks(peak, f.variant === 'wide' ? 4 : 3);
  const top = yv.at(-1) ?? peak;
  const y = linear(0, top, f.h - f.m.b, f.m.t);
  const plotBottom = f.h - f.m.b;
  const slot = (f.w - f.m.l - f.m.r) / Math.max(1, days.length);
  const bw = Math.min(56, slot * 0.62);
  const parts: string[] = [yAxis(f, y, yv, fmtUsdAxis)];
  for (const [i, d] of days.entries()) {
    const cx = f.m.l + slot * (i + 0.5);
    const h = d.cost_usd > 0 ? Math.max(1.5, plotBottom - y(d.cost_usd)) : 0;
    const dayMs = new Date(`${d.date}T12:00:00`).getTime();
    const tip = `${d.date}: ${fmtUsd(d.cost_usd)}, ${fmtInt(d.limit_tokens)} limit tokens, ${d.entries} responses`;
    parts.push(
      `<rect class="bar cost" x="${n(cx - bw / 2)}" y="${n(plotBottom - h)}" width="${n(bw)}" height="${n(h)}" rx="2" data-date="${esc(d.date)}" data-cost="${d.cost_usd}" data-tokens="${d.limit_tokens}"><title>${esc(tip)}</title></rect>`,
    );
    if (d.cost_usd > 0) {
      parts.push(
        el(
          'text',
          { class: 'label value', x: cx, y: plotBottom - h - 5, 'text-anchor': 'middle' },
          esc(fmtUsdShort(d.cost_usd)),
        ),
      );
    }
    parts.push(dayTick(f, cx, plotBottom + 6, dayMs));
  }
  const label = `Cost per day over ${days.length} days`;
  return `${svgOpen(f, 'daily', label)}${parts.join('')}</svg>`;
}
