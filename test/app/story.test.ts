// One story: every view fed the same state names the same window, share, source and reset. The
// built hook, `status --json`, `status`, the status line and the report (JSON and page), one table row
// per state; each row says what all of them must name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { limitLine, resetText } from '../helpers/lines.ts';
import { fmtAt } from '../../lib/util/format.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
type Env = ReturnType<typeof hookEnv>;

interface Row {
  name: string;
  /** Puts the state in place (transcript lines, status line readings); returns the reset every view must name. */
  given: (e: Env, now: number) => number;
  window: 'five_hour' | 'seven_day';
  pct: number;
  source: string;
  /** The hook denies (a hold) or warns. */
  hook: 'deny' | 'warn';
}

const minute = (ms: number): number => Math.floor(ms / MIN) * MIN;

const ROWS: Row[] = [
  {
    name: "the server's reading: 85% of the 5-hour window, 30 min to its reset",
    given: (e, now) => {
      const reset = Math.floor((now + 30 * MIN) / 1000);
      assert.equal(
        ccguard(
          ['statusline'],
          e.env,
          JSON.stringify({ session_id: 's1', rate_limits: { five_hour: { used_percentage: 85, resets_at: reset } } }),
        ).code,
        0,
      );
      return reset * 1000;
    },
    window: 'five_hour',
    pct: 85,
    source: 'server:five_hour',
    hook: 'warn',
  },
  {
    name: 'a 5-hour limit line ("You\'ve hit your limit" resetting in 2 hours)',
    given: (e, now) => {
      const reset = minute(now + 2 * HOUR);
      appendFileSync(
        e.transcript('s1'),
        limitLine(now - MIN, 'lim-5h', `You've hit your limit · resets ${resetText(reset)} (UTC)`, 's1') + '\n',
      );
      return reset;
    },
    window: 'five_hour',
    pct: 100,
    source: 'server:limit_line:five_hour',
    hook: 'deny',
  },
  {
    name: 'the same words resetting in 3 days (the issue\'s "resets Dec 11, 12:30pm"): the weekly window, with its day',
    given: (e, now) => {
      const reset = minute(now + 3 * 24 * HOUR + 30 * MIN);
      appendFileSync(
        e.transcript('s1'),
        limitLine(now - MIN, 'lim-7d', `You've hit your limit · resets ${resetText(reset, true)} (UTC)`, 's1') + '\n',
      );
      return reset;
    },
    window: 'seven_day',
    pct: 100,
    source: 'server:limit_line:seven_day',
    hook: 'deny',
  },
  {
    name: 'the weekly reading at 100% while the 5-hour one is at 30%: the weekly window holds',
    given: (e, now) => {
      const week = Math.floor((now + 2 * 24 * HOUR) / 1000);
      const five = Math.floor((now + 2 * HOUR) / 1000);
      const input = {
        session_id: 's1',
        rate_limits: {
          five_hour: { used_percentage: 30, resets_at: five },
          seven_day: { used_percentage: 100, resets_at: week },
        },
      };
      assert.equal(ccguard(['statusline'], e.env, JSON.stringify(input)).code, 0);
      return week * 1000;
    },
    window: 'seven_day',
    pct: 100,
    source: 'server:seven_day',
    hook: 'deny',
  },
];

for (const row of ROWS) {
  test(`one story: ${row.name}`, (t) => {
    const e = hookEnv(t, 'plan: 100000000\n');
    const now = Date.now();
    e.usage('s1', [{ ts: now - 2 * MIN, input: 1000, output: 1000 }]);
    const reset = row.given(e, now);
    const at = fmtAt(reset, now);
    const name = row.window === 'seven_day' ? 'weekly limit' : '5-hour limit';

    // The hook: its answer names the window, share, source and reset.
    const h = e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
    const out = h.json as {
      hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string };
      systemMessage?: string;
    } | null;
    const said = row.hook === 'deny' ? out?.hookSpecificOutput?.permissionDecisionReason : out?.systemMessage;
    if (row.hook === 'deny') assert.equal(out?.hookSpecificOutput?.permissionDecision, 'deny', h.stdout);
    for (const part of [`${row.pct}%`, name, row.source, at])
      assert.ok(said?.includes(part), `the hook says "${part}": ${said}`);

    // status --json and status.
    const st = JSON.parse(ccguard(['status', '--json', '--fresh'], e.env).stdout) as {
      usage: { window: string; used_share: number; source: string; reset_at: string | null };
      recovery: { until: string | null; state: string };
    };
    assert.deepEqual(
      {
        window: st.usage.window,
        pct: Math.round(st.usage.used_share * 100),
        source: st.usage.source,
        reset: st.usage.reset_at,
      },
      { window: row.window, pct: row.pct, source: row.source, reset: new Date(reset).toISOString() },
    );
    if (row.hook === 'deny')
      assert.equal(st.recovery.until, new Date(reset).toISOString(), 'the hold ends at the same reset');
    const text = ccguard(['status', '--fresh'], e.env).stdout;
    assert.match(text, new RegExp(`^Usage +${row.pct}% of the ${name} \\(${row.source}\\), resets ${at}$`, 'm'), text);
    if (row.hook === 'deny') assert.match(text, new RegExp(`^Recovery +held until ${at} `, 'm'), text);

    // The status line (an input without figures: what ccguard knows).
    const line = ccguard(['statusline'], e.env, JSON.stringify({ session_id: 's1' })).stdout;
    const part = row.window === 'seven_day' ? '7d' : '5h';
    assert.ok(
      line.includes(`${part} ${row.pct}% (resets ${at})`),
      `the status line says "${part} ${row.pct}% (resets ${at})": ${line}`,
    );
    if (row.hook === 'deny') assert.ok(line.includes(`ccguard held until ${at}`), line);

    // The report: its JSON and its page.
    const page = join(e.home, 'report.html');
    const rep = JSON.parse(ccguard(['report', '--html', '--json', '--out', page], e.env).stdout) as {
      usage: typeof st.usage;
      recovery: { until: string | null };
    };
    assert.deepEqual(rep.usage, st.usage, 'the report names the figure status names');
    assert.equal(rep.recovery.until, st.recovery.until);
    const html = readFileSync(page, 'utf8');
    const tile = new RegExp(
      `<div class="k">${name.replace(/^./, (c) => c.toUpperCase())}</div><div class="v">${row.pct}%</div><div class="d">${row.source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
    );
    assert.match(html, tile);
    assert.ok(html.includes(`<div class="v">${at}</div>`), `the page's Resets tile says ${at}`);
    if (row.hook === 'deny') assert.ok(html.includes(`until ${at}`), `the page's Recovery tile says "until ${at}"`);
  });
}
