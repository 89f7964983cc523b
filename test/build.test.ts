// A rebuild (npm's prepare runs build.mjs) must not take the hooks of a live install away: dist/ is
// built beside and swapped in, so a hook started at any moment of the build finds a whole dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { copySource } from './helpers/sourceCopy.ts';
import { tmpDir } from './helpers/tmp.ts';

test('hooks keep answering while dist/ is rebuilt under them', { timeout: 120_000 }, async (t) => {
  const root = tmpDir(t, 'ccguard-build-');
  const src = copySource(join(root, 'src'));
  assert.equal(spawnSync(process.execPath, ['build.mjs'], { cwd: src, encoding: 'utf8' }).status, 0);
  const hook = join(src, 'dist', 'hooks', 'pre-tool-use.js');
  const env = { PATH: process.env.PATH ?? '', HOME: join(root, 'home'), TZ: 'UTC' };
  const input = JSON.stringify({ session_id: 's1', hook_event_name: 'PreToolUse', tool_name: 'Bash', cwd: '/p' });
  const build = spawn(process.execPath, ['build.mjs'], { cwd: src, stdio: 'ignore' });
  const done = new Promise<number | null>((r) => build.once('exit', (code) => r(code)));
  let building = true;
  void done.then(() => (building = false));
  const failures: string[] = [];
  let runs = 0;
  while (building) {
    // Let the build's exit event in between runs (spawnSync holds the event loop while it waits).
    await new Promise((r) => setImmediate(r));
    const r = spawnSync(process.execPath, [hook], { input, env, encoding: 'utf8' });
    runs++;
    // Exit 0 with nothing or a JSON answer: a module that went missing mid-run would be an exit 1.
    if (r.status !== 0 || (r.stdout !== '' && !r.stdout.startsWith('{')))
      failures.push(`exit ${r.status}: ${r.stderr.slice(0, 200)}`);
  }
  assert.equal(await done, 0, 'the build succeeded');
  assert.ok(runs >= 3, `${runs} hook runs during the build`);
  assert.deepEqual(failures, [], `${failures.length} of ${runs} hook runs failed during the build`);
  assert.ok(existsSync(hook));
  assert.deepEqual(
    readdirSync(src).filter((n) => n.startsWith('dist.')),
    [],
    'no build folder left behind',
  );
});
