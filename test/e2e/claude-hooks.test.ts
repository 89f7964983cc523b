// The hooks enforcing inside the real Claude Code CLI, against the local mock Messages API.
import { removeTree } from '../helpers/tmp.ts';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { start, toolResults, type MockApiOptions } from '../helpers/mockApi.ts';
import { claudeMissingReason, describeRun, projectDirName, runClaude } from '../helpers/claude.ts';
import { ccguard } from '../helpers/cli.ts';
import { writeProjectHooks } from '../helpers/projectHooks.ts';
import { assistantLine, userLine } from '../helpers/lines.ts';

const missing = claudeMissingReason();
const MIN = 60_000;

function box(t: TestContext, config = '') {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard-e2e-hooks-')));
  t.after(() => removeTree(root));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
  writeProjectHooks(project);
  const state = join(home, '.claude', 'ccguard');
  mkdirSync(state, { recursive: true });
  if (config) writeFileSync(join(state, 'config.yaml'), config);
  const transcripts = join(home, '.claude', 'projects', projectDirName(project));
  mkdirSync(transcripts, { recursive: true });
  // ccguard's commands run as the user's shell would for these API-key sessions: with the key set, so
  // they act on the same account the sessions' hooks do (README "Several accounts and API keys").
  return {
    root,
    home,
    project,
    marker: join(root, 'marker'),
    transcripts,
    env: { HOME: home, ANTHROPIC_API_KEY: 'test' },
  };
}

async function session(
  b: ReturnType<typeof box>,
  opts: MockApiOptions,
  extra: { args?: string[]; allowedTools?: string[]; maxRetries?: number } = {},
) {
  const api = await start({ text: 'done', ...opts });
  try {
    const run = await runClaude({
      cwd: b.project,
      home: b.home,
      prompt: 'do the task',
      baseUrl: api.url,
      maxRetries: extra.maxRetries ?? 0,
      allowedTools: extra.allowedTools,
      args: extra.args,
      timeoutMs: 90_000,
    });
    return { run, api, calls: api.messageRequests() };
  } finally {
    await api.close();
  }
}

const touch = (marker: string) => ({ name: 'Bash', input: { command: `touch ${marker}`, description: 'touch' } });

test('(1) under the limits a Bash tool call runs, and the hooks record it', { timeout: 120_000 }, async (t) => {
  if (missing) return t.skip(missing);
  const b = box(t, 'plan: 10000000\n');
  const { run } = await session(b, { toolUse: touch(b.marker) });
  assert.equal(run.exitCode, 0, describeRun(run));
  assert.ok(existsSync(b.marker), 'the tool ran');
  const ev = JSON.parse(ccguard(['events', '--json', '--session', run.json!.session_id!], b.env).stdout) as {
    hook: string;
    decision: string;
  }[];
  const hooks = new Set(ev.map((e) => e.hook));
  for (const h of ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Stop'])
    assert.ok(hooks.has(h), `${h} ran: ${[...hooks].join(', ')}`);
  assert.ok(ev.filter((e) => e.hook === 'PreToolUse').every((e) => e.decision === 'allow'));
});

test(
  '(2) with a history over the token limit the call is denied, nothing runs, and the model gets the reason',
  { timeout: 120_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    // Headless sessions are denied here as before (recovery.unattended: deny); the default defers them.
    const b = box(t, 'plan: 20000\nrecovery:\n  unattended: deny\n');
    // An earlier session in this block used 30,000 input + output tokens.
    const earlier = join(b.transcripts, `${randomUUID()}.jsonl`);
    writeFileSync(
      earlier,
      assistantLine({ ts: Date.now() - 20 * MIN, msgId: 'msg_hist_1', input: 25_000, output: 5_000 }) + '\n',
    );
    const { run, calls } = await session(b, { toolUse: touch(b.marker) });
    assert.equal(run.exitCode, 0, describeRun(run));
    assert.equal(existsSync(b.marker), false, 'the denied command did not run');
    assert.equal(calls.length, 2, describeRun(run) + JSON.stringify(ccguard(['events', '--json'], b.env).stdout));
    const result = toolResults(calls[1]!)[0]!;
    assert.equal(result.is_error, true);
    assert.match(
      result.text,
      /ccguard: the 5-hour limit is used up \(15\d%, local:config, the limit in your config\)\. Wait .*, until (\w{3} )?\d\d:\d\d\. Run `\S*node \S+ccguard\.js resume` to lift it\./,
    );
  },
);

test('(3) a 429 is recorded, and the next session is held back by the backoff', { timeout: 180_000 }, async (t) => {
  if (missing) return t.skip(missing);
  const b = box(t, 'plan: 10000000\nrecovery:\n  backoff:\n    base_seconds: 600\n');
  const first = await session(b, {
    script: [
      {
        kind: 'error',
        status: 429,
        type: 'rate_limit_error',
        message: 'Number of requests has exceeded your rate limit',
      },
    ],
  });
  assert.notEqual(first.run.exitCode, 0, 'the turn ended on the API error');
  const { run, calls } = await session(b, { toolUse: touch(b.marker) });
  // Its prompt is refused with the remaining wait: no request reaches the API, nothing runs.
  assert.equal(calls.length, 0, describeRun(run));
  assert.equal(existsSync(b.marker), false);
  const sid = run.json?.session_id;
  const evRun = ccguard(['events', '--json', '--decisions'], b.env);
  assert.equal(evRun.code, 0, evRun.stderr);
  const ev = JSON.parse(evRun.stdout) as {
    hook: string;
    decision: string;
    reason: string | null;
    session_id: string;
  }[];
  const held = ev.find((e) => e.hook === 'UserPromptSubmit' && e.decision === 'deny');
  assert.ok(held, JSON.stringify(ev));
  if (sid) assert.equal(held.session_id, sid);
  assert.match(
    held.reason ?? '',
    /rate limited by the API \(1 in a row\); backing off until (\w{3} )?\d\d:\d\d, \d+ min from now/,
  );
  const st = JSON.parse(ccguard(['status', '--json'], b.env).stdout) as {
    recovery: { state: string; backoff: { level: number } | null };
  };
  assert.equal(st.recovery.state, 'backoff');
  assert.equal(st.recovery.backoff?.level, 1);
});

test(
  "(3b) a 429 retried inside a turn: the tool call after it is denied with the backoff's wait",
  { timeout: 180_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    const b = box(t, 'plan: 10000000\nrecovery:\n  unattended: deny\n  backoff:\n    base_seconds: 600\n');
    const second = join(b.root, 'second');
    const { run, calls } = await session(
      b,
      {
        script: (req, ctx) => {
          if (ctx.index === 0) return { kind: 'tool_use', ...touch(b.marker) };
          if (ctx.index === 1) return { kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down' };
          if (ctx.index === 2) return { kind: 'tool_use', ...touch(second) };
          return { kind: 'text', text: 'done' };
        },
      },
      { maxRetries: 2 },
    );
    assert.equal(run.exitCode, 0, describeRun(run));
    assert.ok(existsSync(b.marker), 'the call before the 429 ran');
    assert.equal(existsSync(second), false, 'the call after it did not');
    const last = calls[calls.length - 1]!;
    const texts = toolResults(last).map((r) => r.text);
    assert.ok(
      texts.some((x) =>
        /ccguard: rate limited by the API \(1 in a row\); backing off until (\w{3} )?\d\d:\d\d/.test(x),
      ),
      texts.join(' | '),
    );
  },
);

test(
  '(4) a session that began more than time_threshold ago is paused and its prompt blocked until ccguard resume',
  { timeout: 180_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    const b = box(t, 'plan: 10000000\n');
    const sid = randomUUID();
    const file = join(b.transcripts, `${sid}.jsonl`);
    const began = Date.now() - 5 * 60 * MIN;
    writeFileSync(file, userLine(began, 'start the long task', sid) + '\n');
    appendFileSync(
      file,
      assistantLine({ ts: began + MIN, msgId: 'msg_old_1', session: sid, input: 10, output: 10 }) + '\n',
    );
    appendFileSync(
      file,
      assistantLine({ ts: Date.now() - 2 * MIN, msgId: 'msg_old_2', session: sid, input: 10, output: 10 }) + '\n',
    );
    const blocked = await session(b, { toolUse: touch(b.marker) }, { args: ['--resume', sid] });
    assert.equal(existsSync(b.marker), false, describeRun(blocked.run));
    assert.equal(blocked.calls.length, 0, 'the prompt never reached the API');
    const ev = JSON.parse(ccguard(['events', '--json', '--session', sid], b.env).stdout) as {
      hook: string;
      decision: string;
      reason: string;
    }[];
    const prompt = ev.find((e) => e.hook === 'UserPromptSubmit');
    assert.equal(prompt?.decision, 'deny', JSON.stringify(ev));
    assert.match(prompt.reason, /this session has run 5h 0\dm, past the 4\.5h limit/);
    assert.equal(ccguard(['resume'], b.env).code, 0);
    const after = await session(b, { toolUse: touch(b.marker) }, { args: ['--resume', sid] });
    assert.equal(after.run.exitCode, 0, describeRun(after.run));
    assert.ok(existsSync(b.marker), 'after resume the tool runs');
  },
);

test('(5) over the cost threshold a subagent call is denied and Bash is not', { timeout: 120_000 }, async (t) => {
  if (missing) return t.skip(missing);
  const b = box(t, 'plan: 100000000\nalerts:\n  cost_threshold: 1.0\n');
  writeFileSync(
    join(b.transcripts, `${randomUUID()}.jsonl`),
    assistantLine({
      ts: Date.now() - 10 * MIN,
      msgId: 'msg_cost_1',
      input: 400_000,
      output: 0,
      model: 'claude-opus-4-5-20251101',
    }) + '\n',
  );
  const { run, calls } = await session(
    b,
    {
      script: (req, ctx) =>
        ctx.index === 0
          ? {
              kind: 'tool_uses',
              calls: [
                {
                  name: 'Task',
                  input: { description: 'explore', prompt: 'look around', subagent_type: 'general-purpose' },
                },
                touch(b.marker),
              ],
            }
          : ctx.defaultReply.kind === 'tool_use'
            ? { kind: 'text', text: 'done' }
            : ctx.defaultReply,
    },
    { allowedTools: ['Bash', 'Task', 'Agent'] },
  );
  assert.equal(run.exitCode, 0, describeRun(run));
  assert.ok(existsSync(b.marker), 'Bash ran');
  const results = toolResults(calls[1]!);
  const denied = results.find((r) => /so (Task|Agent) is off/.test(r.text));
  assert.ok(denied, `the subagent call was denied: ${JSON.stringify(results)}`);
  assert.equal(denied.is_error, true);
});
