import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assistantLine } from '../helpers/lines.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { ccguard, cliEnv } from '../helpers/cli.ts';
import { runCli } from '../helpers/hookProc.ts';

const T0 = Date.UTC(2026, 10, 20, 6, 0);

test('8 processes importing a growing history end with the totals of one clean import', async (t) => {
  const h = tmpHome(t);
  const files: string[] = [];
  for (let p = 0; p < 2; p++) {
    const dir = join(h.projects, `-proj-${p}`);
    mkdirSync(dir, { recursive: true });
    for (let s = 0; s < 2; s++) {
      const f = join(dir, `s${p}${s}.jsonl`);
      writeFileSync(f, '');
      files.push(f);
    }
  }
  let n = 0;
  const write = (count: number): void => {
    for (let i = 0; i < count; i++, n++) {
      const f = files[n % files.length]!;
      const line = assistantLine({ ts: T0 + n * 20_000, msgId: `m${n}`, session: f, input: 1 + (n % 7), output: 3 });
      // Every response twice, as Claude Code writes one line per content block; half of them split
      // across two writes so readers meet partial lines.
      if (n % 2 === 0) appendFileSync(f, line + '\n' + line + '\n');
      else {
        appendFileSync(f, line + '\n' + line.slice(0, 25));
        appendFileSync(f, line.slice(25) + '\n');
      }
    }
  };
  write(200);
  const env = { HOME: h.home };
  let writing = true;
  const writer = (async () => {
    while (writing) {
      write(25);
      await sleep(5);
    }
  })();
  // Half of them read with a reading thread, however little there is (lib/transcripts/parallel.ts).
  const threaded = { ...env, CCGUARD_IMPORT_THREADS: '1', CCGUARD_IMPORT_THREADS_MIN_BYTES: '0' };
  const runs = await Promise.all(
    Array.from({ length: 8 }, (_, i) => runCli(['import', '--json'], { env: cliEnv(i % 2 === 0 ? env : threaded) })),
  );
  writing = false;
  await writer;
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  // Catch up with what was written after the last import started.
  assert.equal(ccguard(['import'], env).code, 0);
  const shared = JSON.parse(ccguard(['report', 'blocks', '--json'], env).stdout) as {
    entries: number;
    tokens: unknown;
  }[];

  const clean = ccguard(['report', 'blocks', '--json'], { HOME: h.home, CCGUARD_HOME: join(h.home, 'clean') });
  assert.equal(clean.code, 0, clean.stderr);
  ccguard(['import'], { HOME: h.home, CCGUARD_HOME: join(h.home, 'clean') });
  const single = JSON.parse(
    ccguard(['report', 'blocks', '--json'], { HOME: h.home, CCGUARD_HOME: join(h.home, 'clean') }).stdout,
  ) as { entries: number; tokens: unknown }[];
  const sum = (bs: { entries: number }[]): number => bs.reduce((a, b) => a + b.entries, 0);
  assert.equal(sum(single), n);
  assert.equal(sum(shared), n);
  assert.deepEqual(
    shared.map((b) => [b.entries, b.tokens]),
    single.map((b) => [b.entries, b.tokens]),
  );
});
