import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHistory } from '../../bench/generate.ts';
import { runCcusageBlocks } from '../helpers/ccusage.ts';
import { ccguard } from '../helpers/cli.ts';

interface Row {
  start: string;
  end: string;
  entries: number;
  tokens: { input: number; output: number; cache_creation: number; cache_read: number };
  models: string[];
}

async function compare(root: string, env: Record<string, string>): Promise<number> {
  const imp = ccguard(['import'], env);
  assert.equal(imp.code, 0, imp.stderr);
  const ours = JSON.parse(ccguard(['report', 'blocks', '--json'], env).stdout) as Row[];
  const theirs = (await runCcusageBlocks(root)).filter((b) => !b.isGap);
  assert.equal(ours.length, theirs.length, 'same number of blocks');
  theirs.forEach((t, i) => {
    const o = ours[i]!;
    const at = `block ${t.startTime}`;
    assert.equal(o.start, t.startTime, at);
    assert.equal(o.end, t.endTime, at);
    assert.equal(o.entries, t.entries, `${at}: entries`);
    assert.deepEqual(
      o.tokens,
      {
        input: t.tokenCounts.inputTokens,
        output: t.tokenCounts.outputTokens,
        cache_creation: t.tokenCounts.cacheCreationInputTokens,
        cache_read: t.tokenCounts.cacheReadInputTokens,
      },
      `${at}: tokens`,
    );
    assert.deepEqual([...o.models].sort(), [...t.models].sort(), `${at}: models`);
  });
  return theirs.length;
}

test('block totals equal ccusage blocks --json --offline on a generated history, before and after it changes', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ccguard-parity-'));
  try {
    const root = join(tmp, 'claude');
    const res = await generateHistory({
      root,
      targetBytes: 3_000_000,
      seed: 7,
      start: new Date('2026-03-02T00:00:00.000Z'),
      days: 6,
      projects: 3,
    });
    const env = { HOME: tmp, CLAUDE_CONFIG_DIR: root, CCGUARD_HOME: join(tmp, 'state') };
    const n = await compare(root, env);
    assert.ok(n >= 5, `a history with several blocks (${n})`);
    assert.ok(res.expected.totals.malformedLines > 0, 'the history has malformed lines');

    // The history changes: one file truncated and rewritten, another grows, a partial line completes.
    const files = res.files.filter((f) => f.endsWith('.jsonl'));
    const victim = files[0]!;
    const keep = readFileSync(victim, 'utf8').split('\n').slice(0, 5).join('\n') + '\n';
    truncateSync(victim, 0);
    writeFileSync(victim, keep);
    const grower = files[files.length - 1]!;
    const text = readFileSync(grower, 'utf8');
    if (!text.endsWith('\n')) appendFileSync(grower, '\n');
    await compare(root, env);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
