// selfCommand: what a user types to run this ccguard. Each answer is also run through /bin/sh, as a user
// would type it, against a stand-in package whose bin/ccguard.js says which copy ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { selfCommand, selfCommandAt, shellWord, whichFirst } from '../../lib/cli/self.ts';
import { REPO } from '../helpers/cli.ts';
import { copySource } from '../helpers/sourceCopy.ts';

const NODE_DIR = dirname(process.execPath);

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard self-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A stand-in ccguard package at `root`: package.json, config.yaml and a bin that prints `tag` and its arguments. */
function fakePackage(root: string, tag: string, opts: { git?: 'dir' | 'file' } = {}): string {
  mkdirSync(join(root, 'bin'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ccguard', version: '0.0.0', type: 'module', bin: { ccguard: 'bin/ccguard.js' } }));
  writeFileSync(join(root, 'config.yaml'), '# stand-in\n');
  const bin = join(root, 'bin', 'ccguard.js');
  writeFileSync(bin, `#!/usr/bin/env node\nconsole.log(${JSON.stringify(tag)}, process.argv.slice(2).join(' '));\n`);
  chmodSync(bin, 0o755);
  if (opts.git === 'dir') mkdirSync(join(root, '.git'));
  if (opts.git === 'file') writeFileSync(join(root, '.git'), 'gitdir: /elsewhere/.git/worktrees/x\n');
  return bin;
}

/** A PATH folder with `ccguard` linked to `target`. */
function pathDirWith(dir: string, target: string): string {
  mkdirSync(dir, { recursive: true });
  symlinkSync(target, join(dir, 'ccguard'));
  return dir;
}

/** Runs `command args` through /bin/sh in `cwd`, as a user would type it. */
function typed(command: string, args: string, cwd: string, path: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', `${command} ${args}`], { cwd, env: { PATH: path, HOME: cwd }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('shellWord: bare when safe, single-quoted otherwise, and the shell reads back the same string', () => {
  assert.equal(shellWord('/usr/lib/node_modules/ccguard/bin/ccguard.js'), '/usr/lib/node_modules/ccguard/bin/ccguard.js');
  assert.equal(shellWord('/home/a b/x'), "'/home/a b/x'");
  assert.equal(shellWord("it's"), `'it'\\''s'`);
  assert.equal(shellWord(''), "''");
  for (const s of ['/a b/c', "o'neil", 'x"y', '$HOME', '`id`', 'a\\b', 'tab\there', 'new\nline', '*', '~/x', '!x', '']) {
    const r = spawnSync('/bin/sh', ['-c', `printf '%s' ${shellWord(s)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, s, JSON.stringify(s));
  }
});

test('whichFirst: the first executable along PATH, as the shell picks it', (t) => {
  const dir = tmp(t);
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  mkdirSync(a);
  mkdirSync(b);
  writeFileSync(join(a, 'ccguard'), '#!/bin/sh\n'); // not executable: passed over
  writeFileSync(join(b, 'ccguard'), '#!/bin/sh\n');
  chmodSync(join(b, 'ccguard'), 0o755);
  assert.equal(whichFirst('ccguard', `${a}:${b}`, dir), join(b, 'ccguard'));
  assert.equal(whichFirst('ccguard', `${a}`, dir), null);
  assert.equal(whichFirst('ccguard', undefined, dir), null);
  assert.equal(whichFirst('ccguard', 'b', dir), join(b, 'ccguard'), 'a relative entry is taken from the current folder');
});

test('a global install: `ccguard`, because the ccguard on PATH is this package (through its symlink)', (t) => {
  const dir = tmp(t);
  const root = join(dir, 'prefix', 'lib', 'node_modules', 'ccguard');
  const bin = fakePackage(root, 'global');
  const binDir = pathDirWith(join(dir, 'prefix', 'bin'), '../lib/node_modules/ccguard/bin/ccguard.js');
  const home = join(dir, 'home');
  mkdirSync(home);
  const PATH = `${binDir}:${NODE_DIR}`;
  const cmd = selfCommandAt({ env: { PATH }, root, cwd: home });
  assert.equal(cmd, 'ccguard');
  const r = typed(cmd, 'doctor', home, PATH);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'global doctor\n');
  // The same through selfCommand, which finds the package above the script node was started with.
  assert.equal(selfCommand({ PATH }, join(binDir, 'ccguard')), 'ccguard');
  assert.equal(selfCommand({ PATH }, bin), 'ccguard');
});

test('a ccguard on PATH that is another copy is not this one: the absolute path instead', (t) => {
  const dir = tmp(t);
  const mine = join(dir, 'mine');
  const mineBin = fakePackage(mine, 'mine');
  const other = join(dir, 'other');
  fakePackage(other, 'other');
  const otherDir = pathDirWith(join(dir, 'other-bin'), join(other, 'bin', 'ccguard.js'));
  const mineDir = pathDirWith(join(dir, 'mine-bin'), mineBin);
  const home = join(dir, 'home');
  mkdirSync(home);
  // The other copy comes first on PATH: `ccguard` would run it.
  const PATH = `${otherDir}:${mineDir}:${NODE_DIR}`;
  const cmd = selfCommandAt({ env: { PATH }, root: mine, cwd: home });
  assert.equal(cmd, `node ${shellWord(mineBin)}`);
  const r = typed(cmd, 'status --json', home, PATH);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'mine status --json\n');
  // Mine first: `ccguard`.
  assert.equal(selfCommandAt({ env: { PATH: `${mineDir}:${otherDir}` }, root: mine, cwd: home }), 'ccguard');
});

test('a clone: `npx ccguard` inside it (a .git folder or a worktree .git file), the absolute path outside', (t) => {
  const dir = tmp(t);
  for (const git of ['dir', 'file'] as const) {
    const root = join(dir, `clone-${git}`);
    const bin = fakePackage(root, 'clone', { git });
    mkdirSync(join(root, 'lib', 'cli'), { recursive: true });
    const env = { PATH: NODE_DIR };
    assert.equal(selfCommandAt({ env, root, cwd: root }), 'npx ccguard', git);
    assert.equal(selfCommandAt({ env, root, cwd: join(root, 'lib', 'cli') }), 'npx ccguard', git);
    // Outside the clone, or where npx would take a nearer project: the path.
    assert.equal(selfCommandAt({ env, root, cwd: dir }), `node ${shellWord(bin)}`, git);
    const nested = join(root, 'node_modules', 'dep');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(nested, 'package.json'), '{"name":"dep"}');
    assert.equal(selfCommandAt({ env, root, cwd: nested }), `node ${shellWord(bin)}`, git);
  }
});

test('an installed package that is no clone: the absolute path even inside it', (t) => {
  const dir = tmp(t);
  const root = join(dir, 'pkg');
  const bin = fakePackage(root, 'pkg');
  assert.equal(selfCommandAt({ env: { PATH: NODE_DIR }, root, cwd: root }), `node ${shellWord(bin)}`);
});

test('the absolute path is quoted for the shell: a folder with a space and a quote still runs', (t) => {
  const dir = tmp(t);
  const root = join(dir, "it's a home", 'ccguard');
  const bin = fakePackage(root, 'quoted');
  const cmd = selfCommandAt({ env: { PATH: NODE_DIR }, root, cwd: dir });
  assert.equal(cmd, `node '${bin.replace(/'/g, `'\\''`)}'`);
  const r = typed(cmd, 'doctor', dir, NODE_DIR);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'quoted doctor\n');
  // Through selfCommand: the package above the script it is handed, the current folder being elsewhere.
  const before = process.cwd();
  process.chdir(dir);
  try {
    assert.equal(selfCommand({ PATH: NODE_DIR }, bin), cmd);
  } finally {
    process.chdir(before);
  }
});

test('a clone of this repository: `npx ccguard` from inside it runs the CLI as printed', { timeout: 60_000 }, (t) => {
  // A copy: npx runs the package's prepare script (the build) in place the first time, which in the
  // repository itself would take dist/ away from the tests running beside this one.
  const dir = tmp(t);
  const clone = copySource(join(dir, 'clone'), { git: true });
  const cwd = join(clone, 'lib');
  const cmd = selfCommandAt({ env: { PATH: NODE_DIR }, root: clone, cwd });
  assert.equal(cmd, 'npx ccguard');
  const home = join(dir, 'home');
  mkdirSync(home);
  const r = spawnSync('/bin/sh', ['-c', `${cmd} --version`], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: home, npm_config_update_notifier: 'false' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ccguard \d+\.\d+\.\d+/);
  // And this repository, which is a clone (or a worktree of one), answers the same from its lib/.
  assert.equal(selfCommandAt({ env: { PATH: NODE_DIR }, root: REPO, cwd: join(REPO, 'lib') }), 'npx ccguard');
});
