import type { TestContext } from 'node:test';

// Cleanups of a test, run last-in first-out (node:test runs t.after hooks in the order registered):
// what a test starts last (a CLI, a job) is stopped before what it depends on (a mock, its HOME) goes.
const stacks = new WeakMap<TestContext, (() => unknown)[]>();

/** Registers `fn` to run when the test ends, before every cleanup registered earlier through this. */
export function onCleanup(t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const s: (() => unknown)[] = [];
    stack = s;
    stacks.set(t, s);
    t.after(async () => {
      for (const f of s.reverse()) {
        try {
          await f();
        } catch (e) {
          t.diagnostic(`cleanup failed: ${(e as Error).message}`);
        }
      }
    });
  }
  stack.push(fn);
}
