import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  encodeCwd,
  generateHistory,
  MALFORMED_KINDS,
  parseSize,
  type GenerateOptions,
  type GenerateResult,
} from '../../bench/generate.ts';
import { LIMIT_WORDINGS } from '../../bench/lib/text.ts';
import { runCcusageBlocks, runCcusageSessions } from '../helpers/ccusage.ts';

const ALL_FEATURES = {
  duplicateBlockLines: true,
  subagents: true,
  apiErrors: true,
  limitMessages: true,
  malformed: true,
  partialLastLine: true,
  resumedSessions: true,
};

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out.sort();
}

async function digest(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(root)) {
    out.set(
      relative(root, f).split(sep).join('/'),
      createHash('sha256')
        .update(await readFile(f))
        .digest('hex'),
    );
  }
  return out;
}

describe('bench/generate', () => {
  let tmp: string;
  let a: GenerateResult;
  const opts = (root: string): GenerateOptions => ({
    root,
    targetBytes: 400_000,
    seed: 42,
    start: new Date('2026-01-05T00:00:00.000Z'),
    days: 2,
    projects: 3,
    features: ALL_FEATURES,
  });

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ccguard-gen-test-'));
    a = await generateHistory(opts(join(tmp, 'a')));
  });

  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('is deterministic for a seed: same bytes twice, different bytes for another seed', async () => {
    const b = await generateHistory(opts(join(tmp, 'b')));
    const da = await digest(join(tmp, 'a'));
    const db = await digest(join(tmp, 'b'));
    assert.deepEqual([...db.entries()], [...da.entries()]);
    assert.equal(b.bytes, a.bytes);
    assert.deepEqual(b.expected, {
      ...a.expected,
      files: a.expected.files.map((f, i) => ({ ...f, path: b.expected.files[i]?.path ?? '' })),
    });
    const c = await generateHistory({ ...opts(join(tmp, 'c')), seed: 43 });
    const dc = await digest(join(tmp, 'c'));
    assert.notDeepEqual([...dc.values()].sort(), [...da.values()].sort());
    assert.ok(c.bytes > 0);
  });

  it('writes about targetBytes into the Claude Code layout', async () => {
    const root = join(tmp, 'a');
    assert.ok(a.bytes > 250_000 && a.bytes < 600_000, `bytes ${a.bytes}`);
    const onDisk = await listFiles(root);
    assert.deepEqual(onDisk, [...a.files].sort());
    let total = 0;
    for (const f of a.expected.files) {
      const st = await stat(f.path);
      assert.equal(st.size, f.bytes, f.relPath);
      total += st.size;
      assert.equal(f.projectDir, encodeCwd(f.cwd));
      if (f.kind === 'session') {
        assert.match(f.relPath, /^projects\/-home-dev-code-[a-z-]+\/[0-9a-f-]{36}\.jsonl$/);
        assert.equal(f.relPath, `projects/${f.projectDir}/${f.sessionId}.jsonl`);
      } else {
        assert.equal(f.relPath, `projects/${f.projectDir}/${f.sessionId}/subagents/agent-${f.agentId ?? ''}.jsonl`);
        // the parent session's own transcript sits next to its subagents directory
        assert.ok(
          a.expected.files.some(
            (p) => p.kind === 'session' && p.relPath === `projects/${f.projectDir}/${f.sessionId}.jsonl`,
          ),
        );
      }
      const buf = await readFile(f.path);
      assert.equal(buf.at(-1) === 0x0a, !f.partialLastLine, `${f.relPath} trailing newline`);
    }
    assert.equal(total, a.bytes);
  });

  it('has every feature in a small history', () => {
    const t = a.expected.totals;
    assert.ok(t.sessionFiles >= 3, `sessions ${t.sessionFiles}`);
    assert.ok(t.subagentFiles >= 1);
    assert.ok(t.responses >= 40);
    assert.equal(a.responses, t.responses);
    assert.ok(t.duplicateLines > 0, 'several lines per response');
    assert.ok(t.apiErrorLines >= 1 && t.systemApiErrorLines >= 1);
    assert.ok(t.partialLastLines >= 1);
    assert.ok(t.malformedLines >= MALFORMED_KINDS.length);
    for (const k of MALFORMED_KINDS) assert.ok(t.malformedByKind[k] >= 1, k);
    assert.equal(
      Object.values(t.malformedByKind).reduce((x, y) => x + y, 0),
      t.malformedLines,
    );
    assert.deepEqual(new Set(a.expected.limitMessages.map((m) => m.wording)), new Set(LIMIT_WORDINGS));
    assert.equal(t.limitMessages, a.expected.limitMessages.length);
    assert.ok(Object.keys(t.byModel).length >= 2, 'mixed models');
    assert.equal(t.tokens.total, t.tokens.input + t.tokens.output + t.tokens.cacheCreation + t.tokens.cacheRead);
    // per-file distinct responses add up once cross-file copies are removed
    const perFile = a.expected.files.reduce((s, f) => s + f.responses, 0);
    assert.equal(perFile - t.crossFileDuplicateResponses, t.responses);
    // > 5 h of continuous work: a block ended by its 5-hour end, the next one starting right there
    // (the > 5 h pause shows up as a ccusage gap block, checked below)
    const blocks = a.expected.ccusageBlocks;
    assert.ok(blocks.length >= 2);
    assert.ok(
      blocks.some((b, i) => {
        const n = blocks[i + 1];
        return n !== undefined && n.startTime === b.endTime;
      }),
      'a block ended by its 5-hour end',
    );
  });

  it('is readable by ccusage, which agrees with the expected blocks', async () => {
    const blocks = await runCcusageBlocks(join(tmp, 'a'));
    const real = blocks.filter((b) => !b.isGap);
    assert.ok(real.length >= 2, `non-gap blocks: ${real.length}`);
    assert.ok(
      blocks.some((b) => b.isGap),
      'a pause > 5 h (ccusage gap block)',
    );
    type Tokens = {
      inputTokens: number;
      outputTokens: number;
      cacheCreationInputTokens: number;
      cacheReadInputTokens: number;
    };
    const shape = (b: {
      startTime: string;
      endTime: string;
      actualEndTime: string | null;
      entries: number;
      totalTokens: number;
      tokenCounts: Tokens;
      models: string[];
    }) => ({
      startTime: b.startTime,
      endTime: b.endTime,
      actualEndTime: b.actualEndTime,
      entries: b.entries,
      totalTokens: b.totalTokens,
      tokens: [
        b.tokenCounts.inputTokens,
        b.tokenCounts.outputTokens,
        b.tokenCounts.cacheCreationInputTokens,
        b.tokenCounts.cacheReadInputTokens,
      ],
      models: [...b.models].sort(),
    });
    assert.deepEqual(real.map(shape), a.expected.ccusageBlocks.map(shape));
    const sessions = await runCcusageSessions(join(tmp, 'a'));
    assert.equal(sessions.totals.totalTokens, a.expected.totals.tokens.total);
  });

  it('parses sizes', () => {
    assert.equal(parseSize('100MB'), 100_000_000);
    assert.equal(parseSize('1GB'), 1_000_000_000);
    assert.equal(parseSize('512KiB'), 512 * 1024);
    assert.equal(parseSize('300000'), 300_000);
    assert.throws(() => parseSize('ten'));
  });
});
