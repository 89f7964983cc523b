// Bad command lines get clear errors, in ccguard's words (never node:util parseArgs' "ambiguous" or
// "Unknown option '--x'"), naming the option and what was typed; exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ccguard } from '../helpers/cli.ts';
import { hookEnv } from '../helpers/hookEnv.ts';
import { parseCommand, parse } from '../../lib/cli/args.ts';
import { SPECS } from '../../lib/cli/spec.ts';
import { UsageError } from '../../lib/util/errors.ts';

/** Node's parseArgs wording, which must never reach the user. */
const NODE_WORDING = /ambiguous|Option '|Unknown option '|ERR_PARSE_ARGS|To specify an option argument/;

test('bad values through the CLI: exit 2, the option, the value and what is wanted', (t) => {
  const e = hookEnv(t);
  const cases: [string[], RegExp][] = [
    [
      ['pause', '--minutes', '-5'],
      /^ccguard pause: --minutes must be a positive number of minutes \(got "-5": a negative number\)\n$/,
    ],
    [
      ['resume', '--minutes', 'soon'],
      /^ccguard resume: --minutes must be a positive number of minutes \(got "soon": not a number\)\n$/,
    ],
    [['pause', '--minutes', '0'], /--minutes must be a positive number of minutes \(got "0": zero\)/],
    [['pause', '--minutes', '9999999'], /--minutes must be at most 525600 minutes \(got "9999999"\)/],
    [
      ['events', '--limit', '-1'],
      /^ccguard events: --limit must be a whole number of 1 or more \(got "-1": a negative number\)\n$/,
    ],
    [
      ['events', '--limit', 'abc'],
      /^ccguard events: --limit must be a whole number of 1 or more \(got "abc": not a number\)\n$/,
    ],
    [['events', '--limit', '0'], /^ccguard events: --limit must be a whole number of 1 or more \(got "0": zero\)\n$/],
    [['events', '--limit', '2.5'], /--limit must be a whole number of 1 or more \(got "2\.5": not a whole number\)/],
    [['events', '--limit=-3'], /--limit must be a whole number of 1 or more \(got "-3": a negative number\)/],
    [['events', '--limit'], /^ccguard events: --limit needs a value \(--limit N\)\n$/],
    [['events', '--session', '--json'], /--session needs a value \(--session ID\)/],
    [['report', '--days', '100'], /--days must be a whole number from 1 to 92 \(got "100": too large\)/],
    [['report', '--since', 'yesterday'], /--since must be a date like 2026-11-24 \(got "yesterday"\)/],
    [['report', 'weekly'], /the report kind must be one of blocks, daily, sessions \(got "weekly"\)/],
    [['alert'], /^ccguard alert: needs the alert: one of token, time, cost, rate_limit\n$/],
    [['alert', 'cots'], /the alert must be one of token, time, cost, rate_limit \(got "cots": did you mean cost\?\)/],
    [['status', '--jsn'], /^ccguard status: unknown option --jsn: did you mean --json\?\n$/],
    [['status', '--bogus'], /^ccguard status: unknown option --bogus \(it takes --json, --fresh, --account\)\n$/],
    [['status', '-x'], /unknown option -x/],
    [['status', '--json=yes'], /--json takes no value/],
    [['wait', 'now'], /^ccguard wait: takes no arguments \(got "now"\)\n$/],
    [['install', '--scope', 'global'], /--scope must be one of user, local \(got "global"\)/],
    [['doctor', '--verbose'], /^ccguard doctor: unknown option --verbose/],
  ];
  for (const [args, want] of cases) {
    const r = ccguard(args, e.env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
    assert.doesNotMatch(r.stderr, NODE_WORDING, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  // Refused before anything was opened: no database yet, so nothing was paused.
  assert.ok(!existsSync(join(e.stateDir, 'state.db')));
  // Good values still go through, = and fractions included.
  assert.equal(ccguard(['pause', '--minutes=0.5'], e.env).code, 0);
  assert.equal(ccguard(['events', '--limit', '+3', '--decisions'], e.env).code, 0);
});

test('parseCommand reads values, defaults and the argument as the description says', () => {
  const ev = parseCommand(SPECS.events, ['--json', '--session', 'f3e1c0de', '--limit=5']);
  assert.deepEqual(ev.values, { json: true, follow: false, session: 'f3e1c0de', decisions: false, limit: 5 });
  assert.equal(parseCommand(SPECS.events, []).values.limit, 200, 'the default limit');
  const rep = parseCommand(SPECS.report, ['daily', '--since', '2026-11-24', '--until', '20261125']);
  assert.equal(rep.arg, 'daily');
  assert.equal(rep.values.since, new Date(2026, 10, 24).getTime());
  assert.equal(rep.values.until, new Date(2026, 10, 26).getTime(), '--until includes its whole day');
  assert.deepEqual(rep.raw, { since: '2026-11-24', until: '20261125' });
  assert.equal(parseCommand(SPECS.report, []).arg, undefined, 'no kind given: the caller decides');
  assert.equal(parseCommand(SPECS.pause, ['--minutes', '0.02']).values.minutes, 0.02);
  assert.equal(parseCommand(SPECS.alert, ['rate_limit']).arg, 'rate_limit');
  assert.throws(
    () => parseCommand(SPECS.status, ['--', '--json']),
    /takes no arguments \(got "--json"\)/,
    'after -- it is an argument',
  );
  assert.equal(parseCommand(SPECS.status, ['--json', '-h']).help, true);
  assert.equal(parseCommand(SPECS.statusline, ['--ccguard', '--then', 'echo hi']).values.then, 'echo hi');
  // The older call shape keeps its results: flags left out are undefined.
  assert.deepEqual(
    parse(['--dry-run', '--scope', 'user'], {
      scope: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'no-import': { type: 'boolean' },
    }).values,
    { scope: 'user', 'dry-run': true },
  );
});

test('whatever the command line, parseCommand answers or throws a UsageError in its own words', () => {
  const specs = Object.values(SPECS);
  const token = fc.oneof(
    fc.constantFrom(
      '--json',
      '--limit',
      '--minutes',
      '--since',
      '--session',
      '--days',
      '--scope',
      '--',
      '-h',
      '-5',
      '-x',
      '--=',
      '--limit=',
      'blocks',
      'cost',
      '0',
      '1.5',
      '1e3',
    ),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...specs), fc.array(token, { maxLength: 6 }), (spec, argv) => {
      try {
        parseCommand(spec, argv);
      } catch (err) {
        assert.ok(err instanceof UsageError, String(err));
        assert.doesNotMatch(err.message, NODE_WORDING);
        assert.ok(!err.message.includes('\n'));
      }
    }),
    { numRuns: 3000, seed: 11 },
  );
});
