import type { RecoveryState } from '../policy/types.ts';
import { fmtAt, fmtUsd } from '../util/format.ts';

export interface WindowFact {
  /** Percent used (Claude's own figure can pass 100). */
  pct: number;
  resetsAt: number | null;
  /**
   * server: this very input; stored: an earlier reading, still fresh, whose window has not reset;
   * stale: an earlier reading past limits.server_fresh_seconds (shown with its time, never as current);
   * local: ccguard's own estimate.
   */
  source: 'server' | 'stored' | 'stale' | 'local';
  /** When the reading was last seen (stale). */
  seenAt?: number;
}

export interface StatusLineFacts {
  /** The moment the line is for: a reset on another day is printed with its day (fmtAt). */
  now: number;
  fiveHour: WindowFact | null;
  sevenDay: WindowFact | null;
  todayCostUsd: number;
  recovery: { state: RecoveryState; until: number | null };
  /** `mode: observe`: the state is what would be enforced, and nothing is. */
  observe?: boolean;
  /** The user's config.yaml is broken (ccguard enforces with the last valid one meanwhile). */
  configError?: boolean;
}

/** The reset, and for a stale reading the time it was true at. */
function windowNote(w: WindowFact, now: number): string {
  const notes: string[] = [];
  if (w.source === 'stale' && w.seenAt !== undefined) notes.push(`as of ${fmtAt(w.seenAt, now)}`);
  if (w.resetsAt !== null && w.source !== 'stale') notes.push(`resets ${fmtAt(w.resetsAt, now)}`);
  return notes.length > 0 ? ` (${notes.join(', ')})` : '';
}

const pctText = (w: WindowFact): string => `${w.source === 'local' ? '~' : ''}${Math.round(w.pct)}%`;

/**
 * One compact line: `5h 42% (resets 15:00) · 7d 18% · today $3.21 · ccguard ok`.
 * A `~` marks a 5-hour figure estimated from ccguard's own records (no server figure known);
 * unknown windows read `5h -` and the weekly part is left out.
 */
export function formatStatusLine(f: StatusLineFacts): string {
  const parts: string[] = [];
  const h = f.fiveHour;
  parts.push(h ? `5h ${pctText(h)}${windowNote(h, f.now)}` : '5h -');
  // The weekly reset only when it is the window that holds (the caller passes it then), as the hook names it.
  if (f.sevenDay)
    parts.push(
      `7d ${pctText(f.sevenDay)}${f.sevenDay.source === 'stale' || f.sevenDay.resetsAt !== null ? windowNote(f.sevenDay, f.now) : ''}`,
    );
  parts.push(`today ${fmtUsd(f.todayCostUsd)}`);
  const r = f.recovery;
  const state = r.state === 'normal' ? 'ok' : `${r.state}${r.until !== null ? ` until ${fmtAt(r.until, f.now)}` : ''}`;
  parts.push(f.observe ? `ccguard observe${r.state === 'normal' ? '' : ` (would be ${state})`}` : `ccguard ${state}`);
  if (f.configError) parts.push('ccguard config error (ccguard status)');
  return parts.join(' · ');
}
