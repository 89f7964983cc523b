import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers/tmp.ts';
import { cliCommand, cliPrefix, onPath, shellWord } from '../../lib/util/invocation.ts';

test('shellWord: bare when safe, single-quoted otherwise, and a shell reads back exactly the word', () => {
  assert.equal(shellWord('/usr/local/bin/node'), '/usr/local/bin/node');
  assert.equal(shellWord('--project-dir'), '--project-dir');
  assert.equal(shellWord('/home/a b/x'), "'/home/a b/x'");
  assert.equal(shellWord("it's"), "'it'\\''s'");
  assert.equal(shellWord('~/proj'), "'~/proj'", 'no tilde expansion: the path is meant as written');
  for (const w of ['/a b', "o'neil", '$HOME', '`x`', 'a"b', 'back\\slash', '*', '', 'ünï', 'semi;colon']) {
    const r = spawnSync('/bin/sh', ['-c', `printf %s ${shellWord(w)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, w, w);
  }
});

test('onPath: the first executable on PATH; empty, relative and node_modules/.bin entries are passed over', (t) => {
  const root = tmpDir(t, 'ccguard-onpath-');
  const dirs = ['plain', 'exec', 'proj/node_modules/.bin'].map((d) => join(root, d));
  for (const d of dirs) mkdirSync(d, { recursive: true });
  writeFileSync(join(dirs[0]!, 'tool'), '');
  writeFileSync(join(dirs[1]!, 'tool'), '#!/bin/sh\n');
  chmodSync(join(dirs[1]!, 'tool'), 0o755);
  writeFileSync(join(dirs[2]!, 'tool'), '#!/bin/sh\n');
  chmodSync(join(dirs[2]!, 'tool'), 0o755);
  assert.equal(
    onPath('tool', { PATH: `${dirs[0]}:${dirs[1]}` }),
    join(dirs[1]!, 'tool'),
    'not executable: skipped, as a shell does',
  );
  assert.equal(onPath('tool', { PATH: `${dirs[2]}::relative:${dirs[1]}` }), join(dirs[1]!, 'tool'));
  assert.equal(onPath('tool', { PATH: dirs[2]! }), null);
  assert.equal(onPath('tool', {}), null);
});

test("cliPrefix: `ccguard` only when the first ccguard on PATH is this package's script (through symlinks)", (t) => {
  const root = tmpDir(t, 'ccguard self ');
  const pkg = join(root, 'pkg');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  writeFileSync(join(pkg, 'bin', 'ccguard.js'), '#!/usr/bin/env node\n');
  chmodSync(join(pkg, 'bin', 'ccguard.js'), 0o755);
  const mine = join(root, 'mine');
  mkdirSync(mine);
  // npm's global bin: a link to the package's script, which may itself sit behind a linked folder.
  symlinkSync(pkg, join(root, 'pkg-link'));
  symlinkSync(join(root, 'pkg-link', 'bin', 'ccguard.js'), join(mine, 'ccguard'));
  symlinkSync(process.execPath, join(mine, 'node'));
  const self = { root: pkg, nodePath: process.execPath };
  assert.equal(cliPrefix({ ...self, env: { PATH: mine } }), 'ccguard');
  assert.equal(
    cliCommand({ ...self, env: { PATH: mine } }, ['doctor', '--project-dir', '/a b']),
    "ccguard doctor --project-dir '/a b'",
  );

  const other = join(root, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'ccguard'), '#!/bin/sh\n');
  chmodSync(join(other, 'ccguard'), 0o755);
  // The other one first: the shell would run it, so name this script by its path.
  assert.equal(cliPrefix({ ...self, env: { PATH: `${other}:${mine}` } }), `node '${join(pkg, 'bin', 'ccguard.js')}'`);
  // Without node on PATH (or another node there): this node by its absolute path.
  assert.equal(
    cliPrefix({ ...self, env: { PATH: other } }),
    `${shellWord(process.execPath)} '${join(pkg, 'bin', 'ccguard.js')}'`,
  );
  assert.equal(
    cliPrefix({ ...self, nodePath: '/opt/other node/bin/node', env: { PATH: `${other}:${mine}` } }),
    `'/opt/other node/bin/node' '${join(pkg, 'bin', 'ccguard.js')}'`,
  );
});
