import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ccguard } from '../helpers/cli.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { makeHistory, LIMIT } from '../helpers/history.ts';
import { chartSvg, elements, section } from '../helpers/html.ts';
import type { FullReport } from '../../lib/report/data.ts';

const num = (s: string | undefined): number => {
  assert.ok(s !== undefined, 'attribute present');
  return Number(s);
};

test('report --html --json: every number drawn equals the JSON of the same run; the page is self-contained', (t) => {
  const h = makeHistory(t);
  // Real hook runs on top of the generated history: a tool call in the near-limit block, a rate limit.
  const cur = h.currentSessions[0]!;
  assert.equal(h.env.run('PreToolUse', h.env.input('PreToolUse', cur, { tool_name: 'Bash' })).code, 0);
  assert.equal(h.env.run('StopFailure', h.env.input('StopFailure', cur, { error: 'rate_limit' })).code, 0);

  const out = join(h.env.home, 'page.html');
  const r = ccguard(['report', '--html', '--json', '--out', out], h.env.env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim(), out, 'with --json the path goes to stderr');
  const rep = JSON.parse(r.stdout) as FullReport;
  const html = readFileSync(out, 'utf8');

  // Self-contained: no references to anything outside the file.
  assert.doesNotMatch(html, /https?:\/\//, 'no http(s) URLs');
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i, 'no external scripts');
  assert.doesNotMatch(html, /<link\b/i, 'no linked stylesheets, fonts or icons');
  assert.doesNotMatch(html, /@import|url\(/i, 'no CSS imports or url()');
  assert.doesNotMatch(html, /<(img|iframe|object|embed)\b/i, 'no embedded resources');
  assert.equal((html.match(/<script>/g) ?? []).length, 1, 'one inline script');

  // The history is what we generated.
  assert.equal(rep.limit.tokens, LIMIT);
  assert.equal(rep.daily.length, 7);
  assert.equal(rep.projects.length, 3);
  assert.deepEqual(rep.models.map((m) => m.model).sort(), [
    'claude-haiku-4-5-20251001',
    'claude-opus-4-5-20251101',
    'claude-sonnet-4-5-20250929',
  ]);
  assert.ok(rep.sessions.total >= 8, `${rep.sessions.total} sessions`);
  const cb = rep.current_block!;
  assert.ok(cb.is_active);
  assert.ok(cb.used_share > 0.7 && cb.used_share < 0.95, `used ${cb.used_share}`);
  for (const k of ['warn', 'delay', 'deny', 'pause'] as const)
    assert.ok(
      cb.markers.some((m) => m.kind === k),
      `a ${k} marker`,
    );
  assert.ok(
    cb.bands.some((b) => b.kind === 'pause'),
    'the pause band',
  );
  assert.ok(
    cb.bands.some((b) => b.kind === 'backoff'),
    'the backoff from StopFailure',
  );
  const kinds = new Set(rep.timeline.items.map((e) => e.kind));
  for (const k of ['warn', 'delay', 'deny', 'pause', 'resume', 'notify', 'rate_limit', 'limit_message', 'backoff'])
    assert.ok(kinds.has(k as never), `timeline has ${k}`);
  assert.ok(!rep.timeline.items.some((e) => (e.kind as string) === 'allow'), 'silent allows are left out');
  assert.equal(rep.weekly.limit_messages.length, 1);
  assert.ok(
    rep.blocks.some((b) => b.share >= 1),
    'a block over the limit',
  );

  for (const variant of ['wide', 'narrow'] as const) {
    // (a) the current block.
    const block = chartSvg(html, 'block', variant);
    const pts = elements(block, 'circle', 'pt');
    assert.equal(pts.length, cb.series.length);
    pts.forEach((p, i) => {
      assert.equal(p['data-t'], cb.series[i]!.t);
      assert.equal(num(p['data-tokens']), cb.series[i]!.tokens);
    });
    assert.equal(num(elements(block, 'path', 'usage')[0]?.['data-points']), cb.series.length);
    assert.equal(num(elements(block, 'line', 'limit')[0]?.['data-tokens']), LIMIT);
    assert.equal(num(elements(block, 'line', 'projection')[0]?.['data-tokens']), cb.projection_line![1].tokens);
    const marks = elements(block, 'g', 'marker');
    assert.deepEqual(
      marks.map((m) => [m['data-kind'], m['data-t'], num(m['data-count'])]),
      cb.markers.map((m) => [m.kind, m.t, m.count]),
    );
    assert.equal(elements(block, 'rect', 'band').length, cb.bands.length);

    // (b) the last 7 days of blocks.
    const bars = elements(chartSvg(html, 'blocks', variant), 'rect', 'bar');
    assert.deepEqual(
      bars.map((b) => [b['data-start'], num(b['data-tokens']), num(b['data-cost'])]),
      rep.blocks.map((b) => [b.start, b.limit_tokens, b.cost_usd]),
    );

    // (c) cost per day.
    const days = elements(chartSvg(html, 'daily', variant), 'rect', 'bar');
    assert.deepEqual(
      days.map((d) => [d['data-date'], num(d['data-cost']), num(d['data-tokens'])]),
      rep.daily.map((d) => [d.date, d.cost_usd, d.limit_tokens]),
    );
  }
  const daily = section(html, 'daily');
  for (const d of rep.daily.filter((x) => x.cost_usd > 0)) {
    const label =
      d.cost_usd < 10
        ? `$${d.cost_usd.toFixed(2)}`
        : d.cost_usd < 100
          ? `$${d.cost_usd.toFixed(1)}`
          : `$${Math.round(d.cost_usd)}`;
    assert.ok(daily.includes(`>${label}<`), `label ${label} for ${d.date}`);
  }
  // ... per project, and the model mix.
  assert.deepEqual(
    elements(section(html, 'projects'), 'div', 'bar').map((p) => [
      p['data-project'],
      num(p['data-cost']),
      num(p['data-tokens']),
    ]),
    rep.projects.map((p) => [p.project, p.cost_usd, p.limit_tokens]),
  );
  for (const p of rep.projects) assert.ok(section(html, 'projects').includes(`$${p.cost_usd.toFixed(2)}`));
  assert.deepEqual(
    elements(section(html, 'models'), 'tr', 'model').map((m) => [m['data-model'], num(m['data-cost'])]),
    rep.models.map((m) => [m.model, m.cost_usd]),
  );

  // (d) the timeline: one row per item, newest first, with session and kind for the filter.
  const rows = [...section(html, 'timeline-card').matchAll(/<tr data-kind="([^"]+)" data-session="([^"]*)"/g)].map(
    (m) => [m[1], m[2]],
  );
  assert.deepEqual(
    rows,
    rep.timeline.items.map((e) => [e.kind, e.session_id ?? '']),
  );
  const options = [...section(html, 'timeline-card').matchAll(/<option value="([^"]+)">/g)].map((m) => m[1]);
  for (const s of new Set(rep.timeline.items.map((e) => e.session_id).filter(Boolean)))
    assert.ok(options.includes(s!), `filter offers ${s}`);

  // (e) sessions with cost and decisions.
  const sess = section(html, 'sessions-card');
  const srows = [...sess.matchAll(/<tr[^>]* data-session="([^"]+)" data-cost="([^"]+)" data-tokens="([^"]+)"/g)].map(
    (m) => [m[1], Number(m[2]), Number(m[3])],
  );
  assert.deepEqual(
    srows,
    rep.sessions.items.map((s) => [s.session_id, s.cost_usd, s.limit_tokens]),
  );
  const withDecisions = rep.sessions.items.find((s) => s.session_id === cur)!;
  assert.ok(
    (withDecisions.decisions.delay ?? 0) >= 3 && (withDecisions.decisions.warn ?? 0) >= 1,
    JSON.stringify(withDecisions.decisions),
  );
  for (const [k, v] of Object.entries(withDecisions.decisions)) {
    assert.ok(sess.includes(`data-decision="${k}" data-count="${v}"`), `${k} ${v} shown`);
  }

  // Header tiles.
  assert.match(html, new RegExp(`data-tokens="${cb.limit_tokens}" data-limit="${LIMIT}"`));
  assert.match(html, new RegExp(`data-state="${rep.recovery.state}"`));
});

test('report --json alone: the combined object, the same numbers a page drawn a moment later shows; report blocks --json unchanged', async (t) => {
  const h = makeHistory(t);
  const j = ccguard(['report', '--json'], h.env.env);
  assert.equal(j.code, 0, j.stderr);
  const rep = JSON.parse(j.stdout) as FullReport;
  assert.equal(rep.version, 1);
  await sleep(20);
  const p = ccguard(['report', '--html'], h.env.env);
  assert.equal(p.code, 0, p.stderr);
  const file = join(h.env.stateDir, 'report.html');
  assert.equal(p.stdout.trim(), file, 'the default path, printed');
  const html = readFileSync(file, 'utf8');
  assert.deepEqual(
    elements(chartSvg(html, 'blocks'), 'rect', 'bar').map((b) => [
      b['data-start'],
      num(b['data-tokens']),
      num(b['data-cost']),
    ]),
    rep.blocks.map((b) => [b.start, b.limit_tokens, b.cost_usd]),
  );
  assert.deepEqual(
    elements(chartSvg(html, 'daily'), 'rect', 'bar').map((d) => num(d['data-cost'])),
    rep.daily.map((d) => d.cost_usd),
  );
  // The usage line up to the last response (the page's last point is its own `now`).
  const pts = elements(chartSvg(html, 'block'), 'circle', 'pt').map((x) => num(x['data-tokens']));
  const series = rep.current_block!.series.map((x) => x.tokens);
  assert.deepEqual(pts.slice(0, -1), series.slice(0, -1));

  const blocks = JSON.parse(ccguard(['report', 'blocks', '--json'], h.env.env).stdout) as {
    start: string;
    limit_tokens: number;
  }[];
  assert.ok(Array.isArray(blocks), 'report blocks --json is still the array of blocks');
  const recent = blocks.filter((b) => Date.parse(b.start) >= Date.parse(rep.blocks[0]!.start));
  assert.deepEqual(
    recent.map((b) => b.limit_tokens),
    rep.blocks.map((b) => b.limit_tokens),
  );
  assert.ok(Array.isArray(JSON.parse(ccguard(['report', 'daily', '--json'], h.env.env).stdout)));
  assert.ok(Array.isArray(JSON.parse(ccguard(['report', 'sessions', '--json'], h.env.env).stdout)));
});

test('report --open hands the path to xdg-open as one argument, detached; the path is printed', async (t) => {
  const h = makeHistory(t);
  const log = join(h.env.home, 'opened.log');
  const opener = join(h.env.home, 'bin', 'xdg-open');
  writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > '${log}'\n`);
  chmodSync(opener, 0o755);
  const out = join(h.env.home, 'with space; and $x.html');
  const r = ccguard(['report', '--open', '--out', out], h.env.env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), out);
  for (let i = 0; i < 100 && !existsSync(log); i++) await sleep(20);
  assert.equal(readFileSync(log, 'utf8'), `1\n${out}\n`, 'one argument, the path as is');
  assert.ok(existsSync(out));
});

test('report --html with no history: a page that says so; bad combinations are usage errors', (t) => {
  const h = tmpHome(t);
  const env = { HOME: h.home };
  const r = ccguard(['report', '--html'], env);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(join(h.stateDir, 'report.html'), 'utf8');
  assert.match(html, /No usage recorded yet/);
  assert.doesNotMatch(html, /https?:\/\//);
  const j = JSON.parse(ccguard(['report', '--json'], env).stdout) as FullReport;
  assert.equal(j.current_block, null);
  assert.equal(j.blocks.length, 0);
  assert.equal(ccguard(['report', 'blocks', '--html'], env).code, 2);
  assert.equal(ccguard(['report', '--json', '--since', '2026-01-01'], env).code, 2);
  assert.equal(ccguard(['report', '--json', '--days', '0'], env).code, 2);
  const missing = ccguard(['report', '--html', '--out', join(h.home, 'no', 'such', 'dir', 'r.html')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot write the report/);
});

test("one reset time everywhere: with the server's 5-hour reset known, status, the report and its page all show it", (t) => {
  const h = makeHistory(t);
  const cur = h.currentSessions[0]!;
  const resetSec = Math.floor(Date.now() / 1000) + 47 * 60;
  const line = ccguard(
    ['statusline'],
    h.env.env,
    JSON.stringify({ session_id: cur, rate_limits: { five_hour: { used_percentage: 40, resets_at: resetSec } } }),
  );
  assert.equal(line.code, 0, line.stderr);
  const resetIso = new Date(resetSec * 1000).toISOString();
  const st = JSON.parse(ccguard(['status', '--json'], h.env.env).stdout);
  assert.equal(st.block.reset_at, resetIso);
  assert.equal(st.block.reset_source, 'server');
  assert.equal(st.limits.reset_at, resetIso);
  const out = join(h.env.home, 'page.html');
  const r = ccguard(['report', '--html', '--json', '--out', out], h.env.env);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as FullReport;
  assert.equal(rep.current_block?.reset_at, resetIso);
  assert.equal(rep.current_block?.reset_source, 'server');
  assert.match(readFileSync(out, 'utf8'), /\(the server(&#39;|')s: server:five_hour/);
  assert.deepEqual(
    rep.usage,
    {
      window: 'five_hour',
      used_share: st.usage.used_share,
      source: st.usage.source,
      confidence: 'official',
      reset_at: resetIso,
    },
    'the same figure as status names',
  );
});

test('--open with no opener on PATH: the page is written, exit 0, and stderr says where it is', (t) => {
  const h = makeHistory(t);
  const out = join(h.env.home, 'page.html');
  const r = ccguard(['report', '--open', '--out', out], { ...h.env.env, PATH: '/nonexistent' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), out);
  assert.ok(existsSync(out));
  assert.match(
    r.stderr,
    new RegExp(
      `the report is at ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; could not open the report with xdg-open.*: open it in a browser`,
    ),
  );
});

test('one total for the window: the blocks card shows the same cost as the totals, even when the first block began before the window', (t) => {
  const h = makeHistory(t);
  // A block from half an hour before the 2-day window's start (local midnight, TZ=UTC) into it.
  const d = new Date();
  const since = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - 1);
  h.env.usage('straddle', [
    { ts: since - 30 * 60_000, input: 40_000, output: 10_000 },
    { ts: since + 30 * 60_000, input: 40_000, output: 10_000 },
  ]);
  const out = join(h.env.home, 'page.html');
  const r = ccguard(['report', '--html', '--json', '--out', out, '--days', '2'], h.env.env);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as FullReport;
  assert.equal(rep.window.since, new Date(since).toISOString());
  assert.equal(rep.weekly.first_block_before_window, true);
  assert.equal(rep.weekly.cost_usd, rep.totals.cost_usd);
  const blocksOwn = rep.blocks.reduce((a, b) => a + b.cost_usd, 0);
  assert.ok(blocksOwn > rep.totals.cost_usd + 1e-9, 'the straddling block carries cost from before the window');
  assert.match(readFileSync(out, 'utf8'), /The first block began before this window/);
  const html = readFileSync(out, 'utf8');
  const header = /<p class="sub num" data-tokens="\d+" data-cost="([\d.]+)">/.exec(section(html, 'blocks'))?.[1];
  assert.equal(Number(header), rep.totals.cost_usd);
});
