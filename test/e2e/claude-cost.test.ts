// Transcripts written by the real Claude Code CLI: ccguard's tokens and cost per session must equal
// what Claude Code itself reports (total_cost_usd, usage) for each session.
import { removeTree } from '../helpers/tmp.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type MockUsage } from '../helpers/mockApi.ts';
import { claudeMissingReason, describeRun, runClaude } from '../helpers/claude.ts';
import { ccguard } from '../helpers/cli.ts';

const missing = claudeMissingReason();

interface Case {
  model: string | null;
  tool: MockUsage;
  text: MockUsage;
}

const CASES: Case[] = [
  // The CLI's default model (claude-opus-5-5 on 2.1.330).
  {
    model: null,
    tool: {
      input_tokens: 1500,
      output_tokens: 90,
      cache_creation: { ephemeral_5m_input_tokens: 4000, ephemeral_1h_input_tokens: 2500 },
      cache_read_input_tokens: 30000,
    },
    text: { input_tokens: 40, output_tokens: 15, cache_read_input_tokens: 36000 },
  },
  {
    model: 'claude-sonnet-4-5',
    tool: { input_tokens: 1234, output_tokens: 567, cache_creation_input_tokens: 8901, cache_read_input_tokens: 23456 },
    text: {
      input_tokens: 12,
      output_tokens: 34,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 700 },
    },
  },
  {
    model: 'claude-haiku-4-5',
    tool: { input_tokens: 20000, output_tokens: 3000, cache_read_input_tokens: 100 },
    text: { input_tokens: 5, output_tokens: 6 },
  },
  {
    model: 'claude-opus-4-5',
    tool: {
      input_tokens: 3,
      output_tokens: 789,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      cache_read_input_tokens: 50000,
    },
    text: { input_tokens: 7, output_tokens: 8 },
  },
];

test(
  "real CLI transcripts: per-session tokens and cost equal Claude Code's own total_cost_usd",
  { timeout: 240_000 },
  async (t) => {
    if (missing) {
      t.skip(missing);
      return;
    }
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard-cost-')));
    t.after(() => removeTree(root));
    const home = join(root, 'home');
    const project = join(root, 'project');
    mkdirSync(home);
    mkdirSync(project);
    const expected = new Map<
      string,
      { cost: number; input: number; output: number; cacheRead: number; cacheWrite: number }
    >();
    for (const [i, c] of CASES.entries()) {
      let n = 0;
      const api = await start({
        script: (req, ctx) => {
          n++;
          const def = ctx.defaultReply;
          // Message ids unique across runs, as the real API's are (each mock server counts from 1).
          const id = `msg_case${i}_${n}`;
          return def.kind === 'tool_use'
            ? { ...def, id, usage: c.tool }
            : def.kind === 'text'
              ? { ...def, id, usage: c.text }
              : def;
        },
        toolUse: { name: 'Bash', input: { command: 'true', description: 'noop' } },
        text: 'done',
      });
      try {
        const run = await runClaude({
          cwd: project,
          home,
          prompt: 'run true',
          baseUrl: api.url,
          maxRetries: 0,
          args: c.model ? ['--model', c.model] : [],
        });
        assert.equal(run.exitCode, 0, describeRun(run));
        const j = run.json!;
        assert.ok(j.session_id && typeof j.total_cost_usd === 'number' && j.total_cost_usd > 0, describeRun(run));
        assert.equal(n, 2, 'one tool call, then text');
        const sum = (k: keyof MockUsage): number =>
          [c.tool, c.text].reduce((a, u) => a + ((u[k] as number | undefined) ?? 0), 0);
        const write = [c.tool, c.text].reduce(
          (a, u) =>
            a +
            (u.cache_creation
              ? (u.cache_creation.ephemeral_5m_input_tokens ?? 0) + (u.cache_creation.ephemeral_1h_input_tokens ?? 0)
              : (u.cache_creation_input_tokens ?? 0)),
          0,
        );
        expected.set(j.session_id, {
          cost: j.total_cost_usd,
          input: sum('input_tokens'),
          output: sum('output_tokens'),
          cacheRead: sum('cache_read_input_tokens'),
          cacheWrite: write,
        });
      } finally {
        await api.close();
      }
    }
    const env = { HOME: home };
    const imp = ccguard(['import'], env);
    assert.equal(imp.code, 0, imp.stderr);
    const sessions = JSON.parse(ccguard(['report', 'sessions', '--json'], env).stdout) as {
      session_id: string;
      cost_usd: number;
      tokens: { input: number; output: number; cache_creation: number; cache_read: number };
    }[];
    assert.equal(sessions.length, CASES.length);
    for (const s of sessions) {
      const e = expected.get(s.session_id);
      assert.ok(e, `session ${s.session_id} was run`);
      assert.ok(
        Math.abs(s.cost_usd - e.cost) < 1e-9,
        `session ${s.session_id}: ccguard $${s.cost_usd} vs Claude Code $${e.cost}`,
      );
      assert.deepEqual(s.tokens, {
        input: e.input,
        output: e.output,
        cache_creation: e.cacheWrite,
        cache_read: e.cacheRead,
      });
    }
  },
);
