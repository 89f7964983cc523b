import { importAll, type ImportStats } from '../../transcripts/import.ts';
import { importContext, type AppContext } from '../../app/context.ts';
import { fitLine, type Out } from '../format.ts';
import { fmtInt, fmtMb } from '../../util/format.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import { markInitialized } from '../../store/corruption.ts';

/** The import's counts as JSON: snake_case, as every other command's JSON. */
export function importJson(stats: ImportStats, bytesSeen: number, ms: number): Record<string, number> {
  return {
    files_seen: stats.filesSeen,
    bytes_seen: bytesSeen,
    files_read: stats.filesRead,
    bytes_read: stats.bytesRead,
    entries_added: stats.entriesAdded,
    api_errors_added: stats.apiErrorsAdded,
    limit_messages_added: stats.limitMessagesAdded,
    bad_lines: stats.badLines,
    files_reset: stats.filesReset,
    duration_ms: ms,
  };
}

const count = (n: number, one: string, many = `${one}s`): string => `${fmtInt(n)} ${n === 1 ? one : many}`;
const files = (n: number): string => count(n, 'transcript file');

/**
 * What the import did, in words. Every file is checked (the progress counts those), but only the
 * ones with something new are read: the sentence says both, so that "checked 40" on the bar and
 * "read 0" after it do not look like a contradiction.
 */
export function importSummary(stats: ImportStats, bytesSeen: number, ms: number): string {
  const took = `in ${fmtInt(ms)} ms`;
  const bad = stats.badLines > 0 ? ` Skipped ${count(stats.badLines, 'malformed line')}.` : '';
  if (stats.filesSeen === 0)
    return `No transcripts found: nothing to import (checked ${took}; \`ccguard doctor\` shows where ccguard looks).`;
  if (stats.filesRead === 0)
    return `Nothing new: all ${files(stats.filesSeen)} (${fmtMb(bytesSeen)}) were imported before; checked ${took}.${bad}`;
  const what = `${count(stats.entriesAdded, 'new response')}, ${count(stats.apiErrorsAdded, 'API error')} and ${count(stats.limitMessagesAdded, 'limit message')}`;
  const from =
    stats.filesRead === stats.filesSeen
      ? `from ${files(stats.filesRead)} (${fmtMb(stats.bytesRead)})`
      : `from the new lines of ${fmtInt(stats.filesRead)} of ${files(stats.filesSeen)} (${fmtMb(stats.bytesRead)} of ${fmtMb(bytesSeen)}; the rest were imported before)`;
  return `Imported ${what} ${from} ${took}.${bad}`;
}

/** `ccguard import [--json]`: reads every transcript; later runs read only what is new. */
export async function runImport(app: AppContext, argv: string[], out: Out, err: Out): Promise<number> {
  const { values } = parseCommand(SPECS.import, argv);
  const started = performance.now();
  let lastDraw = 0;
  let bytesSeen = 0;
  const stats = await importAll(importContext(app), {
    onProgress: (done, total, bytes) => {
      bytesSeen = bytes;
      if (err.isTTY) {
        const t = performance.now();
        if (t - lastDraw < 80 && done < total) return;
        lastDraw = t;
        const width = 30;
        const filled = total === 0 ? width : Math.round((done / total) * width);
        err.write(
          `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} files checked, ${fmtMb(bytes)}`,
        );
        if (done === total) err.write('\n');
      }
    },
  });
  markInitialized(app.paths.dbFile);
  const ms = Math.round(performance.now() - started);
  if (values.json) out.write(JSON.stringify(importJson(stats, bytesSeen, ms), null, 2) + '\n');
  else out.write(fitLine(importSummary(stats, bytesSeen, ms), out.columns).join('\n') + '\n');
  return 0;
}
