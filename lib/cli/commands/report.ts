import { catchUp, type AppContext } from '../../app/context.ts';
import { blocksReport, dailyReport, sessionsReport, type Range } from '../../usage/reports.ts';
import { blockJson } from '../../usage/blockJson.ts';
import { fitLine, paint, table, type Out } from '../format.ts';
import { fmtClock, fmtDateTime, fmtDuration, fmtInt, fmtUsd } from '../../util/format.ts';
import { HOUR_MS } from '../../util/time.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import { UsageError } from '../../util/errors.ts';
import { runFullReport } from './reportPage.ts';

export async function runReport(app: AppContext, argv: string[], out: Out, err: Out = out): Promise<number> {
  const { values, arg, raw } = parseCommand(SPECS.report, argv);
  const page = values.html || values.out !== undefined || values.open;
  if (arg === undefined && (page || values.json)) {
    // The combined report (every section of the HTML page), not one kind.
    if (values.since !== undefined || values.until !== undefined)
      throw new UsageError('the combined report covers --days N (default 7), not --since/--until');
    await catchUp(app);
    return runFullReport(app, { ...values, days: raw.days }, out, err);
  }
  if (page || values.days !== undefined)
    throw new UsageError('--html, --out, --open and --days go with the combined report: leave out the kind');
  const kind = arg ?? 'blocks';
  if (values.since !== undefined && values.until !== undefined && values.since >= values.until) {
    throw new UsageError(
      `--since ${raw.since} is after --until ${raw.until}: nothing can fall between them (give the earlier date to --since)`,
    );
  }
  const range: Range = {
    since: values.since ?? Number.MIN_SAFE_INTEGER,
    until: values.until ?? Number.MAX_SAFE_INTEGER,
  };
  const during =
    raw.since && raw.until
      ? `from ${raw.since} to ${raw.until}`
      : raw.since
        ? `since ${raw.since}`
        : raw.until
          ? `until ${raw.until}`
          : '';
  await catchUp(app);
  const now = app.now();
  const json = Boolean(values.json);
  const right = (n: number, from: number): Set<number> => new Set(Array.from({ length: n - from }, (_, i) => i + from));
  switch (kind) {
    case 'blocks': {
      const rows = blocksReport(app.store, range, now);
      if (json) return write(out, rows.map(blockJson));
      if (rows.length === 0) return nothing(out, '5-hour blocks', during);
      out.write(
        table(
          ['block start', 'end', 'responses', 'input', 'output', 'cache write', 'cache read', 'cost', 'models'],
          rows.map((b) => [
            (b.isActive ? paint(out, 'green', '● ') : '  ') + fmtDateTime(b.start),
            fmtClock(b.end),
            fmtInt(b.entries),
            fmtInt(b.tokens.input),
            fmtInt(b.tokens.output),
            fmtInt(b.tokens.cache_creation),
            fmtInt(b.tokens.cache_read),
            fmtUsd(b.costUsd) + (b.costEstimated ? '~' : ''),
            b.models.join(', '),
          ]),
          { right: right(8, 2), shrink: { 8: 'wrap' }, width: out.columns },
        ),
      );
      if (rows.some((b) => b.costEstimated))
        out.write(prose(out, '~ partly estimated: a model newer than the price table, priced by its family'));
      return 0;
    }
    case 'daily': {
      const rows = dailyReport(app.store, range);
      if (json) return write(out, rows);
      if (rows.length === 0) return nothing(out, 'days with usage', during);
      out.write(
        table(
          ['date', 'responses', 'input', 'output', 'cache write', 'cache read', 'cost', 'models'],
          rows.map((d) => [
            d.date,
            fmtInt(d.entries),
            fmtInt(d.tokens.input),
            fmtInt(d.tokens.output),
            fmtInt(d.tokens.cache_creation),
            fmtInt(d.tokens.cache_read),
            fmtUsd(d.cost_usd),
            d.models.join(', '),
          ]),
          { right: right(7, 1), shrink: { 7: 'wrap' }, width: out.columns },
        ),
      );
      return 0;
    }
    case 'sessions': {
      const rows = sessionsReport(app.store, range);
      if (json) return write(out, rows);
      if (rows.length === 0) return nothing(out, 'sessions', during);
      out.write(
        table(
          ['session', 'project', 'started', 'last activity', 'duration', 'responses', 'tokens', 'cost'],
          rows.map((s) => [
            s.session_id.slice(0, 8),
            s.project,
            fmtDateTime(Date.parse(s.started_at)),
            fmtDateTime(Date.parse(s.last_activity_at)),
            fmtDuration(s.active_hours * HOUR_MS, 'hm'),
            fmtInt(s.entries),
            fmtInt(s.total_tokens),
            fmtUsd(s.cost_usd),
          ]),
          { right: right(8, 4), shrink: { 1: 'start' }, width: out.columns },
        ),
      );
      return 0;
    }
    default: {
      const never: never = kind;
      throw new UsageError(`unknown report ${String(never)}`);
    }
  }
}

/** A sentence, fitted to the terminal. */
const prose = (out: Out, s: string): string => fitLine(s, out.columns).join('\n') + '\n';

/** An empty report says so, and why it may be empty, instead of printing bare headers. */
function nothing(out: Out, what: string, during: string): number {
  out.write(
    prose(
      out,
      during
        ? `No ${what} ${during}: ccguard has recorded no Claude Code usage in that range.`
        : `No ${what} yet: ccguard has recorded no Claude Code usage (\`ccguard import\` reads the transcripts; \`ccguard doctor\` shows where it looks).`,
    ),
  );
  return 0;
}

function write(out: Out, rows: unknown): number {
  out.write(JSON.stringify(rows, null, 2) + '\n');
  return 0;
}
