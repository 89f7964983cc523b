// End-to-end smoke tests: the real Claude Code CLI against the local mock Messages API.
// They check the harness itself (mock + runner) and the CLI behaviour the project relies on:
// tool calls run, cost and usage are reported, transcripts carry the usage the API sent, and a
// PreToolUse hook's deny reaches the model as a tool_result.
import { removeTree } from '../helpers/tmp.ts';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUsage, start, toolResults, type MockUsage } from '../helpers/mockApi.ts';
import {
  claudeMissingReason,
  describeRun,
  findTranscripts,
  projectDirName,
  readJsonl,
  runClaude,
} from '../helpers/claude.ts';

const missing = claudeMissingReason();
const RUN_TIMEOUT_MS = 60_000;

interface Sandbox {
  root: string;
  home: string;
  project: string;
  marker: string;
}

function sandbox(t: TestContext): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard-e2e-')));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
  t.after(() => removeTree(root));
  return { root, home, project, marker: join(root, 'marker') };
}

function writeProjectSettings(project: string, settings: unknown): void {
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(join(project, '.claude', 'settings.json'), JSON.stringify(settings, null, 2));
}

test('real CLI: one Bash tool call, then text; cost, usage and transcript', { timeout: 90_000 }, async (t) => {
  if (missing) {
    t.skip(missing);
    return;
  }
  const box = sandbox(t);
  const toolUsage: MockUsage = {
    input_tokens: 1200,
    output_tokens: 80,
    cache_creation_input_tokens: 3000,
    cache_read_input_tokens: 20000,
  };
  const textUsage: MockUsage = {
    input_tokens: 50,
    output_tokens: 12,
    cache_read_input_tokens: 23000,
    cache_creation_input_tokens: 0,
  };
  const api = await start({
    toolUse: {
      name: 'Bash',
      input: { command: `touch ${box.marker}`, description: 'create marker' },
      usage: toolUsage,
    },
    text: 'done',
    usage: textUsage,
  });
  t.after(() => api.close());

  const run = await runClaude({
    cwd: box.project,
    home: box.home,
    prompt: 'create the marker file',
    baseUrl: api.url,
    maxRetries: 0,
    timeoutMs: RUN_TIMEOUT_MS,
  });
  const info = describeRun(run);
  assert.equal(run.timedOut, false, info);
  assert.equal(run.exitCode, 0, info);
  assert.ok(existsSync(box.marker), `the Bash tool call did not run\n${info}`);

  // Two main-loop requests: the first answered with the tool call, the second (carrying its tool_result) with text.
  const calls = api.messageRequests();
  assert.equal(calls.length, 2, info);
  assert.equal(calls[0]?.reply?.kind, 'tool_use');
  assert.equal(calls[1]?.reply?.kind, 'text');
  assert.equal(toolResults(calls[1]).length, 1);
  assert.equal(toolResults(calls[1])[0]?.is_error, false);

  const json = run.json;
  assert.ok(json, `no JSON result\n${info}`);
  assert.equal(json.type, 'result');
  assert.equal(json.is_error, false, info);
  assert.equal(json.result, 'done');
  assert.equal(typeof json.total_cost_usd, 'number');
  assert.ok((json.total_cost_usd ?? 0) > 0, `total_cost_usd should be > 0\n${info}`);
  // The result's usage is the sum over both responses.
  const u1 = resolveUsage(textUsage, toolUsage);
  const u2 = resolveUsage(textUsage);
  assert.equal(json.usage?.input_tokens, u1.input_tokens + u2.input_tokens);
  assert.equal(json.usage?.output_tokens, u1.output_tokens + u2.output_tokens);
  assert.equal(json.usage?.cache_read_input_tokens, u1.cache_read_input_tokens + u2.cache_read_input_tokens);
  assert.equal(
    json.usage?.cache_creation_input_tokens,
    u1.cache_creation_input_tokens + u2.cache_creation_input_tokens,
  );

  // Transcript: <home>/.claude/projects/<cwd, non-alphanumerics as '-'>/<session_id>.jsonl
  const transcripts = findTranscripts(box.home);
  assert.equal(transcripts.length, 1, `transcripts: ${transcripts.join(', ')}`);
  const transcript = transcripts[0]!;
  assert.ok(transcript.includes(join('projects', projectDirName(box.project))), transcript);
  assert.ok(transcript.endsWith(`${json.session_id}.jsonl`), transcript);
  const assistant = readJsonl(transcript).filter((l) => l.type === 'assistant');
  assert.ok(assistant.length >= 2, 'expected assistant lines in the transcript');
  for (const call of calls) {
    const lines = assistant.filter((l) => l.message?.id === call.messageId);
    assert.ok(lines.length >= 1, `no transcript line for ${call.messageId}`);
    const sent = resolveUsage(textUsage, call.reply?.kind === 'tool_use' ? toolUsage : undefined);
    for (const line of lines) {
      assert.equal(line.requestId, call.requestId);
      assert.equal(line.message.model, call.body.model, 'the mock echoes the requested model');
      const got = line.message.usage;
      assert.equal(got.input_tokens, sent.input_tokens);
      assert.equal(got.output_tokens, sent.output_tokens);
      assert.equal(got.cache_creation_input_tokens, sent.cache_creation_input_tokens);
      assert.equal(got.cache_read_input_tokens, sent.cache_read_input_tokens);
    }
  }
});

test(
  'real CLI: a PreToolUse hook that denies blocks the tool and its reason reaches the model',
  { timeout: 90_000 },
  async (t) => {
    if (missing) {
      t.skip(missing);
      return;
    }
    const box = sandbox(t);
    const deny = JSON.stringify({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: 'blocked by test',
      },
    });
    // Exec form (command + args): spawned without a shell, so nothing needs quoting.
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>process.stdout.write(${JSON.stringify(deny)}))`;
    writeProjectSettings(box.project, {
      hooks: {
        PreToolUse: [
          {
            matcher: 'Bash',
            hooks: [{ type: 'command', command: process.execPath, args: ['-e', script], timeout: 30 }],
          },
        ],
      },
    });
    const api = await start({
      toolUse: { name: 'Bash', input: { command: `touch ${box.marker}` } },
      text: 'ok, not doing it',
    });
    t.after(() => api.close());

    const run = await runClaude({
      cwd: box.project,
      home: box.home,
      prompt: 'create the marker file',
      baseUrl: api.url,
      maxRetries: 0,
      timeoutMs: RUN_TIMEOUT_MS,
    });
    const info = describeRun(run);
    assert.equal(run.timedOut, false, info);
    assert.equal(run.exitCode, 0, info);
    assert.equal(existsSync(box.marker), false, `the hook should have blocked the tool call\n${info}`);

    const calls = api.messageRequests();
    assert.equal(calls.length, 2, info);
    const results = toolResults(calls[1]!);
    assert.equal(results.length, 1, JSON.stringify(calls[1]?.body?.messages?.at(-1)));
    assert.ok(results[0]!.text.includes('blocked by test'), `tool_result: ${results[0]!.text}`);
    assert.equal(results[0]!.is_error, true);
    assert.equal(run.json?.result, 'ok, not doing it');
  },
);

test(
  'real CLI: a 429 with retries off ends the turn with an API error line in the transcript',
  { timeout: 90_000 },
  async (t) => {
    if (missing) {
      t.skip(missing);
      return;
    }
    const box = sandbox(t);
    const api = await start({
      script: () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down (test)' }),
    });
    t.after(() => api.close());

    const run = await runClaude({
      cwd: box.project,
      home: box.home,
      prompt: 'hello',
      baseUrl: api.url,
      maxRetries: 0,
      timeoutMs: RUN_TIMEOUT_MS,
    });
    const info = describeRun(run);
    assert.equal(run.timedOut, false, info);
    assert.equal(run.exitCode, 1, info);
    assert.equal(api.messageRequests().length, 1, 'CLAUDE_CODE_MAX_RETRIES=0 should stop retries');
    assert.equal(run.json?.is_error, true, info);
    assert.equal(run.json?.api_error_status, 429, info);
    assert.equal(run.json?.total_cost_usd, 0);

    const transcript = findTranscripts(box.home)[0];
    assert.ok(transcript, 'no transcript');
    const errors = readJsonl(transcript).filter((l) => l.type === 'assistant' && l.isApiErrorMessage === true);
    assert.equal(errors.length, 1);
    const line = errors[0];
    assert.equal(line.error, 'rate_limit');
    assert.equal(line.apiErrorStatus, 429);
    assert.equal(line.message.model, '<synthetic>');
    assert.equal(line.message.usage.input_tokens, 0);
    assert.equal(line.message.usage.output_tokens, 0);
    assert.ok(String(line.message.content[0]?.text).includes('slow down (test)'));
  },
);
