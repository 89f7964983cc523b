import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../../app/context.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import { fitLine, paint, type Colour, type Out } from '../format.ts';
import { fmtDateTime } from '../../util/format.ts';
import { displayWidth, wrap } from '../width.ts';
import type { EventQuery, EventRow } from '../../store/events.ts';
import { ingestJournal } from '../../hook/journal.ts';
import { UsageError } from '../../util/errors.ts';
import { iso } from '../../util/time.ts';

const COLOUR: Record<string, Colour> = {
  allow: 'gray',
  record: 'gray',
  warn: 'yellow',
  delay: 'magenta',
  deny: 'red',
  notify: 'cyan',
  pause: 'red',
  resume: 'green',
  alert: 'yellow',
  error: 'red',
};

/** Where a reason too long for its line continues: under the session, after the time. */
const HANG = 18;

function line(e: EventRow, out: Out): string {
  const who = e.session_id ? e.session_id.slice(0, 8) : '-';
  const colour = COLOUR[e.decision] ?? 'blue';
  const dec = paint(out, colour, e.decision) + ' '.repeat(Math.max(0, 6 - e.decision.length));
  const sleepTxt = e.sleep_ms > 0 ? ` (slept ${(e.sleep_ms / 1000).toFixed(1)}s)` : '';
  const head = `${fmtDateTime(e.ts)}  ${who.padEnd(8)}  ${e.hook.padEnd(16)} ${(e.tool ?? '').padEnd(10)} ${dec}${sleepTxt}`;
  const full = `${head}${e.reason ? '  ' + e.reason : ''}`;
  if (displayWidth(full) <= out.columns) return full + '\n';
  // Too wide: the reason goes on lines of its own; a head that does not fit either loses its padding.
  const compact = [fmtDateTime(e.ts), who, e.hook, e.tool ?? '', paint(out, colour, e.decision) + sleepTxt]
    .filter((x) => x !== '')
    .join(' ');
  const top = displayWidth(head.trimEnd()) <= out.columns ? [head.trimEnd()] : wrap(compact, out.columns, HANG);
  const why = e.reason ? wrap(' '.repeat(HANG) + e.reason, out.columns, HANG) : [];
  return [...top, ...why].join('\n') + '\n';
}

const toJson = (e: EventRow) => ({ ...e, ts: iso(e.ts), detail: e.detail ? (JSON.parse(e.detail) as unknown) : null });

/**
 * The events `--session` asks for: a full ID, or the start of one (the 8 characters the tables show).
 * A start that fits several sessions is refused rather than mixing their events; one that fits none
 * yet stays a start, so that --follow shows the session once it comes.
 */
function sessionQuery(app: AppContext, typed: string | undefined): Pick<EventQuery, 'sessionId' | 'sessionPrefix'> {
  if (typed === undefined) return {};
  const found = app.store.events.sessionsStartingWith(typed, 6);
  if (found.length === 0) return { sessionPrefix: typed };
  if (found.length === 1) return { sessionId: found[0] };
  const list = found.length > 5 ? `${found.slice(0, 5).join(', ')}, …` : found.join(', ');
  throw new UsageError(
    `--session ${typed} fits ${found.length > 5 ? 'more than 5' : found.length} sessions (${list}): give more of the ID`,
  );
}

/** `ccguard events [--json] [--follow] [--session ID] [--decisions] [--limit N]` */
export async function runEvents(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parseCommand(SPECS.events, argv);
  // Fast-path runs wait in the journal until a full run folds them in; so does this command.
  ingestJournal(app.paths.stateDir, app.store, app.now());
  const q: EventQuery = { ...sessionQuery(app, values.session), decisionsOnly: values.decisions, limit: values.limit };
  let rows = app.store.events.list(q);
  if (values.json && !values.follow) {
    out.write(JSON.stringify(rows.map(toJson), null, 2) + '\n');
    return 0;
  }
  for (const r of rows) out.write(values.json ? JSON.stringify(toJson(r)) + '\n' : line(r, out));
  if (rows.length === 0 && !values.json) {
    const what = values.decisions ? 'decisions (--decisions leaves out silent allows)' : 'events';
    const msg =
      values.session !== undefined
        ? `No ${what} for session ${values.session} yet.`
        : `No ${what} yet: the hooks record one on every tool call once ccguard is installed (\`ccguard doctor\` checks).`;
    out.write(fitLine(msg + (values.follow ? ' Waiting for them (Ctrl-C stops).' : ''), out.columns).join('\n') + '\n');
  }
  if (!values.follow) return 0;
  let last = rows.at(-1)?.id ?? 0;
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  while (!stop) {
    await sleep(500);
    ingestJournal(app.paths.stateDir, app.store, app.now());
    rows = app.store.events.list({ ...q, sinceId: last });
    for (const r of rows) out.write(values.json ? JSON.stringify(toJson(r)) + '\n' : line(r, out));
    last = rows.at(-1)?.id ?? last;
  }
  return 0;
}
