import { test } from 'node:test';
import assert from 'node:assert/strict';
import { esc, linear, niceStep, ticks } from '../../lib/report/svg.ts';
import { fmtDuration, fmtTokens, fmtUsdShort } from '../../lib/util/format.ts';
import { renderHtml } from '../../lib/report/html.ts';
import type { FullReport } from '../../lib/report/data.ts';
import { dailyChart, FRAMES } from '../../lib/report/charts.ts';

test('ticks: nice steps from zero to at least the maximum', () => {
  assert.deepEqual(ticks(150_000 * 1.08, 5), [0, 50_000, 100_000, 150_000, 200_000]);
  assert.deepEqual(ticks(8.6, 4), [0, 2.5, 5, 7.5, 10]);
  assert.deepEqual(ticks(0, 4), [0, 1]);
  assert.equal(niceStep(95, 4), 25);
  assert.equal(linear(0, 10, 100, 0)(2.5), 75);
});

test('labels: tokens, money, durations', () => {
  assert.equal(fmtTokens(950), '950');
  assert.equal(fmtTokens(1500), '1.5k');
  assert.equal(fmtTokens(88_000), '88k');
  assert.equal(fmtTokens(1_250_000), '1.25M');
  assert.equal(fmtTokens(50_953_373), '51M');
  assert.equal(fmtUsdShort(3.194), '$3.19');
  assert.equal(fmtUsdShort(12.34), '$12.3');
  assert.equal(fmtUsdShort(123.5), '$124');
  assert.equal(fmtDuration(45_000, 'short'), '45s');
  assert.equal(fmtDuration(3 * 3_600_000 + 5 * 60_000, 'short'), '3h 05m');
});

test('text from the database is escaped wherever it lands', () => {
  assert.equal(esc(`<b a="1">'&'</b>`), '&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;');
  const now = Date.parse('2026-11-24T12:00:00Z');
  const evil = '<script>alert(1)</script>"><img src=x>';
  const r: FullReport = {
    version: 1,
    generated_at: new Date(now).toISOString(),
    time_zone: 'UTC',
    window: { since: '2026-11-18T00:00:00.000Z', until: new Date(now).toISOString(), days: 7 },
    limit: { tokens: 1000, source: 'config' },
    usage: { window: 'five_hour', used_share: 0.5, source: evil, confidence: 'official', reset_at: null },
    recovery: { state: 'normal', reason: null, until: null, source: 'local:config', backoff: null, session_pauses: [] },
    waiting: [
      {
        session_id: evil,
        kind: 'deferred',
        since: new Date(now).toISOString(),
        folder: evil,
        tool: evil,
        tool_use_id: null,
        reason: evil,
        hold_until: null,
        resume_command: evil,
      },
    ],
    current_block: null,
    blocks: [],
    weekly: {
      limit_tokens: 0,
      total_tokens: 0,
      cost_usd: 0,
      blocks: 0,
      blocks_over_limit: 0,
      first_block_before_window: false,
      server: null,
      limit_messages: [],
    },
    totals: { entries: 1, limit_tokens: 10, total_tokens: 10, cost_usd: 1, sessions: 1 },
    daily: [],
    projects: [{ project: evil, sessions: 1, entries: 1, limit_tokens: 10, total_tokens: 10, cost_usd: 1 }],
    models: [{ model: evil, entries: 1, limit_tokens: 10, total_tokens: 10, cost_usd: 1, cost_share: 1 }],
    timeline: {
      items: [
        {
          t: new Date(now).toISOString(),
          kind: 'deny',
          session_id: evil,
          origin: 'PreToolUse',
          tool: evil,
          text: evil,
          until: null,
        },
      ],
      total: 1,
      truncated: false,
    },
    sessions: {
      items: [
        {
          session_id: evil,
          project: evil,
          started_at: new Date(now).toISOString(),
          last_activity_at: new Date(now).toISOString(),
          duration_ms: 0,
          entries: 1,
          limit_tokens: 10,
          total_tokens: 10,
          cost_usd: 1,
          models: [],
          decisions: { [evil]: 1 },
        },
      ],
      total: 1,
      truncated: false,
    },
  };
  const html = renderHtml(r);
  assert.equal((html.match(/<script>/g) ?? []).length, 1, 'only our own script');
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test('the daily cost axis: distinct labels in whole cents, $0 to $1 when nothing was spent', () => {
  const labels = (days: { cost_usd: number }[]): string[] => {
    const svg = dailyChart(
      days.map((d, i) => ({ date: `2026-12-0${i + 1}`, entries: 1, limit_tokens: 1, total_tokens: 1, ...d })),
      FRAMES.daily.wide,
    );
    return [...svg.matchAll(/<text class="tick"[^>]*>(\$[^<]*)</g)].map((m) => m[1]!);
  };
  const none = labels([{ cost_usd: 0 }, { cost_usd: 0 }]);
  assert.equal(none[0], '$0');
  assert.equal(none.at(-1), '$1');
  for (const set of [
    none,
    labels([{ cost_usd: 0.003 }]),
    labels([{ cost_usd: 0.01 }, { cost_usd: 0 }]),
    labels([{ cost_usd: 78 }]),
  ]) {
    assert.equal(new Set(set).size, set.length, `distinct: ${set.join(', ')}`);
  }
});
