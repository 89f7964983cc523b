// The test helpers' cleanup (test/helpers/tmp.ts) must not fail a test because a process it started is still writing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpHome } from '../helpers/tmp.ts';

test('tmpHome cleanup removes the folder while another process keeps writing files into it', async () => {
  const h = tmpHome('ccguard-cleanup-');
  const dir = join(h.stateDir, 'busy');
  mkdirSync(dir, { recursive: true });
  // A writer that creates a new file every millisecond or so for a second, by absolute path.
  const writer = spawn(
    process.execPath,
    [
      '-e',
      `const fs=require('fs');const end=Date.now()+1000;let i=0;while(Date.now()<end){try{fs.mkdirSync(${JSON.stringify(dir)},{recursive:true});fs.writeFileSync(${JSON.stringify(dir)}+'/f'+(i++),'x')}catch{}}`,
    ],
    { stdio: 'ignore' },
  );
  await sleep(150);
  assert.doesNotThrow(() => h.cleanup());
  await new Promise((r) => writer.once('exit', r));
  h.cleanup();
  assert.equal(existsSync(h.home), false);
});
