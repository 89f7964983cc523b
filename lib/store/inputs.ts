// The one way to change what a decision rests on: pauses, backoff, holds, resumes, server readings
// from any source and claude-monitor snapshots are written inside `store.write`, and the cached
// decisions of every session are voided as soon as its transaction commits. The tables that hold
// those inputs report each write to the store (`inputsChanged`), so a write cannot slip past: one
// made outside `store.write` is flushed when the store closes. (A config edit voids them too: the
// fast path compares the config file's mtime.)
import type { Store } from './store.ts';

/** `store.write`, by the name the hook runner knows it by. */
export function commitInputs<T>(store: Store, fn: () => T): T {
  return store.write(fn);
}
