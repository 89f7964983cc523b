// Preload (node --import) for tests: moves this process's wall clock by CCGUARD_TEST_CLOCK_SHIFT_MS,
// as a clock set back or forward between two hooks would. Date.now() and `new Date()` both move;
// performance.now() (durations) does not.
const shift = Number(process.env.CCGUARD_TEST_CLOCK_SHIFT_MS ?? '0');
if (Number.isFinite(shift) && shift !== 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + shift);
      else super(...args);
    }
    static now() {
      return realNow() + shift;
    }
  }
  globalThis.Date = ShiftedDate;
}
