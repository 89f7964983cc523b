// The one way to change what a decision rests on: pauses, backoff, holds, resumes, server readings
// from any source and claude-monitor snapshots are written inside `commitInputs`, and the leases of
// every session are voided as soon as the transaction commits (server readings: published for each
// lease to check against its bounds, see generation.ts). The tables that hold
// those inputs report each write to the store (`inputsChanged`), so a write cannot slip past: one
// made outside `commitInputs` is flushed when the store closes. (A config edit voids them too: the
// fast path compares the config file's mtime.)
import { flushInputs, type Store } from './store.ts';

/** Runs `fn` in an immediate transaction; once it commits, cached decisions made before it are void. */
export function commitInputs<T>(store: Store, fn: () => T): T {
  const out = store.db.transaction(fn).immediate();
  flushInputs(store);
  return out;
}
