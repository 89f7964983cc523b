import type { Status } from '../app/status.ts';
import type { LimitsStatus } from '../usage/describe.ts';
import { fitLine, paint, table, type Out } from './format.ts';
import {
  fmtAt,
  fmtClock,
  fmtDateTime,
  fmtDuration,
  fmtInt,
  fmtMb,
  fmtPct,
  fmtPctTenths,
  fmtUsd,
} from '../util/format.ts';
import { windowName } from '../usage/describe.ts';
import { HOUR_MS } from '../util/time.ts';

// How `ccguard status` prints a Status: apart from the command, so that a status answered from its
// snapshot (lib/usage/statusSnapshot.ts) loads this and the formatter only.

/**
 * The figure the hooks decide on, in the words they use: `Usage  100% of the weekly limit
 * (server:limit_line:seven_day), resets Fri 20:30`. The same share, window, source and reset as the
 * hook's message, the status line and the report (lib/app/story.ts).
 */
function usageLine(u: Status['usage'], out: Pick<Out, 'color'>, now: number): string {
  const label = paint(out, 'bold', 'Usage');
  if (u.used_share === null) return `${label}         ${windowName(u.window)}: no figure yet (${u.source})`;
  const colour = u.used_share >= 0.9 ? 'red' : u.used_share >= 0.8 ? 'yellow' : 'green';
  const reset = u.reset_at === null ? '' : `, resets ${fmtAt(Date.parse(u.reset_at), now)}`;
  return `${label}         ${paint(out, colour, fmtPct(u.used_share))} of the ${windowName(u.window)} (${u.source})${reset}`;
}

/** The status as lines that fit `out.columns` (long ones wrapped under their label). */
export function renderStatus(s: Status, out: Pick<Out, 'color'> & Partial<Pick<Out, 'columns'>>, now: number): string {
  const width = out.columns ?? Infinity;
  const lines: string[] = [];
  const b = s.block;
  if (!b) {
    lines.push(paint(out, 'gray', 'No active 5-hour block: no Claude Code usage in the last 5 hours.'));
  } else {
    const start = Date.parse(b.start);
    const reset = Date.parse(b.reset_at);
    lines.push(
      `${paint(out, 'bold', '5-hour block')}  ${fmtDateTime(start)} → ${fmtClock(Date.parse(b.end))}` +
        `  (resets in ${fmtDuration(reset - now, 'hm')} at ${fmtAt(reset, now)}${b.reset_source === 'limit_message' ? ', from a limit message' : b.reset_source === 'server' ? ", the server's reset" : ''})`,
    );
    lines.push(
      `  tokens   input ${fmtInt(b.tokens.input)} · output ${fmtInt(b.tokens.output)} · cache write ${fmtInt(b.tokens.cache_creation)} · cache read ${fmtInt(b.tokens.cache_read)}`,
    );
    if (b.limit) {
      const share = b.limit.used_share;
      const colour = share >= 0.9 ? 'red' : share >= 0.8 ? 'yellow' : 'green';
      lines.push(
        b.limit.tokens !== null
          ? `  limit    ${paint(out, colour, fmtPctTenths(share))} of ${fmtInt(b.limit.tokens)} tokens (${b.limit.source}; input + output)`
          : `  limit    ${paint(out, colour, fmtPctTenths(share))} used (${b.limit.source})`,
      );
    }
    lines.push(
      `  cost     ${fmtUsd(b.cost_usd)}${b.cost_estimated ? ' (estimated: a model newer than the price table)' : ''} in ${fmtInt(b.entries)} responses · models ${b.models.join(', ') || '-'}`,
    );
    if (b.burn_rate) {
      lines.push(
        `  burn     ${fmtInt(b.burn_rate.tokens_per_minute)} tokens/min · ${fmtUsd(b.burn_rate.cost_per_hour)}/h`,
      );
    }
    if (b.projection) {
      const proj = b.limit?.projected_share;
      lines.push(
        `  by reset ${fmtInt(b.projection.limit_tokens)} limit tokens${proj !== null && proj !== undefined ? ` (${fmtPctTenths(proj)})` : ''} · ${fmtUsd(b.projection.cost_usd)}`,
      );
    }
  }
  lines.push(usageLine(s.usage, out, now));
  const cp = s.config_problem;
  if (cp) {
    lines.push(
      `${paint(out, 'bold', 'Config')}        ${paint(out, 'red', 'BROKEN')}: ${cp.message}; enforcing with ${cp.fallback === 'last_valid' ? `the last valid configuration${cp.valid_at ? ` (from ${fmtDateTime(Date.parse(cp.valid_at))})` : ''}` : 'the default configuration'} until it is fixed`,
    );
  }
  lines.push(...renderLimits(s.limits, out, now));
  const r = s.recovery;
  const rc = r.state === 'normal' ? 'green' : r.state === 'warned' ? 'yellow' : 'red';
  // Observe mode: the state is what would be enforced, and nothing is.
  const observing = s.mode === 'observe';
  if (observing)
    lines.push(
      `${paint(out, 'bold', 'Mode')}          ${paint(out, 'yellow', 'observe')}: decisions are recorded and notified; nothing is blocked or delayed (mode: enforce to act)`,
    );
  lines.push(
    `${paint(out, 'bold', 'Recovery')}      ${observing && r.state !== 'normal' ? 'would be ' : ''}${paint(out, rc, r.state)}${r.until && r.state !== 'normal' ? ` until ${fmtAt(Date.parse(r.until), now)}` : ''}${r.reason ? ` (${r.reason.replace(/^ccguard: /, '')})` : ''}`,
  );
  lines.push(...renderAccounts(s, out));
  lines.push(`${paint(out, 'bold', 'Today')}         ${fmtUsd(s.today.cost_usd)} (${s.today.date})`);
  if (s.sessions.length > 0) {
    lines.push(paint(out, 'bold', 'Active sessions'));
    const rows = s.sessions.map((x) => [
      x.session_id.slice(0, 8),
      x.project,
      fmtDateTime(Date.parse(x.started_at)),
      fmtDuration(x.active_hours * HOUR_MS, 'hm'),
      fmtUsd(x.cost_usd),
    ]);
    lines.push(
      table(['session', 'project', 'started', 'active', 'cost'], rows, {
        right: new Set([3, 4]),
        shrink: { 1: 'start' },
        width,
        indent: '  ',
      }).trimEnd(),
    );
  }
  // Older snapshots have no list.
  const waiting = s.waiting ?? [];
  if (waiting.length > 0) {
    lines.push(
      paint(out, 'bold', 'Waiting unattended sessions') +
        paint(out, 'gray', ' (deferred by ccguard or stopped on the limit; each resumes with its command)'),
    );
    for (const w of waiting) {
      const until = w.hold_until ? `until ${fmtDateTime(Date.parse(w.hold_until))}` : 'until lifted';
      const what = w.kind === 'deferred' ? `deferred ${w.tool ?? 'tool call'}` : 'stopped on the limit';
      lines.push(`  ${w.session_id.slice(0, 8)}  ${what} ${until}${w.folder ? ` · ${w.folder}` : ''}`);
      lines.push(`    ${w.resume_command}`);
    }
  }
  const fresh = s.data.last_scan_at
    ? `last folder scan ${fmtDateTime(Date.parse(s.data.last_scan_at))}`
    : 'never scanned';
  lines.push(
    paint(
      out,
      'gray',
      `Data: ${fmtInt(s.data.files)} transcript files, ${fmtMb(s.data.bytes)} read, ${fmtInt(s.data.bad_lines)} malformed lines skipped; ${fresh}; newest response ${s.data.newest_entry_at ? fmtDateTime(Date.parse(s.data.newest_entry_at)) : '-'}.`,
    ),
  );
  return (
    lines
      .flatMap((l) => l.split('\n'))
      .flatMap((l) => fitLine(l, width))
      .join('\n') + '\n'
  );
}

/** With several accounts: one line each, this environment's marked, as its own sessions meet it. */
function renderAccounts(s: Status, out: Pick<Out, 'color'>): string[] {
  if (!s.accounts || s.accounts.length < 2) return [];
  const lines = [`${paint(out, 'bold', 'Accounts')}      figures above are for ${s.account.label}`];
  for (const a of s.accounts) {
    const share =
      a.kind === 'api'
        ? 'API key: no 5-hour or weekly window'
        : `${a.used_share !== null ? fmtPctTenths(a.used_share) : '-'} (${a.source})${a.weekly_share !== null ? ` · weekly ${fmtPctTenths(a.weekly_share)}` : ''}`;
    const colour = a.state === 'normal' ? 'green' : a.state === 'warned' ? 'yellow' : 'red';
    lines.push(
      `  ${a.key === s.account.key ? '*' : ' '} ${a.label}: ${share}; ${paint(out, colour, a.state)}${a.until && a.state !== 'normal' ? ` until ${fmtDateTime(Date.parse(a.until))}` : ''}`,
    );
  }
  return lines;
}

const ago = (secs: number | null): string =>
  secs === null ? '' : secs < 90 ? `${secs}s old` : `${fmtDuration(secs * 1000, 'hm')} old`;

/** Where the usage figure comes from, how old and how sure it is, calibration and claude-monitor. */
export function renderLimits(l: LimitsStatus, out: Pick<Out, 'color'>, now: number): string[] {
  const lines: string[] = [];
  const age = l.source.startsWith('server:') || l.source.startsWith('claude-monitor') ? `, ${ago(l.age_seconds)}` : '';
  const acts = (may: boolean): string => (may ? 'may hold calls back' : 'warns only');
  lines.push(
    `${paint(out, 'bold', 'Source')}        ${l.source} (${l.confidence}${age}; ${acts(l.may_hold)})${l.used_share !== null ? `: ${fmtPctTenths(l.used_share)} used` : ''}${l.reset_at && l.source.startsWith('server:') ? `, resets ${fmtDateTime(Date.parse(l.reset_at))}` : ''}`,
  );
  const w = l.weekly;
  if (w) {
    lines.push(
      `  weekly   ${w.used_share !== null ? fmtPctTenths(w.used_share) : '-'} used (${w.source}, ${w.confidence}, ${ago(w.age_seconds)}; ${acts(w.may_hold)})${w.reset_at ? `, resets ${fmtDateTime(Date.parse(w.reset_at))}` : ''}`,
    );
  }
  if (l.server_note) lines.push(paint(out, 'gray', `  server   ${l.server_note}`));
  const api = l.usage_api;
  if (api.enabled)
    lines.push(
      `  usage endpoint ${api.state}${api.last_ok_at ? `, last answer ${fmtDateTime(api.last_ok_at)}` : ''}${api.detail ? ` (${api.detail})` : ''}`,
    );
  if (l.calibrated) {
    lines.push(
      `  calibrated limit ${fmtInt(l.calibrated.limit_tokens)} tokens from ${l.calibrated.samples} server reading${l.calibrated.samples === 1 ? '' : 's'} (last ${fmtDateTime(Date.parse(l.calibrated.updated_at))})`,
    );
  }
  const e = l.last_error;
  if (e) {
    const d = e.difference_points;
    lines.push(
      `  local vs server  ${e.local_percentage.toFixed(1)}% estimated (${e.local_limit_source}) vs ${e.server_percentage.toFixed(1)}% reported at ${fmtDateTime(Date.parse(e.at))}: ${d >= 0 ? '+' : ''}${d.toFixed(1)} points`,
    );
  }
  const m = l.claude_monitor;
  if (m.enabled === 'true' || (m.state !== 'disabled' && m.state !== 'not installed' && m.state !== 'not run yet')) {
    const when = m.last_run_at ? `, last run ${fmtDuration(now - Date.parse(m.last_run_at), 'hm')} ago` : '';
    lines.push(`  claude-monitor ${m.state}${when}${m.detail ? ` (${m.detail})` : ''}`);
  }
  return lines;
}
