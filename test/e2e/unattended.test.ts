// Unattended work recovers by itself (issue 20), with the real Claude Code CLI as a claude.ai subscriber
// against the local mock (/work/shared/docs/claude-code-subscriber.md §4): a headless run's held tool call is
// deferred, not denied; `ccguard run` carries a metered job across the usage wall and resumes a deferred
// session; interactive sessions are still denied; the webhook hears the job's three moments.
//
// Each test has its own HOME with ccguard installed and its own mock; they run concurrently (most of the
// time is spent waiting for a reset).
import { removeTree } from '../helpers/tmp.ts';
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { start, toolResults, type MockApi, type MockApiOptions } from '../helpers/mockApi.ts';
import { buildClaudeEnv, CLAUDE_BIN, claudeMissingReason, describeRun, runClaude } from '../helpers/claude.ts';
import { ccguard, CLI } from '../helpers/cli.ts';
import { makeSubscriber, rejected429, unixIn } from '../helpers/subscriber.ts';
import { CLAUDE_READY, interactiveMissingReason, startTmuxClaude } from '../helpers/tmux.ts';
import { waitUntil } from '../helpers/poll.ts';
import { onCleanup } from '../helpers/cleanup.ts';

const headlessMissing = claudeMissingReason();
const interactiveMissing = interactiveMissingReason();
const MIN = 60_000;

interface Ev {
  ts: string;
  session_id: string | null;
  hook: string;
  tool: string | null;
  decision: string;
  reason: string | null;
  detail: unknown;
}

interface Box {
  home: string;
  project: string;
  cg: { HOME: string };
}

function box(t: TestContext, config = ''): Box {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard-unatt-')));
  onCleanup(t, async () => {
    for (let i = 0; i < 3; i++) {
      removeTree(root);
      await sleep(1_000);
      if (!existsSync(root)) break;
    }
  });
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(
    join(project, '.claude', 'settings.json'),
    JSON.stringify({ permissions: { allow: ['Bash(echo:*)'] } }),
  );
  mkdirSync(join(home, '.claude', 'ccguard'), { recursive: true });
  writeFileSync(join(home, '.claude', 'ccguard', 'config.yaml'), config);
  const cg = { HOME: home };
  const inst = ccguard(['install'], cg);
  assert.equal(inst.code, 0, `ccguard install failed:\n${inst.stdout}\n${inst.stderr}`);
  return { home, project, cg };
}

/** The subscriber's environment as runClaude takes it (undefined removes a variable). */
function subEnv(b: Box, api: MockApi): Record<string, string | undefined> {
  return {
    ...makeSubscriber({ home: b.home, cwd: b.project, baseUrl: api.url }),
    CCGUARD_HOME: undefined,
    CCGUARD_DISABLE: undefined,
    NO_COLOR: '1',
  };
}

/** The whole environment of a process that runs Claude Code as the subscriber. */
function cliEnv(b: Box, api: MockApi): Record<string, string> {
  return buildClaudeEnv({ cwd: b.project, home: b.home, prompt: '', maxRetries: 0, env: subEnv(b, api) });
}

async function mock(t: TestContext, opts: MockApiOptions): Promise<MockApi> {
  const api = await start({ text: 'done', ...opts });
  onCleanup(t, () => api.close());
  return api;
}

/**
 * A mock that first rejects every request on the 5-hour limit (its reset `resetInMs` after the
 * rejection), then, once `toTool()` is called, answers with a Bash call that appends to ran.log.
 */
async function wallThenTool(
  t: TestContext,
  resetInMs: number,
): Promise<{ api: MockApi; toTool: () => void; resetsAt: () => number }> {
  let phase: 'limit' | 'tool' = 'limit';
  let resetsAt = 0;
  const api = await mock(t, {
    toolUse: { name: 'Bash', input: { command: 'echo ran >> ran.log', description: 'Mark' } },
    script: (_req, ctx) => {
      if (phase === 'limit') {
        resetsAt = unixIn(resetInMs);
        return rejected429({ resetsAt });
      }
      return ctx.defaultReply;
    },
  });
  return { api, toTool: () => (phase = 'tool'), resetsAt: () => resetsAt };
}

function events(b: Box): Ev[] {
  const r = ccguard(['events', '--json', '--limit', '5000'], b.cg);
  if (r.code !== 0) throw new Error(`ccguard events --json failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Ev[];
}

const showEv = (ev: Ev[]): string =>
  ev
    .map(
      (e) =>
        `${e.ts} ${e.session_id?.slice(0, 8) ?? '-'} ${e.hook} ${e.tool ?? ''} ${e.decision} reason=${JSON.stringify(e.reason)} detail=${JSON.stringify(e.detail)}`,
    )
    .join('\n');

interface Job {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `ccguard run -- claude …` as a user types it, in the project, to its end. */
function runJob(
  t: TestContext,
  b: Box,
  api: MockApi,
  claudeArgs: string[],
  extra: string[] = [],
): { done: Promise<Job>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, 'run', ...extra, '--', CLAUDE_BIN, ...claudeArgs], {
    cwd: b.project,
    env: cliEnv(b, api),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  onCleanup(t, () => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  const done = new Promise<Job>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, stderr: () => stderr };
}

/** The JSON results a job printed (one per run of claude -p --output-format json). */
const results = (stdout: string): any[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        return null;
      }
    })
    .filter((x): x is any => x !== null && (x as { type?: unknown }).type === 'result');

/** A local receiver for the webhook: every POST body, parsed. */
async function webhook(t: TestContext): Promise<{ url: string; got: any[] }> {
  const got: any[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        got.push(JSON.parse(body));
      } catch {
        got.push({ raw: body });
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(t, () => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

describe('unattended work recovers by itself', { concurrency: true }, () => {
  test(
    'a 6-step job through `ccguard run` crosses the wall (4 requests a window): every step once, in order, at most one rejected request; the webhook hears waiting, resumed, finished',
    { timeout: 300_000 },
    async (t) => {
      if (headlessMissing) return t.skip(headlessMissing);
      const hook = await webhook(t);
      const log = 'steps.log';
      const api = await mock(t, {
        // Under a minute, with room for four requests on a busy machine.
        meter: { budget: 4, windowMs: 50_000 },
        script: (req) => {
          const done = toolResults(req).length;
          if (done < 6) {
            return {
              kind: 'tool_use',
              name: 'Bash',
              input: { command: `echo step-${done + 1} >> ${log}`, description: `Step ${done + 1}` },
            };
          }
          return { kind: 'text', text: 'ALL-DONE' };
        },
      });
      const b = box(t, `notifications:\n  webhook:\n    url: ${hook.url}\n    format: json\n`);
      // Text output: nothing for ccguard to read there; it learns where the run stopped from its hooks.
      const job = runJob(t, b, api, ['-p', 'Do the six steps of the job', '--allowedTools', 'Bash']);
      const r = await job.done;
      const ev = events(b);
      const steps = existsSync(join(b.project, log))
        ? readFileSync(join(b.project, log), 'utf8').trim().split('\n')
        : [];
      const what = `exit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 3000)}\nsteps: ${JSON.stringify(steps)}\nmeter: ${JSON.stringify(api.meter)}\nevents:\n${showEv(ev.filter((e) => e.decision !== 'allow' && e.decision !== 'record'))}`;
      assert.deepEqual(
        steps,
        ['step-1', 'step-2', 'step-3', 'step-4', 'step-5', 'step-6'],
        `every step exactly once, in order\n${what}`,
      );
      assert.equal(r.code, 0, `the job's own exit code (it ended by itself)\n${what}`);
      assert.ok(api.meter.rejected <= 1, `at most one rejected request\n${what}`);
      assert.match(r.stderr, /resuming session/, `the job crossed the wall and was resumed\n${what}`);
      // Claude Code runs no StopFailure hook in `claude -p` on the limit: SessionEnd records the stop, under the job's run id.
      const stops = ev.filter((e) => e.decision === 'limit_stop');
      assert.ok(
        stops.length === 1 &&
          stops[0]!.hook === 'SessionEnd' &&
          typeof (stops[0]!.detail as { run?: unknown }).run === 'string',
        `one limit stop recorded by the job's hooks\n${what}`,
      );
      assert.match(r.stdout, /ALL-DONE\n$/, `the job's own output passes through: its last answer\n${what}`);

      const titles = await waitUntil(
        () => {
          const ts = hook.got.map((g) => String(g.title ?? ''));
          return ['waiting', 'resumed', 'finished'].every((w) => ts.some((x) => x.includes(w))) ? ts : null;
        },
        20_000,
        250,
      );
      assert.ok(
        titles,
        `the webhook receives: limit reached with the time it resumes, the job resumed, the job finished; got ${JSON.stringify(hook.got)}`,
      );
      const waiting = hook.got.find((g) => String(g.title).includes('waiting'));
      assert.match(String(waiting.message), /resumes by itself at (\w{3} )?\d\d:\d\d/, JSON.stringify(waiting));
      for (const g of hook.got) assert.equal(typeof g.text, 'string', 'the JSON shape carries text too');
      assert.ok(!JSON.stringify(hook.got).includes('Do the six steps'), 'no prompt text goes out');
    },
  );

  test(
    'a held headless tool call is deferred (tool_deferred), listed by status with its resume command, and runs exactly once after `ccguard run` resumes it',
    { timeout: 300_000 },
    async (t) => {
      if (headlessMissing) return t.skip(headlessMissing);
      const wall = await wallThenTool(t, 45_000);
      const api = wall.api;
      const b = box(t);
      const a = await runClaude({
        cwd: b.project,
        home: b.home,
        prompt: 'hit the wall',
        env: subEnv(b, api),
        maxRetries: 0,
      });
      assert.equal(a.json?.api_error, 'usage_limit_reached', `session A ends on the limit\n${describeRun(a)}`);

      wall.toTool();
      const job = runJob(t, b, api, ['-p', 'Mark the file', '--allowedTools', 'Bash', '--output-format', 'json']);
      // While it waits: the session is listed with the command that resumes it.
      let st: any;
      const listed = await waitUntil(
        () => {
          const s = ccguard(['status', '--json', '--fresh'], b.cg);
          st = s.code === 0 ? JSON.parse(s.stdout) : null;
          return st?.waiting?.find((w: any) => w.kind === 'deferred');
        },
        60_000,
        1_000,
      );
      assert.ok(
        listed,
        `status --json lists the deferred session; got ${JSON.stringify(st?.waiting)}\njob stderr:\n${job.stderr()}`,
      );
      assert.match(listed.resume_command, new RegExp(`run --resume ${listed.session_id}$`));
      assert.equal(listed.folder, b.project);
      assert.equal(listed.tool, 'Bash');
      assert.ok(
        listed.hold_until && Date.parse(listed.hold_until) >= wall.resetsAt() * 1000 - 1000,
        JSON.stringify(listed),
      );
      const text = ccguard(['status', '--fresh'], b.cg).stdout;
      assert.match(text, /Waiting unattended sessions/);
      assert.ok(text.includes(listed.resume_command), text);
      assert.equal(existsSync(join(b.project, 'ran.log')), false, 'the deferred call has not run before the reset');

      const r = await job.done;
      const ev = events(b);
      const what = `exit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 3000)}\nevents:\n${showEv(ev.filter((e) => e.decision !== 'allow' && e.decision !== 'record'))}`;
      const res = results(r.stdout);
      assert.equal(res[0]?.stop_reason, 'tool_deferred', `the first run ends deferred\n${what}`);
      assert.equal(res[0]?.deferred_tool_use?.name, 'Bash', what);
      const defer = ev.find((e) => e.hook === 'PreToolUse' && e.decision === 'defer');
      assert.ok(defer, `a PreToolUse defer event\n${what}`);
      assert.equal(
        ev.filter((e) => e.hook === 'PreToolUse' && e.decision === 'deny').length,
        0,
        `no deny in an unattended session\n${what}`,
      );
      assert.equal(
        readFileSync(join(b.project, 'ran.log'), 'utf8'),
        'ran\n',
        `the deferred call ran exactly once after the resume\n${what}`,
      );
      const toolCalls = api.messageRequests().flatMap((q) => toolResults(q));
      assert.equal(
        toolCalls.length > 0 && toolCalls.every((x) => !x.is_error),
        true,
        `its result reached the model, no error: ${JSON.stringify(toolCalls)}`,
      );
      const resumedAt = ev.find(
        (e) => e.hook === 'PreToolUse' && e.decision !== 'defer' && Date.parse(e.ts) > Date.parse(defer.ts),
      );
      assert.ok(
        resumedAt && Date.parse(resumedAt.ts) >= wall.resetsAt() * 1000,
        `resumed only after the server's reset\n${what}`,
      );
      assert.equal(r.code, 0, what);
      const after = JSON.parse(ccguard(['status', '--json', '--fresh'], b.cg).stdout);
      // Session A, stopped on the limit and never resumed, still waits; the deferred one no longer does.
      assert.deepEqual(
        after.waiting.map((w: any) => [w.session_id, w.kind]),
        [[a.json?.session_id, 'limit']],
        `once resumed it is no longer listed: ${JSON.stringify(after.waiting)}`,
      );
    },
  );

  test(
    'cron/CI: a plain `claude -p` deferred by ccguard is resumed by the command `ccguard status` prints',
    { timeout: 300_000 },
    async (t) => {
      if (headlessMissing) return t.skip(headlessMissing);
      const wall = await wallThenTool(t, 40_000);
      const api = wall.api;
      const b = box(t);
      await runClaude({ cwd: b.project, home: b.home, prompt: 'hit the wall', env: subEnv(b, api), maxRetries: 0 });
      wall.toTool();
      const run = await runClaude({
        cwd: b.project,
        home: b.home,
        prompt: 'Mark the file',
        env: subEnv(b, api),
        maxRetries: 0,
      });
      assert.equal(run.json?.stop_reason, 'tool_deferred', describeRun(run));
      assert.equal(run.exitCode, 0, describeRun(run));
      const st = JSON.parse(ccguard(['status', '--json', '--fresh'], b.cg).stdout);
      const w = st.waiting.find((x: any) => x.session_id === run.json?.session_id);
      assert.ok(w, JSON.stringify(st.waiting));
      // The printed command, with Claude Code's own options after -- (from another folder: it finds its own).
      const words = (w.resume_command as string).split(' ');
      assert.deepEqual(words.slice(-3), ['run', '--resume', run.json?.session_id]);
      const child = spawn(
        process.execPath,
        [
          CLI,
          ...words.slice(words.indexOf('run')),
          '--',
          CLAUDE_BIN,
          '--allowedTools',
          'Bash',
          '--output-format',
          'stream-json',
          '--verbose',
        ],
        {
          cwd: tmpdir(),
          env: cliEnv(b, api),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      onCleanup(t, () => child.exitCode === null && child.kill('SIGKILL'));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      const what = `exit ${code}\nstderr:\n${stderr}\nstdout:\n${stdout.slice(0, 2000)}`;
      assert.equal(code, 0, what);
      assert.equal(
        readFileSync(join(b.project, 'ran.log'), 'utf8'),
        'ran\n',
        `the deferred call ran once, in its folder\n${what}`,
      );
      assert.equal(results(stdout).at(-1)?.session_id, run.json?.session_id, `the same session went on\n${what}`);
    },
  );

  test(
    'an interactive (tmux) session under the same hold is still denied, not deferred',
    { timeout: 300_000 },
    async (t) => {
      if (interactiveMissing) return t.skip(interactiveMissing);
      let phase: 'limit' | 'tool' = 'limit';
      const api = await mock(t, {
        toolUse: { name: 'Bash', input: { command: 'echo hi', description: 'Say hi' } },
        script: (req, ctx) => (phase === 'limit' ? rejected429({ resetsAt: unixIn(10 * MIN) }) : ctx.defaultReply),
      });
      const b = box(t);
      const a = await runClaude({
        cwd: b.project,
        home: b.home,
        prompt: 'hit the wall',
        env: subEnv(b, api),
        maxRetries: 0,
      });
      assert.equal(a.json?.api_error, 'usage_limit_reached', describeRun(a));
      phase = 'tool';
      const s = await startTmuxClaude({ cwd: b.project, env: cliEnv(b, api), args: ['--allowedTools', 'Bash'] });
      onCleanup(t, () => s.kill());
      await s.waitFor(CLAUDE_READY, 60_000, 'the interactive UI to be ready');
      await s.sendText('run echo hi');
      const pre = await waitUntil(() => events(b).find((e) => e.hook === 'PreToolUse'), 90_000, 1_000);
      const ev = events(b);
      assert.ok(
        pre,
        `a PreToolUse ran in the interactive session\nevents:\n${showEv(ev)}\nscreen:\n${await s.capture()}`,
      );
      assert.equal(pre.decision, 'deny', `interactive: deny, as before\n${showEv(ev)}`);
      assert.equal(ev.filter((e) => e.decision === 'defer').length, 0, `nothing deferred\n${showEv(ev)}`);
    },
  );
});
