// A reading thread of a large import (dist/import/lib/transcripts/parseWorker.js): it waits for the task
// list, claims files from it, reads and parses them, and posts each chunk's records to the thread that
// stores them. It never touches the database; see lib/transcripts/parallel.ts for the protocol.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { parseLine } from './line.ts';
import { parseChunks } from './chunks.ts';
import { packChunk } from './packing.ts';
import { withFd } from './fileBytes.ts';
import { localTimeZone } from '../util/time.ts';
import {
  claim,
  SIG_POSTED,
  SIG_STATE,
  STATE_STOP,
  STATE_TASKS,
  type FromWorker,
  type ToWorker,
  type WorkerInput,
} from './parallelProtocol.ts';

const input = workerData as WorkerInput;
const sig = new Int32Array(input.signals);
const timeZone = localTimeZone({ TZ: input.tz });
const port = input.port;

function post(m: FromWorker): void {
  port.postMessage(m, m.kind === 'chunk' ? [m.chunk.nums.buffer] : []);
  Atomics.add(sig, SIG_POSTED, 1);
  Atomics.notify(sig, SIG_POSTED);
}

// Started before the storing thread knows what there is to read: this thread loads its code meanwhile.
while (Atomics.load(sig, SIG_STATE) === 0) Atomics.wait(sig, SIG_STATE, 0, 1000);

if (Atomics.load(sig, SIG_STATE) === STATE_TASKS) {
  const tasks = (receiveMessageOnPort(port)?.message as ToWorker | undefined)?.tasks ?? [];
  for (let i = claim(sig, false); i >= 0 && Atomics.load(sig, SIG_STATE) !== STATE_STOP; i = claim(sig, false)) {
    const task = tasks[i];
    if (task === undefined) break;
    let failed: string | null = null;
    try {
      withFd(task.path, (fd) => {
        for (const c of parseChunks(fd, task.path, task.from, task.size, task.head, parseLine, timeZone)) {
          post({ kind: 'chunk', task: i, chunk: packChunk(c) });
        }
      });
    } catch (err) {
      // The storing thread reads this file again itself, and meets (and handles) the same error.
      failed = err instanceof Error ? err.message : String(err);
    }
    post({ kind: 'done', task: i, failed });
  }
}
