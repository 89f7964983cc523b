// Preload (node --import) that pins the wall clock for the README's examples: Date.now() and
// `new Date()` start at CCGUARD_FIXED_NOW (ms) and advance with the real time this process runs, so
// every example shows the same day and clock times on every run. Timers and performance.now() are
// left alone. Used by scripts/readme-examples.ts only.
const fixed = Number(process.env.CCGUARD_FIXED_NOW ?? '');
if (Number.isFinite(fixed) && fixed > 0) {
  const RealDate = Date;
  const start = RealDate.now();
  const now = () => fixed + (RealDate.now() - start);
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
