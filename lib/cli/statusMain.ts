// `ccguard status` on its own. bin/ccguard.js sends `status` here (dist/status/main.cjs, CommonJS,
// required: no ES module loader to start); every other command goes to main.ts.
// First the snapshot (lib/app/statusSnapshot.ts): when nothing it was computed from has changed,
// the answer is printed from it, and SQLite and the rest of the code are never loaded. Otherwise the
// full command runs, from a bundle of its own (one file rather than the CLI's graph of chunks).
import { quietOnEpipe } from './epipe.ts';
import { makeOut } from './format.ts';
import { renderStatus } from './statusRender.ts';
import { resolvePaths } from '../util/paths.ts';
import { snapshotFile, snapshotKey, validSnapshot } from '../app/statusSnapshot.ts';
import { accountOf } from '../util/account.ts';

function fromSnapshot(argv: string[], env: NodeJS.ProcessEnv): boolean {
  const [cmd, ...opts] = argv;
  // Anything but a plain `status [--json]` (`--fresh`, a typo to report) is the full command's.
  if (cmd !== 'status' || !opts.every((o) => o === '--json')) return false;
  try {
    const paths = resolvePaths(env);
    const now = Date.now();
    const snap = validSnapshot(
      snapshotFile(paths.stateDir),
      snapshotKey(paths.transcriptRoots, env.TZ, env.PATH, accountOf(env).key, env.CCGUARD_SQLITE_DRIVER),
      now,
    );
    if (!snap) return false;
    const out = makeOut(process.stdout, env);
    out.write(opts.length > 0 ? JSON.stringify(snap.status, null, 2) + '\n' : renderStatus(snap.status, out, now));
    return true;
  } catch {
    // A snapshot that cannot be read or rendered is no answer: the full command gives one.
    return false;
  }
}

/** `ccguard status [...]` (argv from the command's name on): the exit code. */
export async function statusMain(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  quietOnEpipe();
  if (fromSnapshot(argv, env)) return 0;
  // Built as dist/status/full.cjs (build.mjs), required only here.
  const { runStatusCommand } =
    typeof require === 'function'
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- in the bundle this is esbuild's require (see above)
        (require('./statusFull.ts') as typeof import('./statusFull.ts'))
      : await import('./statusFull.ts');
  return runStatusCommand(argv, env);
}
