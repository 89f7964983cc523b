// The README's example outputs are the program's: regenerated on a fixed history with a pinned clock
// and compared (scripts/readme-examples.ts), apart from timings in ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers/cli.ts';

test('every example output in the README is what the program prints now', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'readme-examples.ts'), '--check'], {
    encoding: 'utf8',
    cwd: REPO,
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /README\.md examples match the program/);
});
