/** `ccguard report --html|--json` without a kind: the combined report, as a page or as JSON. */
import { ownCli } from '../../config/root.ts';
import { resolve, join } from 'node:path';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import type { Out } from '../format.ts';
import { accountsFor } from '../../app/accounts.ts';
import { UsageError } from '../../util/errors.ts';
import { buildReport } from '../../report/data.ts';
import { renderHtml } from '../../report/html.ts';
import { writeReportFile } from '../../report/write.ts';
import { openFile } from '../../report/open.ts';
import { oneLine } from '../../util/errors.ts';
import { packageVersion } from '../../config/version.ts';

export interface FullReportFlags {
  html?: boolean;
  json?: boolean;
  out?: string;
  open?: boolean;
  days?: string;
  account?: string;
}

const Days = z.coerce.number().int().min(1).max(92);

export function reportPath(app: AppContext, out: string | undefined): string {
  return out === undefined ? join(app.paths.stateDir, 'report.html') : resolve(out);
}

/**
 * With --html (or --out/--open): writes the page and prints its path; with --json as well, the JSON
 * goes to stdout and the path to stderr, both from the same moment. --json alone prints the JSON.
 */
export async function runFullReport(app: AppContext, flags: FullReportFlags, out: Out, err: Out): Promise<number> {
  const parsed = Days.safeParse(flags.days ?? 7);
  if (!parsed.success) throw new UsageError(`--days must be a whole number from 1 to 92 (got "${flags.days}")`);
  const now = app.now();
  const [account = app.account] = accountsFor(
    app.store,
    app.env,
    flags.account === 'all' ? undefined : flags.account,
    now,
  );
  const cli = ownCli(app.env);
  const report = buildReport(app.store, app.config, { now, account, days: parsed.data, timeZone: app.timeZone(), cli });
  const html = Boolean(flags.html || flags.out !== undefined || flags.open);
  if (!html) {
    out.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  const file = reportPath(app, flags.out);
  writeReportFile(file, renderHtml(report, { dbFile: app.paths.dbFile, version: packageVersion() }));
  if (flags.json) {
    out.write(JSON.stringify(report, null, 2) + '\n');
    err.write(`${file}\n`);
  } else {
    out.write(`${file}\n`);
  }
  if (flags.open) {
    try {
      await openFile(file);
    } catch (e) {
      // The page is written: no opener (a server, a container) is no failure of the report.
      err.write(
        `ccguard: the report is at ${file}; ${oneLine(e).replace(/^cannot open/, 'could not open')}: open it in a browser\n`,
      );
    }
  }
  return 0;
}
