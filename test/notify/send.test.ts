// The desktop notification, from a hook's call to what the notifier receives: the built worker runs
// detached, hands the notifier its words as arguments (never through a shell), and logs a failure.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendDetached, workerPath } from '../../lib/notify/send.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { waitUntil } from '../helpers/poll.ts';

const linux = process.platform === 'linux';

function notifierHome(t: TestContext, script: string) {
  const h = tmpHome(t, 'ccguard-notify-');
  const bin = join(h.home, 'bin');
  mkdirSync(bin);
  const capture = join(h.home, 'received');
  writeFileSync(join(bin, 'notify-send'), script.replaceAll('CAPTURE', capture));
  chmodSync(join(bin, 'notify-send'), 0o755);
  const env = { ...process.env, HOME: h.home, PATH: `${bin}:/usr/bin:/bin` };
  return { ...h, capture, env, logFile: join(h.home, 'ccguard.log') };
}

test('the built worker exists where sendDetached looks for it', () => {
  assert.ok(existsSync(workerPath()), `${workerPath()} (npm run build makes it)`);
});

test(
  'a notice reaches notify-send as separate arguments: quotes and $(...) arrive as written, nothing runs',
  { skip: !linux && 'notify-send is the Linux path' },
  async (t) => {
    const h = notifierHome(t, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > 'CAPTURE'\n`);
    const title = `ccguard: "limit" $(touch ${join(h.home, 'pwned')})`;
    const message = "it's 95% `id` ; rm -rf nothing";
    assert.equal(sendDetached({ title, message, logFile: h.logFile }, h.env), true);
    const got = await waitUntil(() => existsSync(h.capture) && readFileSync(h.capture, 'utf8'), 10_000);
    assert.equal(got, `--app-name=ccguard\n${title}\n${message}\n`);
    assert.equal(existsSync(join(h.home, 'pwned')), false, 'no shell ran the title');
    assert.equal(existsSync(h.logFile), false, 'a delivered notice logs nothing');
  },
);

test(
  'a notifier that fails is logged, one line naming the failure, and never thrown at the caller',
  { skip: !linux && 'notify-send is the Linux path' },
  async (t) => {
    const h = notifierHome(t, `#!/bin/sh\necho 'no session bus' >&2\nexit 1\n`);
    assert.equal(sendDetached({ title: 't', message: 'm', logFile: h.logFile }, h.env), true);
    const log = await waitUntil(() => existsSync(h.logFile) && readFileSync(h.logFile, 'utf8'), 10_000);
    assert.ok(log, 'the failure reached the log');
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'warn');
    assert.match(lines[0]!.msg, /^desktop notification not delivered: .*notify-send/);
  },
);
