// A Node with neither SQLite: better-sqlite3's addon does not load (missing, or built for another Node)
// and node:sqlite is absent (Node 20) or switched off. Every command, the hooks' one notification and
// doctor must name that cause and the command that fixes it, never the disk or the folder. Run where
// better-sqlite3's addon does not load in this Node (`.ci/run` runs it on Node 26); node:sqlite is then
// switched off with --no-experimental-sqlite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDriver } from '../../lib/store/driver.ts';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';

function betterLoads(): boolean {
  try {
    chooseDriver('better');
    return true;
  } catch {
    return false;
  }
}

const skip = betterLoads()
  ? `better-sqlite3's addon loads in Node ${process.versions.node}: the case without any SQLite is run on Node 26 by .ci/run`
  : false;
const OFF = { NODE_OPTIONS: '--no-experimental-sqlite', CCGUARD_SQLITE_DRIVER: '' };
const CAUSE =
  /no SQLite for the state database: better-sqlite3's addon (was built for another Node|is not built|does not load).*, and node:sqlite is switched off/;
const FIX = /fix: run `npm rebuild better-sqlite3` in \//;

test(
  'neither SQLite: hooks allow and notify the cause and fix once; commands and doctor say the same',
  { skip },
  async (t) => {
    const e = hookEnv(t);
    for (const session of ['s1', 's2']) {
      const r = e.run('PreToolUse', e.input('PreToolUse', session, { tool_name: 'Bash' }), OFF);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '', 'fails open: an allow');
    }
    const notes = await e.notifications(1);
    assert.equal(notes.length, 1, 'one notification for the same cause');
    assert.match(notes[0]!, CAUSE);
    assert.match(notes[0]!, FIX);
    assert.match(e.log(), CAUSE);

    const env = { ...e.env, ...OFF };
    for (const args of [['status'], ['status', '--json'], ['report'], ['install']]) {
      const r = ccguard(args, env);
      assert.notEqual(r.code, 0, `${args.join(' ')} fails`);
      assert.match(r.stderr, CAUSE, args.join(' '));
      assert.match(r.stderr, FIX, args.join(' '));
      assert.doesNotMatch(r.stderr, /disk|writable folder/);
    }
    const line = ccguard(['statusline'], env, '{}');
    assert.equal(line.stdout, 'ccguard: no SQLite in this Node, not enforcing: see ccguard doctor\n');
    assert.match(line.stderr, CAUSE);
    const doc = ccguard(['doctor', '--json'], env);
    const checks = (
      JSON.parse(doc.stdout) as { checks: { name: string; level: string; detail: string; fix?: string }[] }
    ).checks;
    const db = checks.find((c) => c.name === 'database');
    assert.equal(db?.level, 'fail');
    assert.match(
      `no SQLite for the state database: ${db.detail.replace(/^no SQLite for the state database: /, '')}`,
      CAUSE,
    );
    assert.match(`fix: ${db.fix ?? ''}`, FIX);
    assert.doesNotMatch(db.fix ?? '', /disk|writable folder/);
  },
);
