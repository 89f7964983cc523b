import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../context.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import { fmtLocal, paint, type Colour, type Out } from '../format.ts';
import type { EventRow } from '../../store/events.ts';
import { ingestJournal } from '../../hook/journal.ts';

const COLOUR: Record<string, Colour> = {
  allow: 'gray', record: 'gray', warn: 'yellow', delay: 'magenta', deny: 'red', notify: 'cyan',
  pause: 'red', resume: 'green', alert: 'yellow', error: 'red',
};

function line(e: EventRow, out: Out): string {
  const who = e.session_id ? e.session_id.slice(0, 8) : '-';
  const dec = paint(out, COLOUR[e.decision] ?? 'blue', e.decision.padEnd(6));
  const sleepTxt = e.sleep_ms > 0 ? ` (slept ${(e.sleep_ms / 1000).toFixed(1)}s)` : '';
  return `${fmtLocal(e.ts)}  ${who.padEnd(8)}  ${e.hook.padEnd(16)} ${(e.tool ?? '').padEnd(10)} ${dec}${sleepTxt}${e.reason ? '  ' + e.reason : ''}\n`;
}

const toJson = (e: EventRow) => ({ ...e, ts: new Date(e.ts).toISOString(), detail: e.detail ? (JSON.parse(e.detail) as unknown) : null });

/** `ccguard events [--json] [--follow] [--session ID] [--decisions] [--limit N]` */
export async function runEvents(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parseCommand(SPECS.events, argv);
  const limit = values.limit;
  // Fast-path runs wait in the journal until a full run folds them in; so does this command.
  ingestJournal(app.paths.stateDir, app.store, app.now(), 0);
  const q = { sessionId: values.session, decisionsOnly: values.decisions, limit };
  let rows = app.store.events.list(q);
  if (values.json && !values.follow) {
    out.write(JSON.stringify(rows.map(toJson), null, 2) + '\n');
    return 0;
  }
  for (const r of rows) out.write(values.json ? JSON.stringify(toJson(r)) + '\n' : line(r, out));
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
