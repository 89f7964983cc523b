import { test } from 'node:test';
import { inZone } from '../helpers/zone.ts';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';
import {
  addLocalDays,
  HOUR_MS,
  iso,
  isoOrNull,
  localDateStart,
  localDayKey,
  localDaySpans,
  localTimeZone,
  localWindowStart,
  localZoneName,
  parseInstant,
  startOfLocalDay,
} from '../../lib/util/time.ts';
import { dailyReport } from '../../lib/usage/reports.ts';

const at = (s: string): number => Date.parse(s);

test('instants: ISO in and out', () => {
  assert.equal(iso(at('2026-11-24T14:05:00Z')), '2026-11-24T14:05:00.000Z');
  assert.equal(isoOrNull(null), null);
  assert.equal(isoOrNull(undefined), null);
  assert.equal(isoOrNull(0), '1970-01-01T00:00:00.000Z');
  const cases: [string | null | undefined, number | null][] = [
    ['2026-11-24T14:05:00.000Z', at('2026-11-24T14:05:00Z')],
    ['not a time', null],
    ['', null],
    [null, null],
    [undefined, null],
  ];
  for (const [s, want] of cases) assert.equal(parseInstant(s), want, String(s));
});

test("the local zone's name: TZ when it names one, else the system's", () => {
  assert.equal(localZoneName({ TZ: 'Asia/Kolkata' }), 'Asia/Kolkata');
  assert.equal(
    inZone('America/New_York', () => localZoneName({})),
    'America/New_York',
  );
  assert.equal(
    inZone('Europe/Berlin', () => localZoneName({ TZ: ':/etc/localtime' })),
    'Europe/Berlin',
  );
  const lazy = localTimeZone({ TZ: 'Asia/Seoul' });
  assert.equal(lazy(), 'Asia/Seoul');
});

test('local days follow the process TZ, across clock changes', () => {
  interface Case {
    tz: string;
    t: string;
    day: string;
    midnight: string;
    next: string;
  }
  const cases: Case[] = [
    {
      tz: 'UTC',
      t: '2026-11-24T09:05:00Z',
      day: '2026-11-24',
      midnight: '2026-11-24T00:00:00Z',
      next: '2026-11-25T00:00:00Z',
    },
    // Half an hour past an Indian midnight is the evening before in UTC.
    {
      tz: 'Asia/Kolkata',
      t: '2026-11-23T19:00:00Z',
      day: '2026-11-24',
      midnight: '2026-11-23T18:30:00Z',
      next: '2026-11-24T18:30:00Z',
    },
    {
      tz: 'Asia/Kolkata',
      t: '2026-11-23T18:00:00Z',
      day: '2026-11-23',
      midnight: '2026-11-22T18:30:00Z',
      next: '2026-11-23T18:30:00Z',
    },
    // New York's clocks go back on 1 November 2026 (a 25-hour day) and forward on 8 March (23 hours).
    {
      tz: 'America/New_York',
      t: '2026-11-01T12:00:00Z',
      day: '2026-11-01',
      midnight: '2026-11-01T04:00:00Z',
      next: '2026-11-02T05:00:00Z',
    },
    {
      tz: 'America/New_York',
      t: '2026-03-08T12:00:00Z',
      day: '2026-03-08',
      midnight: '2026-03-08T05:00:00Z',
      next: '2026-03-09T04:00:00Z',
    },
  ];
  for (const c of cases) {
    inZone(c.tz, () => {
      const t = at(c.t);
      assert.equal(localDayKey(t), c.day, `${c.tz} ${c.t}`);
      assert.equal(iso(startOfLocalDay(t)), iso(at(c.midnight)), `${c.tz} midnight`);
      assert.equal(iso(addLocalDays(t, 1)), iso(at(c.next)), `${c.tz} next midnight`);
      assert.equal(iso(localWindowStart(at(c.next) + 1, 2)), iso(at(c.midnight)), `${c.tz} 2-day window`);
      const [y, m, d] = c.day.split('-').map(Number) as [number, number, number];
      assert.equal(localDateStart(y, m, d), at(c.midnight), `${c.tz} ${c.day} from its parts`);
    });
  }
  assert.equal(localDateStart(2026, 2, 30), null);
  assert.equal(localDateStart(2026, 13, 1), null);
});

test('a span cut at local midnights: pieces cover it exactly, one per local day', () => {
  inZone('America/New_York', () => {
    const from = at('2026-10-31T16:00:00Z'); // noon, Saturday 31 October
    const to = at('2026-11-02T17:00:00Z'); // noon, Monday 2 November (EST by then)
    const spans = localDaySpans(from, to);
    assert.deepEqual(
      spans.map((s) => [s.date, (s.end - s.start) / HOUR_MS]),
      [
        ['2026-10-31', 12],
        ['2026-11-01', 25],
        ['2026-11-02', 12],
      ],
    );
    assert.equal(spans[0]!.start, from);
    assert.equal(spans.at(-1)!.end, to);
    for (let i = 1; i < spans.length; i++) assert.equal(spans[i]!.start, spans[i - 1]!.end);
  });
  assert.deepEqual(localDaySpans(10, 10), []);
});

test("daily rows count each response on its local day in the process's zone, not SQLite's", (t) => {
  const store = tmpStore(t);
  const entry = (key: string, ts: string, model: string) =>
    store.entries.upsert({
      key,
      ts: at(ts),
      session_id: 's',
      project: '/p',
      model,
      input: 100,
      output: 10,
      cache_write_5m: 0,
      cache_write_1h: 0,
      cache_read: 0,
      cost_usd: 0.5,
      cost_estimated: 0,
      file_path: '/p/s.jsonl',
    });
  entry('a', '2026-11-23T18:00:00Z', 'claude-opus-4'); // 23:30 on the 23rd in India; the 23rd in UTC
  entry('b', '2026-11-23T19:00:00Z', 'claude-sonnet-4'); // 00:30 on the 24th in India; still the 23rd in UTC
  entry('c', '2026-11-24T12:00:00Z', 'claude-opus-4');
  const days = (tz: string) =>
    inZone(tz, () =>
      dailyReport(store, { since: Number.MIN_SAFE_INTEGER, until: Number.MAX_SAFE_INTEGER }).map((d) => [
        d.date,
        d.entries,
        d.models.join('+'),
      ]),
    );
  assert.deepEqual(days('UTC'), [
    ['2026-11-23', 2, 'claude-opus-4+claude-sonnet-4'],
    ['2026-11-24', 1, 'claude-opus-4'],
  ]);
  assert.deepEqual(days('Asia/Kolkata'), [
    ['2026-11-23', 1, 'claude-opus-4'],
    ['2026-11-24', 2, 'claude-opus-4+claude-sonnet-4'],
  ]);
});
