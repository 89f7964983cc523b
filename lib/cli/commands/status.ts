import { catchUp, type AppContext } from '../../app/context.ts';
import { accountStatuses, computeStatus } from '../../app/status.ts';
import { accountsFor, knownAccounts } from '../../app/accounts.ts';
import { addLocalDays, HOUR_MS } from '../../util/time.ts';
import { BLOCK_MS } from '../../util/blocks.ts';
import { defaultConfigFile } from '../../config/root.ts';
import {
  snapshotFile,
  snapshotKey,
  snapshotUntil,
  stampOf,
  writeSnapshot,
  type DirStamp,
  type Stamp,
} from '../../app/statusSnapshot.ts';
import { renderStatus } from '../statusRender.ts';
import type { Out } from '../format.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import { isSubagentFile, listDir, subagentsDirOf } from '../../transcripts/discover.ts';
import { existsSync } from 'node:fs';
import { ownCli } from '../../config/root.ts';
import { join } from 'node:path';

export async function runStatus(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parseCommand(SPECS.status, argv);
  const { paths, store, config } = app;
  const configStamps = [paths.userConfigFile, defaultConfigFile()].map(stampOf);
  await catchUp(app);
  // SQLite's data_version moves when another connection commits: if it moved while this status
  // computed, what it shows may predate a write its snapshot would be stamped with, so none is left.
  const version = (): number => store.dataVersion();
  const before = version();
  const at = app.now();
  // One account's status (this environment's, or --account's); every account's line besides when
  // the machine has more than one, or when asked for all.
  const chosen = accountsFor(store, app.env, values.account, at);
  const account = values.account === 'all' ? app.account : (chosen[0] ?? app.account);
  // The resume commands it lists start ccguard the way install's printed commands do.
  const status = computeStatus(store, config, account, at, app.loaded.problem ?? null, ownCli(app.env));
  const known = values.account === 'all' ? chosen : knownAccounts(store, at);
  const all = known.includes(account) ? known : [account, ...known];
  if (all.length > 1) status.accounts = accountStatuses(store, config, all, at);
  if (values.json) out.write(JSON.stringify(status, null, 2) + '\n');
  else out.write(renderStatus(status, out, at));
  // What the next `status` may answer from (lib/usage/statusSnapshot.ts): the transcripts and folders
  // as the database recorded them, then the database itself once closed, as the next run will find it.
  const files = store.files.recent(at - BLOCK_MS - HOUR_MS);
  const dirs = watchedDirs(
    paths.transcriptRoots,
    files.map((f) => f.path),
    (d) => store.dirs.mtime(d),
  );
  const quiet = version() === before;
  store.close();
  // Only the plain status of this environment is answered from a snapshot (lib/cli/statusMain.ts).
  if (!quiet || values.account !== undefined) return 0;
  try {
    const mon = config.integrations.claude_monitor;
    writeSnapshot(snapshotFile(paths.stateDir), {
      key: snapshotKey(paths.transcriptRoots, app.env.TZ, app.env.PATH, app.account, app.env.CCGUARD_SQLITE_DRIVER),
      at,
      until: snapshotUntil(status, at, addLocalDays(at, 1), {
        serverFreshMs: config.limits.server_fresh_seconds * 1000,
        monitorMaxAgeMs: mon.max_age_seconds * 1000,
      }),
      stamps: [
        ...[paths.dbFile, paths.dbFile + '-wal'].map(stampOf),
        ...configStamps,
        ...files.map((f): Stamp => [f.path, f.size, f.mtime_ms, f.ino]),
      ],
      dirs,
      status,
    });
  } catch {
    // No snapshot: the next status computes in full, nothing is lost.
  }
  return 0;
}

/**
 * The folders a catch-up looks in for new files (lib/transcripts/import.ts importRecent): the roots,
 * their project folders and the subagent folders of live sessions; so their number does not grow
 * with the history. Each is stamped with the mtime the database recorded when it was last listed;
 * one never listed gets a stamp no folder has (so a status computes afresh until a scan has listed
 * it), one that does not exist must still not exist.
 */
function watchedDirs(
  roots: readonly string[],
  hot: readonly string[],
  recorded: (dir: string) => number | undefined,
): DirStamp[] {
  const want = new Set<string>();
  for (const root of roots) {
    want.add(root);
    for (const e of listDir(root)) if (e.isDir) want.add(join(root, e.name));
  }
  for (const f of hot) if (!isSubagentFile(f)) want.add(subagentsDirOf(f));
  return [...want].map((p): DirStamp => [p, recorded(p) ?? (existsSync(p) ? -2 : -1)]);
}
