// Whether and how a bulk import uses reading threads, apart from the threads themselves: every
// catch-up (a hook's, a status's) builds an import context, and must not load node:worker_threads.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../config/root.ts';

export interface ReaderOptions {
  /** The built reading-thread script (dist/import/lib/transcripts/parseWorker.js). */
  script: string;
  /** Reading threads besides this one. */
  threads: number;
  /** The user's TZ variable, for limit messages that name no zone. */
  tz: string | undefined;
}

/**
 * Reading threads for a large import: one per core beyond this one (this thread stores and reads
 * too), at most 3. `CCGUARD_IMPORT_THREADS` sets the number (0: none), `CCGUARD_IMPORT_THREADS_MIN_BYTES`
 * how much there must be to read before they are used. None when the reading
 * thread's script is not built (running from source).
 */
export function readerOptionsFor(
  env: Readonly<Record<string, string | undefined>>,
): (ReaderOptions & { minBytes?: number }) | undefined {
  const script = join(packageRoot(), 'dist', 'import', 'lib', 'transcripts', 'parseWorker.js');
  if (!existsSync(script)) return undefined;
  const asked = env.CCGUARD_IMPORT_THREADS;
  const n =
    asked !== undefined && /^\d+$/.test(asked) ? Math.min(16, Number(asked)) : Math.min(3, availableParallelism() - 1);
  // Below this much new data one thread is quicker; the tests set it to 0 to run small imports threaded.
  const min = env.CCGUARD_IMPORT_THREADS_MIN_BYTES;
  return n > 0
    ? { script, threads: n, tz: env.TZ, ...(min !== undefined && /^\d+$/.test(min) ? { minBytes: Number(min) } : {}) }
    : undefined;
}
