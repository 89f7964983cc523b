import { test } from 'node:test';
import { inZone } from '../helpers/zone.ts';
import assert from 'node:assert/strict';
import {
  fmtAt,
  fmtClock,
  fmtDateTime,
  fmtDay,
  fmtDuration,
  fmtInt,
  fmtMb,
  fmtPct,
  fmtPctTenths,
  fmtTokens,
  fmtUsd,
  fmtUsdAxis,
  fmtUsdShort,
  fmtWeekday,
  fmtWhen,
  type DurationStyle,
} from '../../lib/util/format.ts';

const S = 1000;
const MIN = 60_000;
const H = 3_600_000;

test('numbers', () => {
  const cases: [(v: number) => string, number, string][] = [
    [fmtInt, 0, '0'],
    [fmtInt, 999, '999'],
    [fmtInt, 1234, '1,234'],
    [fmtInt, 1_234_567.6, '1,234,568'],
    [fmtInt, -1234, '-1,234'],
    [fmtInt, -0.4, '0'],
    [fmtTokens, 950, '950'],
    [fmtTokens, 1500, '1.5k'],
    [fmtTokens, 2000, '2k'],
    [fmtTokens, 88_000, '88k'],
    [fmtTokens, 1_250_000, '1.25M'],
    [fmtTokens, 50_953_373, '51M'],
    [fmtUsd, 1.234, '$1.23'],
    [fmtUsd, 0, '$0.00'],
    [fmtUsdShort, 3.194, '$3.19'],
    [fmtUsdShort, 12.34, '$12.3'],
    [fmtUsdShort, 123.5, '$124'],
    [fmtUsdAxis, 0, '$0'],
    [fmtUsdAxis, 2.5, '$2.5'],
    [fmtUsdAxis, 0.25, '$0.25'],
    [fmtUsdAxis, 10, '$10'],
    [fmtPct, 0.42, '42%'],
    [fmtPct, 0.976, '98%'],
    [fmtPct, 1.5, '150%'],
    [fmtPctTenths, 0.42, '42.0%'],
    [fmtPctTenths, 0.976, '97.6%'],
    [fmtMb, 12_345_678, '12.3 MB'],
    [fmtMb, 0, '0.0 MB'],
  ];
  for (const [f, v, want] of cases) assert.equal(f(v), want, `${f.name}(${v})`);
});

test('spans of time: each style keeps its text', () => {
  const cases: [DurationStyle, number, string][] = [
    ['wait', 0, '1s'],
    ['wait', 1500, '2s'],
    ['wait', 89 * S, '89s'],
    ['wait', 90 * S, '2 min'],
    ['wait', 30 * MIN, '30 min'],
    ['wait', 89 * MIN, '89 min'],
    ['wait', 90 * MIN, '1h 30m'],
    ['wait', 5 * H + 2 * MIN, '5h 02m'],
    ['hm', -5 * S, '0m'],
    ['hm', 29 * S, '0m'],
    ['hm', 30 * S, '1m'],
    ['hm', 45 * MIN, '45m'],
    ['hm', 2 * H + 5 * MIN, '2h 05m'],
    ['short', 45 * S, '45s'],
    ['short', 90 * S, '2m'],
    ['short', 45 * MIN, '45m'],
    ['short', 3 * H + 5 * MIN, '3h 05m'],
    ['countdown', -5, '0:00'],
    ['countdown', 9_001, '0:10'],
    ['countdown', 10 * MIN, '10:00'],
    ['countdown', 3_723_000, '1:02:03'],
    ['span', 45 * S, '45 s'],
    ['span', 30_500, '30.5 s'],
    ['span', 10 * MIN, '10 min'],
    ['span', 90 * MIN, '90 min'],
    ['span', 2 * H, '2 h'],
    ['span', 2.5 * H, '2.5 h'],
    ['age', 27_400, '27s'],
    ['age', 10 * MIN, '10 min'],
    ['age', 3 * H, '3.0 h'],
  ];
  for (const [style, ms, want] of cases) assert.equal(fmtDuration(ms, style), want, `${style} ${ms}`);
});

test('clock times and dates are in the local zone: the process TZ', () => {
  const t = Date.parse('2026-11-24T09:05:00Z');
  const cases: [string, [string, string, string, string, string]][] = [
    ['UTC', ['09:05', '2026-11-24 09:05', 'Tue', 'Tue 24', 'Tue 24 Nov, 09:05']],
    ['Asia/Kolkata', ['14:35', '2026-11-24 14:35', 'Tue', 'Tue 24', 'Tue 24 Nov, 14:35']],
    ['America/Los_Angeles', ['01:05', '2026-11-24 01:05', 'Tue', 'Tue 24', 'Tue 24 Nov, 01:05']],
    ['Pacific/Kiritimati', ['23:05', '2026-11-24 23:05', 'Tue', 'Tue 24', 'Tue 24 Nov, 23:05']],
    ['Pacific/Pago_Pago', ['22:05', '2026-11-23 22:05', 'Mon', 'Mon 23', 'Mon 23 Nov, 22:05']],
  ];
  for (const [tz, want] of cases) {
    const got = inZone(tz, () => [fmtClock(t), fmtDateTime(t), fmtWeekday(t), fmtDay(t), fmtWhen(t)]);
    assert.deepEqual(got, want, tz);
  }
});

test('fmtAt: a moment today is its clock; any other day carries the day (weekday within six days, else the date)', () => {
  // TZ=UTC for the suite; Mon 7 Dec 2026 18:40.
  const now = Date.UTC(2026, 11, 7, 18, 40);
  assert.equal(fmtAt(Date.UTC(2026, 11, 7, 20, 30), now), '20:30');
  assert.equal(fmtAt(Date.UTC(2026, 11, 7, 0, 5), now), '00:05', 'earlier today');
  assert.equal(fmtAt(Date.UTC(2026, 11, 8, 0, 5), now), 'Tue 00:05', 'past midnight is tomorrow, never a bare clock');
  assert.equal(fmtAt(Date.UTC(2026, 11, 11, 20, 30), now), 'Fri 20:30');
  assert.equal(fmtAt(Date.UTC(2026, 11, 6, 23, 0), now), 'Sun 23:00', 'yesterday');
  assert.equal(fmtAt(Date.UTC(2026, 11, 14, 9, 0), now), 'Mon 14 Dec, 09:00', 'a week off: the date');
});
