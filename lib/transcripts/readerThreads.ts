import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { ReaderOptions } from './readerThreadOptions.ts';
import {
  SIGNAL_SLOTS,
  SIG_BACK,
  SIG_STATE,
  STATE_STOP,
  STATE_TASKS,
  type ReadTask,
  type ToWorker,
  type WorkerInput,
} from './parallelProtocol.ts';

/** Reading threads, started and waiting for their task list. */
export interface Readers {
  readonly sig: Int32Array;
  readonly ports: readonly MessagePort[];
  /** Hands every reader the same list; they claim from it (see parallelProtocol.ts). */
  assign(tasks: ReadTask[]): void;
  /** Ends the readers, whatever they are doing; what they posted and was not read is dropped. */
  stop(): void;
}

export function startReaders(opts: ReaderOptions): Readers {
  const signals = new SharedArrayBuffer(SIGNAL_SLOTS * 4);
  const sig = new Int32Array(signals);
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  for (let w = 0; w < opts.threads; w++) {
    const { port1, port2 } = new MessageChannel();
    const input: WorkerInput = { signals, port: port2, tz: opts.tz };
    try {
      const worker = new Worker(opts.script, { workerData: input, transferList: [port2], stdout: true, stderr: true });
      // Never what keeps the process alive, and a failure shows as silence (see importParallel).
      worker.unref();
      worker.on('error', () => undefined);
      workers.push(worker);
      ports.push(port1);
    } catch {
      port1.close();
    }
  }
  return {
    sig,
    ports,
    assign(tasks) {
      Atomics.store(sig, SIG_BACK, tasks.length);
      const m: ToWorker = { kind: 'tasks', tasks };
      for (const p of ports) p.postMessage(m);
      Atomics.store(sig, SIG_STATE, STATE_TASKS);
      Atomics.notify(sig, SIG_STATE);
    },
    stop() {
      Atomics.store(sig, SIG_STATE, STATE_STOP);
      Atomics.notify(sig, SIG_STATE);
      for (const w of workers) void w.terminate();
      for (const p of ports) p.close();
    },
  };
}

let early: { opts: ReaderOptions; readers: Readers } | undefined;

/**
 * Starts the readers at the very start of a command that will import in bulk, so that their own
 * start-up (a thread, Node, the parser) overlaps this thread's (config, database, listing
 * the folders). `takeReaders` hands them to the import.
 */
export function startReadersEarly(opts: ReaderOptions): void {
  early ??= { opts, readers: startReaders(opts) };
}

/** The readers started early for these options, or new ones. */
export function takeReaders(opts: ReaderOptions): Readers {
  const e = early;
  early = undefined;
  if (e && e.opts.script === opts.script && e.opts.threads === opts.threads && e.opts.tz === opts.tz) return e.readers;
  e?.readers.stop();
  return startReaders(opts);
}

/** Readers started early and not taken (the import had too little to read) are ended. */
export function dropEarlyReaders(): void {
  early?.readers.stop();
  early = undefined;
}
