import { importAll } from '../../transcripts/import.ts';
import { importContext, type AppContext } from '../context.ts';
import { fmtInt, type Out } from '../format.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import { markInitialized } from '../../store/recover.ts';

/** `ccguard import [--json]`: reads every transcript; later runs read only what is new. */
export async function runImport(app: AppContext, argv: string[], out: Out, err: Out): Promise<number> {
  const { values } = parseCommand(SPECS.import, argv);
  const started = performance.now();
  let lastDraw = 0;
  let lastPct = -1;
  const stats = await importAll(importContext(app), {
    onProgress: (done, total, bytes) => {
      if (err.isTTY) {
        const t = performance.now();
        if (t - lastDraw < 80 && done < total) return;
        lastDraw = t;
        const width = 30;
        const filled = total === 0 ? width : Math.round((done / total) * width);
        err.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} files, ${(bytes / 1e6).toFixed(1)} MB`);
        if (done === total) err.write('\n');
      } else if (!values.json) {
        // Plain lines when not on a terminal: one per 10%.
        const pct = total === 0 ? 100 : Math.floor((done / total) * 10) * 10;
        if (pct !== lastPct) {
          lastPct = pct;
          err.write(`import: ${done}/${total} files (${pct}%)\n`);
        }
      }
    },
  });
  markInitialized(app.paths.dbFile);
  const ms = Math.round(performance.now() - started);
  if (values.json) {
    out.write(JSON.stringify({ ...stats, duration_ms: ms }, null, 2) + '\n');
  } else {
    out.write(
      `Imported ${fmtInt(stats.entriesAdded)} new responses, ${fmtInt(stats.apiErrorsAdded)} API errors and ` +
        `${fmtInt(stats.limitMessagesAdded)} limit messages from ${fmtInt(stats.filesRead)} of ${fmtInt(stats.filesSeen)} ` +
        `files (${(stats.bytesRead / 1e6).toFixed(1)} MB) in ${ms} ms.` +
        (stats.badLines > 0 ? ` Skipped ${fmtInt(stats.badLines)} malformed lines.` : '') +
        '\n',
    );
  }
  return 0;
}
