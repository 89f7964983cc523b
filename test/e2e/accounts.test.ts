// Two claude.ai accounts on one machine (two config folders, each with its own mock of the API) and an
// API-key session, with the real Claude Code CLI and one ccguard state folder: every figure, hold and
// lift is its own account's (README "Several accounts and API keys").
//
//   A: the default folder (~/.claude), hits its 5-hour limit (Claude Code writes its limit line);
//   B: CLAUDE_CONFIG_DIR=<root>/cfg-b, at 10% (its status line's reading), runs its tool call;
//   B's reading and B's `ccguard resume` leave A held: A's next session's tool call is denied;
//   an ANTHROPIC_API_KEY session in A's folder runs while A's subscription is at its limit.
// Lean on purpose: four CLI runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, toolResults, type MockApi } from '../helpers/mockApi.ts';
import { claudeMissingReason, describeRun, runClaude } from '../helpers/claude.ts';
import { ccguard } from '../helpers/cli.ts';
import { makeSubscriber, rejected429, unifiedHeaders, unixIn, writeClaudeJson } from '../helpers/subscriber.ts';
import { statusInput } from '../helpers/statusInput.ts';
import { removeTree } from '../helpers/tmp.ts';

const missing = claudeMissingReason();
const HOUR = 3_600_000;
const ECHO = { name: 'Bash', input: { command: 'echo hi', description: 'Say hi' } };

interface Ev {
  session_id: string | null;
  hook: string;
  decision: string;
  reason: string | null;
  source: string | null;
}

test(
  "two accounts and an API key: A's limit holds A only; B's reading and resume leave A held; the API-key session runs",
  { timeout: 600_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard-accounts-')));
    const mocks: MockApi[] = [];
    t.after(async () => {
      for (const m of mocks) await m.close();
      removeTree(root);
    });
    const home = join(root, 'home');
    const project = join(root, 'project');
    const cfgA = join(home, '.claude');
    const cfgB = join(root, 'cfg-b');
    mkdirSync(join(project, '.claude'), { recursive: true });
    mkdirSync(cfgB, { recursive: true });
    writeFileSync(
      join(project, '.claude', 'settings.json'),
      JSON.stringify({ permissions: { allow: ['Bash(echo hi)', 'Bash(echo:*)'] } }),
    );
    const cg = { HOME: home };
    const inst = ccguard(['install'], cg);
    assert.equal(inst.code, 0, inst.stderr);
    // B's folder gets the same hooks and status line (installing there is `install`'s own business).
    copyFileSync(join(cfgA, 'settings.json'), join(cfgB, 'settings.json'));

    const resetA = unixIn(HOUR);
    let phaseA: 'limit' | 'tool' = 'limit';
    const apiA = await start({
      text: 'done',
      toolUse: ECHO,
      script: (_req, ctx) =>
        phaseA === 'limit'
          ? rejected429({ resetsAt: resetA })
          : {
              ...ctx.defaultReply,
              headers: unifiedHeaders({
                status: 'allowed',
                fiveHour: { utilization: 0.02, resetsAt: unixIn(5 * HOUR) },
              }),
            },
    });
    mocks.push(apiA);
    const resetB = unixIn(3 * HOUR);
    const apiB = await start({
      text: 'done',
      toolUse: ECHO,
      script: (_req, ctx) => ({
        ...ctx.defaultReply,
        headers: unifiedHeaders({ status: 'allowed', fiveHour: { utilization: 0.1, resetsAt: resetB } }),
      }),
    });
    mocks.push(apiB);

    const envA = { ...makeSubscriber({ home, cwd: project, baseUrl: apiA.url }), CCGUARD_HOME: undefined };
    // B: its own sign-in and trusted project in its own folder.
    copyFileSync(join(cfgA, '.credentials.json'), join(cfgB, '.credentials.json'));
    writeClaudeJson(cfgB, [project]);
    const envB = {
      ...makeSubscriber({ home, cwd: project, baseUrl: apiB.url }),
      CLAUDE_CONFIG_DIR: cfgB,
      CCGUARD_HOME: undefined,
    };
    const run = (env: Record<string, string | undefined>, baseUrl: string) =>
      runClaude({ cwd: project, home, prompt: 'do the task', baseUrl, env, maxRetries: 0, timeoutMs: 120_000 });
    const events = (): Ev[] => JSON.parse(ccguard(['events', '--json', '--limit', '5000'], cg).stdout) as Ev[];
    const show = (ev: Ev[]) =>
      ev.map((e) => `${e.session_id?.slice(0, 8)} ${e.hook} ${e.decision} ${e.source} ${e.reason ?? ''}`).join('\n');

    // 1. A hits its 5-hour limit: Claude Code writes its limit line in A's folder.
    const a1 = await run(envA, apiA.url);
    assert.equal(a1.json?.api_error, 'usage_limit_reached', describeRun(a1));

    // 2. B, at 10% by its own status line, runs its tool call: A's limit is not B's.
    const readB = ccguard(['statusline'], { HOME: home, CLAUDE_CONFIG_DIR: cfgB }, statusInput('b-status', 10, resetB));
    assert.equal(readB.code, 0, readB.stderr);
    const beforeB = apiB.messageRequests().length;
    const b1 = await run(envB, apiB.url);
    const resB = apiB
      .messageRequests()
      .slice(beforeB)
      .flatMap((r) => toolResults(r));
    assert.ok(
      resB.length > 0 && resB.every((r) => !r.is_error),
      `B's tool call should run; results ${JSON.stringify(resB)}\n${describeRun(b1)}\n${show(events())}`,
    );
    const evB = events().filter((e) => e.session_id === b1.json?.session_id);
    assert.ok(
      evB.some((e) => e.hook === 'PreToolUse' && e.decision === 'allow'),
      `B's hooks ran and allowed its tool call:\n${show(evB)}`,
    );

    // 3. B's `resume` lifts nothing of A's, and says so; A's status still holds.
    const resume = ccguard(['resume'], { HOME: home, CLAUDE_CONFIG_DIR: cfgB });
    assert.equal(resume.code, 0, resume.stderr);
    assert.doesNotMatch(resume.stdout, /limit/, `B's resume must not name A's limit: ${resume.stdout}`);
    const stA = JSON.parse(ccguard(['status', '--json'], cg).stdout) as {
      recovery: { state: string };
      accounts?: { key: string; state: string }[];
    };
    assert.equal(stA.recovery.state, 'held', JSON.stringify(stA.recovery));
    const byKey = new Map((stA.accounts ?? []).map((a) => [a.key, a.state]));
    assert.equal(byKey.get(`dir:${cfgA}`), 'held', `status lists every account: ${JSON.stringify(stA.accounts)}`);
    assert.equal(byKey.get(`dir:${cfgB}`), 'normal', `status lists every account: ${JSON.stringify(stA.accounts)}`);

    // 4. A new session of A, before A's reset: its tool call is held on A's limit line. The session is
    // headless (no one there), so the hold is a deferral: the run stops at the tool call, which never runs.
    phaseA = 'tool';
    const beforeA = apiA.messageRequests().length;
    const a2 = await run(envA, apiA.url);
    const resA = apiA
      .messageRequests()
      .slice(beforeA)
      .flatMap((r) => toolResults(r));
    const evA = events().filter((e) => e.session_id === a2.json?.session_id);
    const held = evA.find((e) => e.hook === 'PreToolUse' && e.decision === 'defer');
    assert.ok(
      held && resA.every((r) => r.is_error),
      `A's tool call should be held; results ${JSON.stringify(resA)}\n${describeRun(a2)}\n${show(evA)}`,
    );
    assert.equal((a2.json as { stop_reason?: string } | null)?.stop_reason, 'tool_deferred', describeRun(a2));
    assert.match(held.source ?? '', /^server:limit_line/);

    // 5. An API-key session in A's folder while A's subscription is at its limit: no window binds it.
    const beforeK = apiA.messageRequests().length;
    const k1 = await run({ ...envA, ANTHROPIC_API_KEY: 'test' }, apiA.url);
    const resK = apiA
      .messageRequests()
      .slice(beforeK)
      .flatMap((r) => toolResults(r));
    const evK = events().filter((e) => e.session_id === k1.json?.session_id);
    assert.ok(
      resK.length > 0 && resK.every((r) => !r.is_error),
      `the API-key session's tool call should run; results ${JSON.stringify(resK)}\n${describeRun(k1)}\n${show(evK)}`,
    );
    assert.ok(
      evK.some((e) => e.hook === 'PreToolUse' && e.decision === 'allow') && !evK.some((e) => e.decision === 'deny'),
      `the API-key session's hooks ran and allowed:\n${show(evK)}`,
    );
    assert.ok(
      readFileSync(join(home, '.claude', 'ccguard', 'state.db')).length > 0,
      'one state folder for every account',
    );
  },
);
