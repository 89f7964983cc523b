// `ccguard run` as a process, with a plain command standing in for Claude Code: the job's output
// passes through unchanged, its exit code is the run's, and Ctrl-C stops the job and ccguard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ccguard, CLI } from '../helpers/cli.ts';
import { hookEnv } from '../helpers/hookEnv.ts';
import { waitUntil } from '../helpers/poll.ts';

test("run: a job that ends by itself: its bytes pass through untouched and its exit code is ccguard's", (t) => {
  const e = hookEnv(t);
  const script =
    'process.stdout.write("{\\"type\\":\\"result\\"}\\nsecond line, é → ✓"); process.stderr.write("err\\n"); process.exit(7)';
  const r = ccguard(['run', '--', process.execPath, '-e', script], e.env);
  assert.equal(r.code, 7, r.stderr);
  assert.equal(r.stdout, '{"type":"result"}\nsecond line, é → ✓');
  assert.equal(r.stderr, 'err\n', "nothing of ccguard's own on a job that needed no resume");
  const missing = ccguard(['run', '--', 'no-such-command-ccguard'], e.env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /could not start no-such-command-ccguard: not found/);
  const none = ccguard(['run'], e.env);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs a command to run/);
});

test('run: Ctrl-C (SIGINT to ccguard) stops the job and exits 130', async (t) => {
  const e = hookEnv(t);
  const mark = join(e.home, 'job.log');
  const script = `const fs=require('fs');fs.writeFileSync(${JSON.stringify(mark)},'started\\n');process.on('SIGINT',()=>{fs.appendFileSync(${JSON.stringify(mark)},'sigint\\n');process.exit(130)});setTimeout(()=>{},60000)`;
  const p = spawn(process.execPath, [CLI, 'run', '--', process.execPath, '-e', script], {
    env: { ...e.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<number | null>((r) => p.on('close', r));
  assert.ok(await waitUntil(() => existsSync(mark), 20_000, 50), 'the job started');
  p.kill('SIGINT');
  assert.equal(await done, 130);
  assert.equal(readFileSync(mark, 'utf8'), 'started\nsigint\n', 'the job was told to stop');
});
