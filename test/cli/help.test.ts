// The CLI explains itself: every command's --help (from lib/cli/spec.ts, the one description the
// parser reads too), `ccguard help`, -v/--version. None of it needs a working state.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ccguard, REPO } from '../helpers/cli.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { SPECS } from '../../lib/cli/spec.ts';
import type { CommandSpec } from '../../lib/cli/args.ts';
import { displayWidth } from '../../lib/cli/width.ts';

const COMMANDS = Object.entries(SPECS) as [string, CommandSpec][];
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** A HOME whose state cannot be opened (a broken config): help must not need it. */
function brokenHome(t: TestContext) {
  const h = tmpHome(t, 'ccguard-help-');
  mkdirSync(h.stateDir, { recursive: true });
  writeFileSync(join(h.stateDir, 'config.yaml'), 'alerts: [not, a, mapping\n');
  return h;
}

test('every command answers --help and -h with its own usage, options and exit 0', (t) => {
  const h = brokenHome(t);
  for (const [name, spec] of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const r = ccguard([name, flag], { HOME: h.home });
      assert.equal(r.code, 0, `${name} ${flag}: ${r.stderr}`);
      assert.equal(r.stderr, '', `${name} ${flag}`);
      if (name === 'help') {
        assert.equal(r.stdout, ccguard(['help'], { HOME: h.home }).stdout, 'help --help: the list of commands');
        continue;
      }
      assert.ok(r.stdout.startsWith(`Usage: ccguard ${name}`), `${name} ${flag}: ${r.stdout.slice(0, 80)}`);
      for (const [opt, o] of Object.entries(spec.options)) {
        if ('hidden' in o && o.hidden)
          assert.ok(
            !r.stdout.includes(`--${opt} `) && !r.stdout.includes(`--${opt}\n`),
            `${name}: hidden --${opt} shown`,
          );
        else assert.ok(r.stdout.includes(`--${opt}`), `${name}: --${opt} missing from its help`);
      }
      for (const choice of Object.keys(spec.arg?.choices ?? {}))
        assert.ok(r.stdout.includes(choice), `${name}: ${choice} missing`);
    }
    // `ccguard help <command>` says the same.
    if (name !== 'help')
      assert.equal(
        ccguard(['help', name], { HOME: h.home }).stdout,
        ccguard([name, '--help'], { HOME: h.home }).stdout,
      );
  }
});

test('--help wins over the rest of the command line, bad values included', (t) => {
  const h = brokenHome(t);
  const r = ccguard(['events', '--limit', '-1', '--help'], { HOME: h.home });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: ccguard events /);
  assert.match(r.stdout, /--limit N +the last N events/);
  assert.match(r.stdout, /--decisions +only events where ccguard acted or spoke .*leaves out silent allows/s);
  assert.match(r.stdout, /--session ID +only that session's events: its full ID or the first characters/);
});

test('ccguard help lists every command from the same description; no command at all is a usage error', (t) => {
  const h = brokenHome(t);
  const r = ccguard(['help'], { HOME: h.home });
  assert.equal(r.code, 0);
  for (const [name, spec] of COMMANDS) {
    assert.match(r.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
    assert.ok(r.stdout.replace(/\s+/g, ' ').includes(spec.summary), `${name}: summary`);
  }
  assert.equal(ccguard(['--help'], { HOME: h.home }).stdout, r.stdout);
  const none = ccguard([], { HOME: h.home });
  assert.equal(none.code, 2);
  assert.equal(none.stdout, r.stdout);
  const bad = ccguard(['help', 'frobnicate'], { HOME: h.home });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const typo = ccguard(['statsu'], { HOME: h.home });
  assert.equal(typo.code, 2);
  assert.equal(typo.stderr, 'ccguard: unknown command "statsu" (did you mean status? try: ccguard help)\n');
});

test('help fits COLUMNS', (t) => {
  const h = brokenHome(t);
  for (const args of [['help'], ['install', '--help'], ['report', '--help'], ['alert', '--help']]) {
    const r = ccguard(args, { HOME: h.home, COLUMNS: '60' });
    assert.equal(r.code, 0);
    for (const l of r.stdout.split('\n')) assert.ok(displayWidth(l) <= 60, `${args.join(' ')}: ${JSON.stringify(l)}`);
  }
});

test('-v, -V, --version and version print the version in package.json', (t) => {
  const h = brokenHome(t);
  for (const flag of ['-v', '-V', '--version', 'version']) {
    const r = ccguard([flag], { HOME: h.home });
    assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
    assert.equal(r.stdout, `ccguard ${VERSION}\n`, flag);
  }
});
