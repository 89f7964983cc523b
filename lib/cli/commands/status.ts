import { catchUp, type AppContext } from '../context.ts';
import { computeStatus } from '../../usage/status.ts';
import { startOfLocalDay } from '../../usage/summary.ts';
import { BLOCK_MS, HOUR_MS } from '../../usage/blocks.ts';
import { defaultConfigFile } from '../../config/root.ts';
import { snapshotFile, snapshotKey, snapshotUntil, stampOf, transcriptDirs, writeSnapshot } from '../../usage/statusSnapshot.ts';
import { renderStatus } from '../statusRender.ts';
import type { Out } from '../format.ts';
import { parse } from '../args.ts';

export { renderStatus, renderLimits } from '../statusRender.ts';

export async function runStatus(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, fresh: { type: 'boolean' } });
  await catchUp(app);
  const at = app.now();
  const status = computeStatus(app.store, app.config, at);
  if (values.json) out.write(JSON.stringify(status, null, 2) + '\n');
  else out.write(renderStatus(status, out, at));
  // What the next `status` may answer from (lib/usage/statusSnapshot.ts). The transcripts a status
  // reads are the recently written ones; the database is stamped once closed, as the next run finds it.
  const hot = app.store.files.recent(at - BLOCK_MS - HOUR_MS).map((f) => f.path);
  app.store.close();
  const { paths } = app;
  try {
    writeSnapshot(snapshotFile(paths.stateDir), {
      key: snapshotKey(paths.transcriptRoots, app.env.TZ),
      at,
      until: snapshotUntil(status, at, startOfLocalDay(startOfLocalDay(at) + 26 * HOUR_MS)),
      stamps: [
        paths.dbFile,
        paths.dbFile + '-wal',
        paths.userConfigFile,
        defaultConfigFile(),
        ...transcriptDirs(paths.transcriptRoots),
        ...hot,
      ].map(stampOf),
      status,
    });
  } catch {
    // No snapshot: the next status computes in full, nothing is lost.
  }
  return 0;
}
