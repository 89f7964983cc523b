/**
 * The report as one self-contained HTML page: inline CSS, inline SVG, one small inline script, no
 * network references of any kind. Every number drawn is also in a data attribute, as in the JSON.
 */
import type { FullReport, ModelRow, ProjectRow, SessionItem, TimelineItem, TimelineKind } from './data.ts';
import { FRAMES, blockChart, blocksChart, dailyChart, glyph, type Frame } from './charts.ts';
import { esc } from './svg.ts';
import { windowName } from '../usage/describe.ts';
import { fmtAt, fmtClock, fmtDuration, fmtInt, fmtPct, fmtTokens, fmtUsd, fmtWhen } from '../util/format.ts';
import { CSS } from './style.ts';
import { SCRIPT } from './script.ts';

export interface HtmlOptions {
  /** Shown in the footer: where the numbers come from. */
  dbFile?: string;
  version?: string;
}

const KIND_LABEL: Record<TimelineKind, string> = {
  warn: 'warned',
  delay: 'slowed',
  deny: 'denied',
  defer: 'deferred',
  limit_stop: 'stopped on the limit',
  notify: 'notified',
  pause: 'paused',
  resume: 'resumed',
  alert: 'alert',
  error: 'error',
  rate_limit: 'rate limit',
  api_error: 'API error',
  limit_message: 'limit message',
  backoff: 'backoff',
  other: 'other',
};

const shortId = (s: string): string => (s.length > 8 ? s.slice(0, 8) : s);
const shortModel = (m: string): string => m.replace(/^claude-/, '').replace(/-\d{8}$/, '');

function figure(chart: (f: Frame) => string, frames: { wide: Frame; narrow: Frame }): string {
  const wide = chart(frames.wide).replace('<svg ', `<svg style="max-width:${Math.round(frames.wide.w * 1.15)}px" `);
  return `<figure class="chart">${wide}${chart(frames.narrow)}</figure>`;
}

function swatch(body: string): string {
  return `<svg viewBox="0 0 24 14" aria-hidden="true">${body}</svg>`;
}

function tile(k: string, v: string, d: string, extra = '', cls = ''): string {
  return `<div class="tile${cls ? ' ' + cls : ''}"${extra}><div class="k">${esc(k)}</div><div class="v">${v}</div><div class="d">${d}</div></div>`;
}

function level(share: number): string {
  return share >= 1 ? 'over' : share >= 0.8 ? 'high' : 'ok';
}

function tiles(r: FullReport, now: number): string {
  const out: string[] = [];
  const cb = r.current_block;
  const u = r.usage;
  if (u.used_share !== null && (u.window === 'seven_day' || (cb && cb.is_active))) {
    // The figure the hooks decide on, as they name it: share, window, source and reset (lib/app/story.ts).
    out.push(
      tile(
        windowName(u.window).replace(/^./, (c) => c.toUpperCase()),
        esc(fmtPct(u.used_share)),
        `${esc(u.source)}${cb && cb.is_active ? ` · ${esc(fmtInt(cb.limit_tokens))} of ${esc(fmtInt(r.limit.tokens))} tokens in this block` : ''}<div class="meter ${level(u.used_share)}"><span style="width:${Math.min(100, u.used_share * 100).toFixed(1)}%"></span></div>`,
        ` data-share="${u.used_share}" data-window="${esc(u.window)}"${cb && cb.is_active ? ` data-tokens="${cb.limit_tokens}" data-limit="${r.limit.tokens}"` : ''}`,
      ),
    );
  }
  if (cb && cb.is_active) {
    const reset = u.reset_at !== null ? Date.parse(u.reset_at) : Date.parse(cb.reset_at);
    const from =
      u.reset_at !== null
        ? ` (${u.source.startsWith('server:') ? "the server's: " : ''}${esc(u.source)})`
        : cb.reset_source === 'limit_message'
          ? ' (from a limit message)'
          : cb.reset_source === 'server'
            ? " (the server's)"
            : '';
    out.push(tile('Resets', esc(fmtAt(reset, now)), `in ${esc(fmtDuration(reset - now, 'short'))}${from}`));
    out.push(
      tile(
        'Block cost',
        esc(fmtUsd(cb.cost_usd)),
        cb.projection
          ? `${esc(fmtUsd(cb.projection.cost_usd))} projected by the end`
          : `${fmtInt(cb.entries)} responses`,
        ` data-cost="${cb.cost_usd}"`,
      ),
    );
  } else {
    out.push(
      tile('5-hour block', '–', cb ? `last one ended ${esc(fmtWhen(Date.parse(cb.end)))}` : 'no usage recorded yet'),
    );
  }
  const rec = r.recovery;
  out.push(
    tile(
      'Recovery',
      `<span class="st-${esc(rec.state)}">${esc(rec.state)}</span>`,
      rec.until && rec.state !== 'normal'
        ? `until ${esc(fmtAt(Date.parse(rec.until), now))}`
        : esc(rec.state === 'normal' ? 'nothing in force' : (rec.reason ?? '')),
      ` data-state="${esc(rec.state)}"`,
    ),
  );
  out.push(
    tile(
      `${r.window.days} days`,
      esc(fmtUsd(r.totals.cost_usd)),
      `${fmtInt(r.totals.sessions)} sessions · ${fmtInt(r.blocks.length)} blocks`,
      ` data-cost="${r.totals.cost_usd}"`,
    ),
  );
  return `<section class="tiles">${out.join('')}</section>`;
}

function blockSection(r: FullReport, now: number): string {
  const cb = r.current_block;
  if (!cb) {
    return `<section class="card" id="block"><div class="card-head"><h2>Current 5-hour block</h2></div><p class="empty">No usage recorded yet: the chart appears after the first Claude Code response.</p></section>`;
  }
  const start = Date.parse(cb.start);
  const head = cb.is_active ? 'Current 5-hour block' : 'Latest 5-hour block (ended)';
  const sub = `${fmtWhen(start)} – ${fmtClock(Date.parse(cb.end))} · ${fmtInt(cb.entries)} responses · ${fmtInt(cb.limit_tokens)} tokens (${fmtPct(cb.used_share)} of the limit)${cb.projection ? ` · projected ${fmtInt(cb.projection.limit_tokens)} (${fmtPct(cb.projection.share)}) at the current rate` : ''}`;
  const legend = [
    `<li>${swatch('<path class="usage" d="M1 11H9V6H16V3H23"/>')}used so far</li>`,
    `<li>${swatch('<line class="limit" x1="1" y1="7" x2="23" y2="7"/>')}limit (${esc(fmtTokens(r.limit.tokens))}, ${esc(r.limit.source)})</li>`,
    `<li>${swatch('<line class="pace" x1="1" y1="13" x2="23" y2="1"/>')}even pace to the reset</li>`,
    cb.projection_line
      ? `<li>${swatch('<line class="projection" x1="1" y1="10" x2="23" y2="4"/>')}projection</li>`
      : '',
    ...(['warn', 'delay', 'deny', 'pause'] as const).map(
      (k) =>
        `<li>${swatch(`<g class="marker m-${k}">${glyph(k, 12, 7, 4.5)}</g>`)}${{ warn: 'warned', delay: 'slowed', deny: 'denied', pause: 'paused' }[k]} <span class="num">(${cb.markers.filter((m) => m.kind === k).reduce((a, m) => a + m.count, 0)})</span></li>`,
    ),
    cb.bands.length > 0
      ? `<li>${swatch('<rect class="band-pause" x="1" y="1" width="22" height="12"/>')}pause / backoff in force</li>`
      : '',
  ].join('');
  return `<section class="card" id="block"><div class="card-head"><h2>${head}</h2><p class="sub num">${esc(sub)}</p></div>${figure(
    (f) => blockChart(cb, r.limit.tokens, now, f),
    FRAMES.block,
  )}<ul class="legend">${legend}</ul></section>`;
}

function blocksSection(r: FullReport, now: number): string {
  const w = r.weekly;
  const server = w.server
    ? `<span class="weekly-server" data-used-pct="${w.server.used_pct}">Weekly use reported by Claude: <strong>${esc(String(Math.round(w.server.used_pct)))}%</strong>${w.server.resets_at ? `, resets ${esc(fmtWhen(Date.parse(w.server.resets_at)))}` : ''} (seen ${esc(fmtWhen(Date.parse(w.server.seen_at)))}).</span> `
    : '';
  const messages =
    w.limit_messages.length > 0
      ? `Weekly limit messages: ${w.limit_messages.map((m) => `${esc(fmtWhen(Date.parse(m.t)))} “${esc(m.text.slice(0, 90))}”${m.reset_at ? ` (resets ${esc(fmtWhen(Date.parse(m.reset_at)))})` : ''}`).join('; ')}.`
      : w.server
        ? ''
        : 'Weekly use is known only from Claude’s status line or a weekly limit message; neither was seen in this window.';
  const partial = w.first_block_before_window
    ? ' The first block began before this window: its bar shows all of it, while the totals count this window only.'
    : '';
  const weeklyNote = server + messages + partial;
  const body =
    r.blocks.length > 0
      ? figure((f) => blocksChart(r.blocks, r.limit.tokens, Date.parse(r.window.since), now, f), FRAMES.blocks) +
        `<ul class="legend"><li><span class="swatch" style="background:var(--ok)"></span>under 80%</li><li><span class="swatch" style="background:var(--high)"></span>80–100%</li><li><span class="swatch" style="background:var(--over)"></span>at or over the limit</li></ul>`
      : `<p class="empty">No blocks in this window.</p>`;
  return `<section class="card" id="blocks"><div class="card-head"><h2>Last ${r.window.days} days of 5-hour blocks</h2><p class="sub num" data-tokens="${w.limit_tokens}" data-cost="${w.cost_usd}">${esc(
    `${fmtInt(w.limit_tokens)} limit tokens in ${w.blocks} blocks · ${fmtUsd(w.cost_usd)} · ${w.blocks_over_limit} at or over the limit`,
  )}</p></div>${body}<p class="note">${weeklyNote}</p></section>`;
}

function projectsCard(rows: ProjectRow[]): string {
  const max = Math.max(0, ...rows.map((p) => p.cost_usd));
  const items = rows
    .map(
      (p) =>
        `<div class="hbar bar" data-project="${esc(p.project)}" data-cost="${p.cost_usd}" data-tokens="${p.limit_tokens}"><div class="top"><span class="name" title="${esc(p.project)}">${esc(p.project)}</span><span class="val">${esc(fmtUsd(p.cost_usd))} <small>· ${p.sessions} session${p.sessions === 1 ? '' : 's'}</small></span></div><div class="track"><span style="width:${(max > 0 ? (p.cost_usd / max) * 100 : 0).toFixed(1)}%"></span></div></div>`,
    )
    .join('');
  return `<section class="card" id="projects"><div class="card-head"><h2>Cost per project</h2></div>${rows.length > 0 ? `<div class="hbars">${items}</div>` : '<p class="empty">No usage in this window.</p>'}</section>`;
}

function modelsCard(rows: ModelRow[]): string {
  if (rows.length === 0)
    return `<section class="card" id="models"><div class="card-head"><h2>Model mix</h2></div><p class="empty">No usage in this window.</p></section>`;
  const colour = (i: number): string => `var(--m${Math.min(i, 5)})`;
  const stack = rows
    .map(
      (m, i) =>
        `<span style="width:${(m.cost_share * 100).toFixed(2)}%;background:${colour(i)}" title="${esc(`${m.model}: ${fmtPct(m.cost_share)} of the cost`)}"></span>`,
    )
    .join('');
  const body = rows
    .map(
      (m, i) =>
        `<tr class="model" data-model="${esc(m.model)}" data-cost="${m.cost_usd}" data-tokens="${m.limit_tokens}"><td class="nw"><span class="swatch" style="background:${colour(i)}"></span><span title="${esc(m.model)}">${esc(shortModel(m.model))}</span></td><td class="r">${esc(fmtUsd(m.cost_usd))}</td><td class="r">${esc(fmtPct(m.cost_share))}</td><td class="r">${fmtInt(m.entries)}</td><td class="r">${esc(fmtTokens(m.limit_tokens))}</td><td class="r">${esc(fmtTokens(m.total_tokens))}</td></tr>`,
    )
    .join('');
  return `<section class="card" id="models"><div class="card-head"><h2>Model mix</h2><p class="sub">share of the cost</p></div><div class="stack">${stack}</div><div class="scroll"><table class="mid"><thead><tr><th>model</th><th class="r">cost</th><th class="r">share</th><th class="r">responses</th><th class="r">in + out</th><th class="r">all tokens</th></tr></thead><tbody>${body}</tbody></table></div></section>`;
}

const dayOf = (ms: number): string => fmtWhen(ms).split(',')[0] ?? '';

function timelineRow(e: TimelineItem): string {
  const t = Date.parse(e.t);
  return `<tr data-kind="${esc(e.kind)}" data-session="${esc(e.session_id ?? '')}" data-day="${esc(dayOf(t))}"><td class="time">${esc(fmtClock(t))}</td><td class="nw"><span class="badge k-${esc(e.kind)}">${esc(KIND_LABEL[e.kind])}</span></td><td class="detail">${esc(e.text)}${e.until ? ` <span class="note">(${e.kind === 'limit_message' ? 'resets' : 'until'} ${esc(fmtWhen(Date.parse(e.until)))})</span>` : ''}</td><td class="nw">${e.session_id ? `<span class="mono" title="${esc(e.session_id)}">${esc(shortId(e.session_id))}</span>` : '–'}</td><td class="nw">${esc(e.origin)}${e.tool ? ` <span class="mono">${esc(e.tool)}</span>` : ''}</td></tr>`;
}

/** Rows grouped under a header row per day. */
function timelineRows(items: TimelineItem[]): string {
  let day = '';
  let out = '';
  for (const e of items) {
    const d = dayOf(Date.parse(e.t));
    if (d !== day) {
      day = d;
      out += `<tr class="day" data-day="${esc(d)}"><th colspan="5">${esc(d)}</th></tr>`;
    }
    out += timelineRow(e);
  }
  return out;
}

function timelineSection(r: FullReport): string {
  const items = r.timeline.items;
  const sessions = [...new Set(items.map((e) => e.session_id).filter((s): s is string => s !== null))].sort();
  const kinds = [...new Set(items.map((e) => e.kind))].sort();
  const note = r.timeline.truncated
    ? `<p class="note">Showing the newest ${items.length} of ${r.timeline.total} events.</p>`
    : '';
  const controls = `<div class="controls"><label>Session <select id="f-session"><option value="">all sessions</option>${sessions
    .map((s) => `<option value="${esc(s)}">${esc(shortId(s))}</option>`)
    .join('')}</select></label><label>Kind <select id="f-kind"><option value="">all kinds</option>${kinds
    .map((k) => `<option value="${esc(k)}">${esc(KIND_LABEL[k])}</option>`)
    .join('')}</select></label><span id="f-count" class="num">${items.length} events</span></div>`;
  const table =
    items.length > 0
      ? `<div class="scroll"><table id="timeline" class="wide"><thead><tr><th>time</th><th>what</th><th>detail</th><th>session</th><th>where</th></tr></thead><tbody>${timelineRows(items)}</tbody></table></div>`
      : '<p class="empty">No warnings, slow-downs, denials, pauses, rate limits or notifications in this window.</p>';
  return `<section class="card" id="timeline-card"><div class="card-head"><h2>Event timeline</h2><p class="sub">hook decisions other than silent allows, rate limits, limit messages, pauses, notifications · newest first</p></div>${items.length > 0 ? controls : ''}${table}${note}</section>`;
}

/** Unattended sessions that wait, each with the command that resumes it. */
function waitingSection(r: FullReport): string {
  if (r.waiting.length === 0) return '';
  const rows = r.waiting
    .map(
      (w) =>
        `<tr><td class="nw"><span class="mono" title="${esc(w.session_id)}">${esc(shortId(w.session_id))}</span></td><td>${esc(w.kind === 'deferred' ? `deferred ${w.tool ?? 'tool call'}` : 'stopped on the limit')}</td><td class="nw num">${w.hold_until ? esc(fmtWhen(Date.parse(w.hold_until))) : 'until lifted'}</td><td>${esc(w.folder ?? '')}</td><td><code>${esc(w.resume_command)}</code></td></tr>`,
    )
    .join('');
  return `<section class="card" id="waiting-card"><div class="card-head"><h2>Waiting unattended sessions</h2><p class="sub">deferred by ccguard or stopped on the limit · each resumes with its command</p></div><div class="scroll"><table id="waiting" class="wide"><thead><tr><th>session</th><th>what</th><th>hold ends</th><th>folder</th><th>resume with</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function decisionsCell(d: Record<string, number>): string {
  const keys = Object.keys(d).sort();
  if (keys.length === 0) return '<span class="note">–</span>';
  return `<div class="decs">${keys.map((k) => `<span class="badge k-${esc(k)}" data-decision="${esc(k)}" data-count="${d[k]}">${esc(k)} ${d[k]}</span>`).join('')}</div>`;
}

function sessionRow(s: SessionItem, withEvents: ReadonlySet<string>): string {
  const pick = withEvents.has(s.session_id);
  return `<tr${pick ? ' class="pick" title="Show this session\'s events"' : ''} data-session="${esc(s.session_id)}" data-cost="${s.cost_usd}" data-tokens="${s.limit_tokens}"><td class="nw"><span class="mono" title="${esc(s.session_id)}">${esc(shortId(s.session_id))}</span></td><td class="nw">${esc(s.project)}</td><td class="r">${esc(fmtUsd(s.cost_usd))}</td><td class="r">${esc(fmtDuration(s.duration_ms, 'short'))}</td><td>${decisionsCell(s.decisions)}</td><td class="nw num">${esc(fmtWhen(Date.parse(s.started_at)))}</td><td class="r">${fmtInt(s.entries)}</td><td class="r">${esc(fmtTokens(s.limit_tokens))}</td></tr>`;
}

function sessionsSection(r: FullReport): string {
  const withEvents = new Set(r.timeline.items.map((e) => e.session_id).filter((s): s is string => s !== null));
  const items = r.sessions.items;
  const note = r.sessions.truncated
    ? `<p class="note">Showing the ${items.length} most recent of ${r.sessions.total} sessions.</p>`
    : '';
  const table =
    items.length > 0
      ? `<div class="scroll"><table id="sessions" class="wide"><thead><tr><th>session</th><th>project</th><th class="r">cost</th><th class="r">duration</th><th>decisions</th><th>started</th><th class="r">responses</th><th class="r">in + out</th></tr></thead><tbody>${items
          .map((s) => sessionRow(s, withEvents))
          .join('')}</tbody></table></div>`
      : '<p class="empty">No sessions in this window.</p>';
  return `<section class="card" id="sessions-card"><div class="card-head"><h2>Sessions</h2><p class="sub">most recent first · click a session with events to filter the timeline</p></div>${table}${note}</section>`;
}

export function renderHtml(r: FullReport, o: HtmlOptions = {}): string {
  const now = Date.parse(r.generated_at);
  const title = `ccguard report · ${fmtWhen(now)}`;
  const sub = `Generated ${fmtWhen(now)} (${r.time_zone}) · last ${r.window.days} days · limit ${fmtInt(r.limit.tokens)} tokens per 5-hour block (${r.limit.source}; input + output)`;
  const daily = `<section class="card" id="daily"><div class="card-head"><h2>Cost per day</h2><p class="sub num">${esc(fmtUsd(r.totals.cost_usd))} in ${r.window.days} days</p></div>${figure(
    (f) => dailyChart(r.daily, f),
    FRAMES.daily,
  )}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="ccguard${o.version ? ' ' + esc(o.version) : ''}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main data-generated="${esc(r.generated_at)}" data-version="${r.version}">
<header><h1>ccguard report</h1><p class="sub">${esc(sub)}</p></header>
${tiles(r, now)}
${waitingSection(r)}
${blockSection(r, now)}
${blocksSection(r, now)}
<div class="grid2">${daily}${projectsCard(r.projects)}</div>
${modelsCard(r.models)}
${timelineSection(r)}
${sessionsSection(r)}
<footer>Numbers from ${o.dbFile ? `<span class="mono">${esc(o.dbFile)}</span>` : 'the ccguard state database'} · all times ${esc(r.time_zone)} · costs are API-price equivalents · this file is self-contained and loads nothing from the network.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
