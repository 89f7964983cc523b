// Preload (node --import) that pins the wall clock for the README's examples: Date.now() and
// `new Date()` start at CCGUARD_FIXED_NOW (ms) and advance by one millisecond each time the clock is
// read, never with the real time: a projection to the reset (tokens per minute times the minutes
// left) must not depend on how long a busy machine took to get there, yet a loop that waits for a
// deadline still reaches it. Timers and performance.now() are left alone. Used by
// scripts/readme-examples.ts only.
const fixed = Number(process.env.CCGUARD_FIXED_NOW ?? '');
if (Number.isFinite(fixed) && fixed > 0) {
  const RealDate = Date;
  let reads = 0;
  const now = () => fixed + reads++;
  class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  globalThis.Date = FixedDate;
}
