import { receiveMessageOnPort } from 'node:worker_threads';
import type { Store } from '../store/store.ts';
import type { GroupTx } from '../store/groupTx.ts';
import type { FoundFile } from './discover.ts';
import { mayHaveNew, startOf, type Importer } from './importer.ts';
import { withFd } from './fileBytes.ts';
import { unpackChunk } from './packing.ts';
import { claim, SIG_POSTED, type FromWorker, type ReadTask } from './parallelProtocol.ts';
import { takeReaders } from './readerThreads.ts';
import type { ReaderOptions } from './readerThreadOptions.ts';

/** Below this much to read, a reading thread's start-up is not won back (the import rows of the benchmark). */
export const PARALLEL_MIN_BYTES = 24 * 1024 * 1024;

/** How long this thread waits with no word from the reading threads before it reads their files itself. */
export const STALL_MS = 5_000;
/** A wait for the readers longer than this commits what is stored so far. */
const IDLE_COMMIT_MS = 20;

interface TaskState {
  file: FoundFile;
  reset: boolean;
  badTotal: number;
  progressed: boolean;
  /** Stored to its end, by a reader's chunks or by this thread; later messages for it are dropped. */
  settled: boolean;
}

export interface Planned {
  tasks: ReadTask[];
  states: TaskState[];
  /** Bytes the tasks will read. */
  bytes: number;
}

/**
 * The files with something new, each as a task a reading thread can do without the database:
 * where to start (as the store says now) and the head known so far. Files with nothing new are
 * passed to `unchanged`. Biggest first, so that no thread is left with a large file at the end.
 */
export function planTasks(store: Store, files: readonly FoundFile[], unchanged: (f: FoundFile) => void): Planned {
  const planned: { task: ReadTask; state: TaskState }[] = [];
  let bytes = 0;
  for (const f of files) {
    if (!f.stat.isFile() || !mayHaveNew(store, f.path, f.stat)) {
      unchanged(f);
      continue;
    }
    const row = store.files.get(f.path);
    let start;
    try {
      start = row ? withFd(f.path, (fd) => startOf(fd, f.stat, row)) : startOf(-1, f.stat, undefined);
    } catch {
      start = { offset: 0, reset: false, head: null, badTotal: 0 }; // the storing thread meets the error again
    }
    planned.push({
      task: { path: f.path, from: start.offset, size: f.stat.size, head: start.head },
      state: { file: f, reset: start.reset, badTotal: start.badTotal, progressed: false, settled: false },
    });
    bytes += f.stat.size - start.offset;
  }
  planned.sort((a, b) => b.task.size - b.task.from - (a.task.size - a.task.from));
  return { tasks: planned.map((p) => p.task), states: planned.map((p) => p.state), bytes };
}

/**
 * Imports the planned files with `opts.threads` reading threads beside this one. This thread is the
 * only one that writes: it stores each chunk the readers post, in order per file, and when it has
 * nothing to store it claims and imports a file itself. Every store goes through the same checks as
 * a one-thread import (the file row must still be where the chunk began), so another process
 * importing at the same time is handled the same way: the file is then read here from where the
 * store says. A reading thread that fails or falls silent leaves its files to this thread.
 */
export function importParallel(
  imp: Importer,
  plan: Planned,
  opts: ReaderOptions & { stallMs?: number; storeOnly?: boolean },
  tx: GroupTx,
  onFile: (f: FoundFile) => void,
): void {
  const { tasks, states } = plan;
  const readers = takeReaders(opts);
  const { sig, ports } = readers;
  readers.assign(tasks);

  let unsettled = states.length;
  const settle = (st: TaskState, readHere: boolean): void => {
    st.settled = true;
    unsettled--;
    // A file this thread finishes counts as read by it, as does one a reader's chunks already began.
    if (readHere) {
      if (!imp.importFile(st.file.path, st.file.stat) && st.progressed) imp.stats.filesRead++;
    } else imp.stats.filesRead++;
    onFile(st.file);
  };

  const onMessage = (m: FromWorker): void => {
    const st = states[m.task];
    if (!st || st.settled) return;
    if (m.kind === 'done') {
      // Nothing complete was read (a partial line, an emptied file), or reading failed: this thread
      // does the file itself, which records what such a file needs and meets any error properly.
      settle(st, m.failed !== null || !st.progressed);
      return;
    }
    tx.begin();
    const chunk = unpackChunk(m.chunk);
    if (st.reset) imp.stats.filesReset++;
    if (imp.applyParsed(st.file.path, st.file.stat, chunk, st.reset, st.badTotal) === 'raced') {
      // Another process got there first: read the rest here, from where it got to.
      settle(st, true);
    } else {
      st.progressed = true;
      st.reset = false;
      st.badTotal += chunk.bad;
    }
    tx.maybeCommit();
  };

  let received = 0;
  const drain = (): boolean => {
    let any = false;
    for (const port of ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        any = true;
        received++;
        onMessage(m.message as FromWorker);
      }
    }
    return any;
  };

  try {
    // storeOnly (for tests): this thread claims no file, so the readers do them all.
    let claiming = opts.storeOnly !== true;
    let quietSince = performance.now();
    // Done when every file is stored: a reader that never started (or claimed nothing) is not waited for.
    while (claiming || unsettled > 0) {
      if (drain()) {
        quietSince = performance.now();
        continue;
      }
      if (claiming) {
        const i = claim(sig, true);
        const st = states[i];
        if (st === undefined) {
          claiming = false;
          continue;
        }
        tx.begin();
        settle(st, true);
        tx.maybeCommit();
        continue;
      }
      // Nothing to store and nothing left to claim: wait for the readers. A commit writes every page the
      // group dirtied, so it is not done on each short wait (the readers post every few ms), only once
      // a wait lasts: then others may write while the readers work.
      tx.maybeCommit();
      if (Atomics.wait(sig, SIG_POSTED, received, IDLE_COMMIT_MS) === 'timed-out') {
        tx.commit();
        if (performance.now() - quietSince > (opts.stallMs ?? STALL_MS)) break;
      }
    }
  } finally {
    readers.stop();
  }
  // Whatever a reader claimed and did not finish (it failed, or fell silent) is read here.
  for (const st of states) {
    if (st.settled) continue;
    tx.begin();
    settle(st, true);
    tx.maybeCommit();
  }
}
