import type { MessagePort } from 'node:worker_threads';
import type { PackedChunk } from './packing.ts';

/** One file for a reading thread: read from `from` to `size`, the head hash known so far. */
export interface ReadTask {
  path: string;
  from: number;
  size: number;
  head: string | null;
}

export interface WorkerInput {
  /** Int32 slots shared by all threads, indexed by the SIG_ constants. */
  signals: SharedArrayBuffer;
  /** Both ways: the task list in, chunks out (read synchronously with receiveMessageOnPort). */
  port: MessagePort;
  /** The user's TZ variable: limit messages that name no zone are read in it. */
  tz: string | undefined;
}

/** Held while a thread claims a task. */
export const SIG_LOCK = 0;
/** Readers claim tasks from the front (the largest files)... */
export const SIG_FRONT = 1;
/** ...the storing thread from the back (the smallest), so it is never long away from storing. */
export const SIG_BACK = 2;
/** Messages posted so far: the storing thread sleeps on it while it has nothing to do. */
export const SIG_POSTED = 3;
/** 1 once the task list is posted, 2 when the readers are to stop: readers sleep on it until then. */
export const SIG_STATE = 4;
export const SIGNAL_SLOTS = 5;

export const STATE_TASKS = 1;
export const STATE_STOP = 2;

/** Takes the next task from the front or the back of the list, or -1 when none is left. */
export function claim(sig: Int32Array, fromBack: boolean): number {
  // Claims are per file, so a spin lock held for a few instructions costs nothing measurable.
  while (Atomics.compareExchange(sig, SIG_LOCK, 0, 1) !== 0);
  const front = Atomics.load(sig, SIG_FRONT);
  const back = Atomics.load(sig, SIG_BACK);
  let i = -1;
  if (front < back) {
    if (fromBack) {
      i = back - 1;
      Atomics.store(sig, SIG_BACK, i);
    } else {
      i = front;
      Atomics.store(sig, SIG_FRONT, front + 1);
    }
  }
  Atomics.store(sig, SIG_LOCK, 0);
  return i;
}

export type ToWorker = { kind: 'tasks'; tasks: ReadTask[] };

export type FromWorker =
  | { kind: 'chunk'; task: number; chunk: PackedChunk }
  /** The task's last message; `failed` when reading stopped on an error. */
  | { kind: 'done'; task: number; failed: string | null };
