// `ccguard report blocks|daily|sessions`: an empty report says there is no data instead of printing
// bare headers; --since after --until is an error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ccguard } from '../helpers/cli.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { makeHistory } from '../helpers/history.ts';

const h = makeHistory();
after(() => h.cleanup());

test('a range with no usage says so, for each kind; JSON stays an empty list', () => {
  const said: Record<string, string> = {
    blocks: 'No 5-hour blocks since 2099-01-01: ccguard has recorded no Claude Code usage in that range.\n',
    daily: 'No days with usage since 2099-01-01: ccguard has recorded no Claude Code usage in that range.\n',
    sessions: 'No sessions since 2099-01-01: ccguard has recorded no Claude Code usage in that range.\n',
  };
  for (const [kind, text] of Object.entries(said)) {
    const r = ccguard(['report', kind, '--since', '2099-01-01'], h.env.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, text);
    const j = ccguard(['report', kind, '--json', '--since', '2099-01-01'], h.env.env);
    assert.equal(j.stdout, '[]\n');
  }
  const both = ccguard(['report', 'daily', '--since', '2000-01-01', '--until', '2000-01-31'], h.env.env);
  assert.equal(
    both.stdout,
    'No days with usage from 2000-01-01 to 2000-01-31: ccguard has recorded no Claude Code usage in that range.\n',
  );
  const until = ccguard(['report', '--until', '2000-01-31'], h.env.env);
  assert.match(until.stdout, /^No 5-hour blocks until 2000-01-31: /);
  // The same range with data is a table.
  assert.match(ccguard(['report', 'daily', '--since', '2000-01-01'], h.env.env).stdout, /^date +responses/);
});

test('no usage recorded at all: says so and where to look', (t) => {
  const e = tmpHome(t, 'ccguard-empty-');
  const r = ccguard(['report'], { HOME: e.home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    'No 5-hour blocks yet: ccguard has recorded no Claude Code usage (`ccguard import` reads the transcripts; `ccguard doctor` shows where it looks).\n',
  );
});

test('--since after --until is a usage error; the same day is one day', () => {
  for (const kind of ['blocks', 'daily', 'sessions']) {
    const r = ccguard(['report', kind, '--since', '2026-02-01', '--until', '2026-01-01'], h.env.env);
    assert.equal(r.code, 2, `${kind}: ${r.stdout}`);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'ccguard report: --since 2026-02-01 is after --until 2026-01-01: nothing can fall between them (give the earlier date to --since)\n',
    );
  }
  // The newest day with usage (today's, unless the clock has just passed midnight).
  const all = ccguard(['report', 'daily', '--json'], h.env.env);
  const day = (JSON.parse(all.stdout) as { date: string }[]).at(-1)!.date;
  const one = ccguard(['report', 'daily', '--json', '--since', day, '--until', day], h.env.env);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(
    (JSON.parse(one.stdout) as { date: string }[]).map((d) => d.date),
    [day],
  );
});
