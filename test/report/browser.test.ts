/**
 * The HTML report in a real browser: Debian's headless Chromium driven by playwright-core. Opens the
 * file with every network request routed and refused, checks there are no console errors, that the
 * charts have the bars and points the JSON says, that labels stay inside their charts and readable,
 * that the page fits a phone without sideways scrolling, that the session filter works; and writes
 * screenshots at 1280×800 and 390×844 (light and dark) for people to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ccguard, REPO } from '../helpers/cli.ts';
import { makeHistory } from '../helpers/history.ts';
import { tmpDir } from '../helpers/tmp.ts';
import type { FullReport } from '../../lib/report/data.ts';

const CHROMIUM = process.env.CCGUARD_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.CCGUARD_SCREENSHOT_DIR ?? join(REPO, 'bench', 'out', 'report');
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CCGUARD_CHROMIUM); CI installs it`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Layout {
  overflowX: number;
  outside: string[];
  smallest: number;
  barHeights: number[];
}

/**
 * Runs in the page (as source text: the project's types have no DOM): sideways overflow, chart labels
 * outside their viewBox, the smallest label as drawn on screen, the heights of the block bars.
 */
const MEASURE = `function (v) {
  var out = { overflowX: document.documentElement.scrollWidth - window.innerWidth, outside: [], smallest: Infinity, barHeights: [] };
  document.querySelectorAll('svg.' + v + '[data-chart]').forEach(function (svg) {
    var vb = svg.viewBox.baseVal;
    var scale = svg.getBoundingClientRect().width / vb.width;
    svg.querySelectorAll('text').forEach(function (t) {
      var b = t.getBBox();
      if (b.x < vb.x - 1 || b.y < vb.y - 1 || b.x + b.width > vb.x + vb.width + 1 || b.y + b.height > vb.y + vb.height + 1) {
        out.outside.push(svg.dataset.chart + ': "' + t.textContent + '"');
      }
      out.smallest = Math.min(out.smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    });
    if (svg.dataset.chart === 'blocks') svg.querySelectorAll('rect.bar').forEach(function (r) { out.barHeights.push(r.getBBox().height); });
  });
  return out;
}`;

test(
  'the report in headless Chromium: no network, no console errors, the expected bars and points, fits 1280 px and a phone',
  { skip, timeout: 120_000 },
  async (t) => {
    const { chromium } = await import('playwright-core');
    const h = makeHistory(t);
    const profile = tmpDir(t, 'ccguard-chromium-');
    h.env.run('StopFailure', h.env.input('StopFailure', h.currentSessions[0]!, { error: 'rate_limit' }));
    const file = join(h.env.home, 'report.html');
    const r = ccguard(['report', '--html', '--json', '--out', file], h.env.env);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as FullReport;
    const url = pathToFileURL(file).href;

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      offline: true,
    });
    try {
      const refused: string[] = [];
      const requests: string[] = [];
      await context.route('**/*', (route) => {
        const u = route.request().url();
        if (u === url) return route.continue();
        refused.push(u);
        return route.abort('blockedbyclient');
      });
      context.on('request', (q) => requests.push(q.url()));
      const page = context.pages()[0] ?? (await context.newPage());
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (q) => {
        if (q.url() !== url) problems.push(`request failed: ${q.url()}`);
      });

      await page.goto(url, { waitUntil: 'load' });

      mkdirSync(SHOTS, { recursive: true });
      const shots: string[] = [];
      const cb = rep.current_block!;

      for (const [width, height, variant] of [
        [1280, 800, 'wide'],
        [390, 844, 'narrow'],
      ] as const) {
        await page.setViewportSize({ width, height });
        const other = variant === 'wide' ? 'narrow' : 'wide';
        const count = (sel: string): Promise<number> => page.locator(sel).count();
        for (const chart of ['block', 'blocks', 'daily']) {
          assert.ok(
            await page.locator(`svg.${variant}[data-chart="${chart}"]`).isVisible(),
            `${chart} ${variant} shown at ${width}px`,
          );
          assert.ok(
            !(await page.locator(`svg.${other}[data-chart="${chart}"]`).isVisible()),
            `${chart} ${other} hidden at ${width}px`,
          );
        }
        assert.equal(await count(`svg.${variant}[data-chart="block"] circle.pt`), cb.series.length, 'usage points');
        assert.equal(await count(`svg.${variant}[data-chart="block"] g.marker`), cb.markers.length, 'decision markers');
        assert.equal(await count(`svg.${variant}[data-chart="blocks"] rect.bar`), rep.blocks.length, 'block bars');
        assert.equal(await count(`svg.${variant}[data-chart="daily"] rect.bar`), rep.daily.length, 'day bars');
        assert.equal(await count('#projects .bar'), rep.projects.length, 'project bars');
        assert.equal(await count('#timeline tbody tr[data-kind]'), rep.timeline.items.length, 'timeline rows');
        assert.equal(await count('#sessions tbody tr'), rep.sessions.items.length, 'session rows');

        const layout = await page.evaluate<Layout>(`(${MEASURE})(${JSON.stringify(variant)})`);
        assert.ok(layout.overflowX <= 0, `the page scrolls sideways by ${layout.overflowX}px at ${width}px`);
        assert.deepEqual(layout.outside, [], `labels inside their charts at ${width}px`);
        assert.ok(layout.smallest >= 9, `smallest chart label ${layout.smallest.toFixed(1)}px at ${width}px`);
        // Taller bars for more tokens.
        const order = rep.blocks
          .map((b, i) => [b.limit_tokens, layout.barHeights[i]!] as const)
          .sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < order.length; i++) assert.ok(order[i]![1] >= order[i - 1]![1], 'bar heights follow tokens');

        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          const base = join(SHOTS, `report-${width}x${height}-${scheme}`);
          await page.screenshot({ path: `${base}.png` });
          await page.screenshot({ path: `${base}-full.png`, fullPage: true });
          shots.push(`${base}.png`, `${base}-full.png`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
      }

      // The session filter: pick a session, only its rows stay; clicking a session row does the same.
      await page.setViewportSize({ width: 1280, height: 800 });
      const sid = h.currentSessions[1]!;
      const mine = rep.timeline.items.filter((e) => e.session_id === sid).length;
      assert.ok(mine > 0);
      await page.selectOption('#f-session', sid);
      assert.equal(await page.locator('#timeline tbody tr[data-kind]:visible').count(), mine);
      assert.equal(await page.locator('#f-count').textContent(), `${mine} of ${rep.timeline.items.length} events`);
      await page.selectOption('#f-session', '');
      await page.selectOption('#f-kind', 'delay');
      assert.equal(
        await page.locator('#timeline tbody tr[data-kind]:visible').count(),
        rep.timeline.items.filter((e) => e.kind === 'delay').length,
      );
      await page.selectOption('#f-kind', '');
      await page.locator(`#sessions tr.pick[data-session="${h.currentSessions[0]}"]`).click();
      assert.equal(await page.inputValue('#f-session'), h.currentSessions[0]);
      assert.equal(
        await page.locator('#timeline tbody tr[data-kind]:visible').count(),
        rep.timeline.items.filter((e) => e.session_id === h.currentSessions[0]).length,
      );

      assert.deepEqual(problems, [], 'no console errors or failed requests');
      assert.deepEqual(refused, [], 'no request other than the file itself');
      assert.deepEqual(
        [...new Set(requests)].filter((u) => u !== url),
        [],
        'nothing but the file was requested',
      );
      t.diagnostic(`screenshots in ${SHOTS}: ${shots.map((s) => s.slice(SHOTS.length + 1)).join(', ')}`);
      console.log(`report screenshots: ${SHOTS}`);
    } finally {
      await context.close();
    }
  },
);
