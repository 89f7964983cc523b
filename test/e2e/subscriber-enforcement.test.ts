// ccguard installed into a temp HOME that is a claude.ai Max subscriber, with the real Claude Code CLI
// (headless and interactive in tmux) against the local mock, which sends the server's rate-limit headers,
// its 429 `rejected`, and the OAuth usage endpoint. What is checked: ccguard acts on the server's own
// figures (status line `rate_limits`, Claude Code's limit line, the usage endpoint) and keeps out of the
// way of Claude Code's own automatic continue. See /work/shared/docs/claude-code-subscriber.md.
//
// Each test has its own HOME (state in $HOME/.claude/ccguard; CCGUARD_HOME unset) and its own mock; they
// run concurrently (most of the time is spent waiting for a reset).
import { removeTree } from '../helpers/tmp.ts';
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { start, toolResults, type MockApi, type MockApiOptions, type RecordedRequest } from '../helpers/mockApi.ts';
import {
  buildClaudeEnv,
  claudeMissingReason,
  describeRun,
  findTranscripts,
  readJsonl,
  runClaude,
  type RunClaudeResult,
} from '../helpers/claude.ts';
import { ccguard } from '../helpers/cli.ts';
import {
  lastUserText,
  limitLines,
  makeSubscriber,
  rejected429,
  SUBSCRIBER_TOKEN,
  unifiedHeaders,
  unixIn,
  usageBody,
} from '../helpers/subscriber.ts';
import { CLAUDE_READY, interactiveMissingReason, startTmuxClaude, type TmuxSession } from '../helpers/tmux.ts';
import { sleepUntil, waitUntil } from '../helpers/poll.ts';
import { onCleanup } from '../helpers/cleanup.ts';

const headlessMissing = claudeMissingReason();
const interactiveMissing = interactiveMissingReason();
const MIN = 60_000;
const HOUR = 60 * MIN;
const ECHO = { name: 'Bash', input: { command: 'echo hi', description: 'Say hi' } };
const AUTO_CONTINUE_PROMPT = 'Your claude.ai usage limit has reset';
/** Headless sessions denied as before rather than deferred (the default): these tests check the deny. */
const UNATTENDED_DENY = 'recovery:\n  unattended: deny\n';

interface Ev {
  id: number;
  ts: string;
  session_id: string | null;
  hook: string;
  tool: string | null;
  decision: string;
  state: string | null;
  reason: string | null;
  source: string | null;
  sleep_ms: number;
  duration_ms: number | null;
  detail: unknown;
}

interface Box {
  root: string;
  home: string;
  project: string;
  /** Environment for `ccguard` commands. */
  cg: { HOME: string };
}

/** A temp HOME with ccguard installed (user scope, as a user would), a project allowing `echo hi`. */
function box(t: TestContext, config?: string): Box {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard-sub-')));
  onCleanup(t, async () => {
    // A detached child of a hook (a refresh, a notifier) can still open the store just after: look again.
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
  // The tool call the mock makes is allowed without a prompt (interactive sessions; headless ones also get
  // --allowedTools Bash from runClaude).
  writeFileSync(
    join(project, '.claude', 'settings.json'),
    JSON.stringify({ permissions: { allow: ['Bash(echo hi)', 'Bash(echo:*)'] } }, null, 2),
  );
  if (config !== undefined) {
    mkdirSync(join(home, '.claude', 'ccguard'), { recursive: true });
    writeFileSync(join(home, '.claude', 'ccguard', 'config.yaml'), config);
  }
  const cg = { HOME: home };
  // The status line is a default of install (it is where Claude Code hands over rate_limits).
  const inst = ccguard(['install'], cg);
  assert.equal(inst.code, 0, `ccguard install failed:\n${inst.stdout}\n${inst.stderr}`);
  const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8')) as {
    statusLine?: { command?: string };
  };
  assert.ok(
    settings.statusLine?.command,
    `ccguard install is expected to set up its status line by default; settings: ${JSON.stringify(settings).slice(0, 500)}`,
  );
  return { root, home, project, cg };
}

/** The environment for the CLI: a subscriber against `api`, without anything that would redirect ccguard. */
function cliEnv(b: Box, api: MockApi): Record<string, string | undefined> {
  return {
    ...makeSubscriber({ home: b.home, cwd: b.project, baseUrl: api.url }),
    CCGUARD_HOME: undefined,
    CCGUARD_DISABLE: undefined,
    CCGUARD_DEBUG: undefined,
  };
}

function events(b: Box): Ev[] {
  const r = ccguard(['events', '--json', '--limit', '5000'], b.cg);
  if (r.code !== 0) throw new Error(`ccguard events --json failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Ev[];
}

function status(b: Box): any {
  const r = ccguard(['status', '--json'], b.cg);
  if (r.code !== 0) throw new Error(`ccguard status --json failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const showEv = (ev: Ev[]) =>
  ev
    .map(
      (e) =>
        `${e.ts} ${e.session_id?.slice(0, 8) ?? '-'} ${e.hook} ${e.tool ?? ''} ${e.decision} source=${e.source} reason=${JSON.stringify(e.reason)} detail=${JSON.stringify(e.detail)}`,
    )
    .join('\n');

async function headless(b: Box, api: MockApi, args: string[] = []): Promise<RunClaudeResult> {
  return runClaude({
    cwd: b.project,
    home: b.home,
    prompt: 'do the task',
    env: cliEnv(b, api),
    maxRetries: 0,
    args,
    timeoutMs: 120_000,
  });
}

async function interactive(t: TestContext, b: Box, api: MockApi): Promise<TmuxSession> {
  const env = buildClaudeEnv({ cwd: b.project, home: b.home, prompt: '', env: cliEnv(b, api) });
  const s = await startTmuxClaude({ cwd: b.project, env, args: ['--allowedTools', 'Bash'] });
  onCleanup(t, () => s.kill());
  await s.waitFor(CLAUDE_READY, 60_000, 'the interactive UI to be ready');
  return s;
}

async function mock(t: TestContext, opts: MockApiOptions): Promise<MockApi> {
  const api = await start({ text: 'done', ...opts });
  onCleanup(t, () => api.close());
  return api;
}

/** The requests carrying a tool_result for a tool call of the mock. */
const withToolResult = (api: MockApi): RecordedRequest[] =>
  api.messageRequests().filter((r) => toolResults(r).length > 0);

/** Ways the reset at `sec` (Unix seconds) can be written for a reader in UTC: HH:MM, h:mm am/pm (its minute or the next). */
function resetSpellings(sec: number): string[] {
  const out: string[] = [];
  for (const m of [Math.floor(sec / 60) * 60, Math.floor(sec / 60) * 60 + 60]) {
    const d = new Date(m * 1000);
    const hh = d.getUTCHours();
    const mm = String(d.getUTCMinutes()).padStart(2, '0');
    out.push(
      `${String(hh).padStart(2, '0')}:${mm}`,
      `${hh % 12 === 0 ? 12 : hh % 12}:${mm}${hh < 12 ? 'am' : 'pm'}`,
      `${hh % 12 === 0 ? 12 : hh % 12}:${mm} ${hh < 12 ? 'am' : 'pm'}`,
    );
  }
  return out;
}

function namesReset(text: string, sec: number): boolean {
  const lower = text.toLowerCase();
  return (
    resetSpellings(sec).some((s) => lower.includes(s.toLowerCase())) || /\b\d+\s*(s|sec|secs|seconds)\b/.test(text)
  );
}

describe("a claude.ai subscriber: ccguard enforces with the server's own figures", { concurrency: true }, () => {
  test(
    "(1) interactive: the status line hands ccguard the server's 5-hour figure (42%); at 97% the next tool call is slowed or held back, citing the server",
    { timeout: 300_000 },
    async (t) => {
      if (interactiveMissing) return t.skip(interactiveMissing);
      let util = 0.42;
      let wantTool = false;
      const reset5 = unixIn(3.5 * HOUR);
      const reset7 = unixIn(4 * 24 * HOUR);
      const api = await mock(t, {
        toolUse: ECHO,
        script: (req, ctx) => {
          const headers = unifiedHeaders({
            status: util >= 0.9 ? 'allowed_warning' : 'allowed',
            fiveHour: { utilization: util, resetsAt: reset5 },
            sevenDay: { utilization: 0.3, resetsAt: reset7 },
          });
          if (wantTool && ctx.defaultReply.kind === 'tool_use') return { ...ctx.defaultReply, headers };
          if (wantTool) return { kind: 'text', text: 'TOOL-TURN-DONE', headers };
          return { kind: 'text', text: util < 0.9 ? 'ANSWER-ONE' : 'ANSWER-TWO', headers };
        },
      });
      const b = box(t);
      const s = await interactive(t, b, api);

      // 1. A response at 0.42: the status line runs after it and ccguard records the server's figure.
      await s.sendText('say hello');
      await s.waitFor('ANSWER-ONE', 60_000, "the mock's first answer on screen");
      const five = (st: any) => st?.limits?.server?.five_hour?.used_percentage;
      let last: any;
      const seen42 = await waitUntil(
        () => {
          last = status(b);
          return five(last) === 42;
        },
        30_000,
        500,
      );
      assert.ok(
        seen42,
        `expected \`ccguard status --json\` limits.server.five_hour.used_percentage to be 42 (the server's figure, from the status line's rate_limits) ` +
          `within 30 s of a response with anthropic-ratelimit-unified-5h-utilization 0.42; limits: ${JSON.stringify(last?.limits)}\nscreen:\n${await s.capture()}`,
      );

      // 2. Responses at 0.97, reset 3.5 h away: first a text turn, so the status line has recorded 97 before
      //    the tool call (the status line runs after a response; a PreToolUse right after one can be earlier).
      util = 0.97;
      await s.sendText('and again');
      await s.waitFor('ANSWER-TWO', 60_000, "the mock's second answer on screen");
      const seen97 = await waitUntil(
        () => {
          last = status(b);
          return five(last) === 97;
        },
        30_000,
        500,
      );
      assert.ok(
        seen97,
        `expected limits.server.five_hour.used_percentage 97 after a response at 0.97; limits: ${JSON.stringify(last?.limits)}`,
      );

      // 3. The next tool call (mock answers with Bash `echo hi`).
      wantTool = true;
      const toolCallsBefore = api.messageRequests().length;
      await s.sendText('run echo hi');
      const done = await waitUntil(() => withToolResult(api).length > 0, 150_000, 500);
      const ev = events(b);
      const pre = ev.filter((e) => e.hook === 'PreToolUse');
      assert.ok(
        done,
        `the tool call's result never reached the mock within 150 s (requests after the prompt: ${api.messageRequests().length - toolCallsBefore}); ` +
          `events:\n${showEv(ev)}\nscreen:\n${await s.capture()}`,
      );
      const held = pre.find(
        (e) => (e.decision === 'delay' || e.decision === 'deny') && (e.source ?? '').startsWith('server:'),
      );
      assert.ok(
        held,
        `expected a PreToolUse event with decision delay or deny and a source starting with "server:" (the server's 97% five-hour figure, ` +
          `reset in 3.5 h); PreToolUse events:\n${showEv(pre) || '(none)'}\nall events:\n${showEv(ev)}`,
      );
      t.diagnostic(`held back: ${held.decision} source=${held.source} sleep_ms=${held.sleep_ms} reason=${held.reason}`);
    },
  );

  test(
    "(2) headless: after Claude Code's 5-hour limit line, a new session's tool call is denied until the exact resetsAt, then runs by itself",
    { timeout: 300_000 },
    async (t) => {
      if (headlessMissing) return t.skip(headlessMissing);
      // Start early in a minute, so that the reset (40 s on) falls in the same minute as the sessions before
      // it: the limit text ("resets 3:03am") then cannot tell before from after; only resetsAt can.
      await waitUntil(() => new Date().getUTCSeconds() <= 12, 61_000, 200);
      const resetsAt = unixIn(40_000);
      let phase: 'limit' | 'tool' = 'limit';
      const api = await mock(t, {
        toolUse: ECHO,
        script: (req, ctx) =>
          phase === 'limit'
            ? rejected429({ resetsAt, sevenDay: { utilization: 0.55, resetsAt: unixIn(5 * 24 * HOUR) } })
            : {
                ...ctx.defaultReply,
                headers: unifiedHeaders({
                  status: 'allowed',
                  fiveHour: { utilization: 0.02, resetsAt: unixIn(5 * HOUR) },
                }),
              },
      });
      // The deny path of a headless session, as `recovery.unattended: deny` keeps it (the default defers:
      // test/e2e/unattended.test.ts).
      const b = box(t, UNATTENDED_DENY);

      // A: the server rejects; Claude Code writes its limit line.
      const a = await headless(b, api);
      assert.equal(
        a.json?.api_error,
        'usage_limit_reached',
        `session A: Claude Code should report usage_limit_reached\n${describeRun(a)}`,
      );
      const lines = findTranscripts(b.home).flatMap((f) => limitLines(readJsonl(f)));
      assert.equal(lines.length, 1, `one limit line in the transcripts, got ${lines.length}`);
      assert.equal(
        lines[0].apiErrorParams?.rate_limit_info?.resetsAt,
        resetsAt,
        `the limit line carries the exact resetsAt: ${JSON.stringify(lines[0])}`,
      );
      assert.match(
        lines[0].message.content[0].text,
        /You've hit your 5-hour limit · resets \d{1,2}(?::\d\d)?[ap]m \(UTC\)/,
      );

      // B: a new session whose first answer is a tool call, before the reset.
      phase = 'tool';
      const before = api.messageRequests().length;
      const bRun = await headless(b, api);
      const bEnded = Date.now() / 1000;
      const bReqs = api.messageRequests().slice(before);
      const evB = events(b);
      const sidB = bRun.json?.session_id;
      assert.ok(
        bEnded < resetsAt,
        `session B must end before the reset to prove anything (ended ${(bEnded - resetsAt).toFixed(1)} s after it)`,
      );
      const promptDenied = evB.find(
        (e) => e.hook === 'UserPromptSubmit' && e.decision === 'deny' && (!sidB || e.session_id === sidB),
      );
      assert.ok(
        bReqs.length > 0,
        `session B's prompt never reached the API: expected its prompt to go through and the PreToolUse hook to deny the tool call. ` +
          `${promptDenied ? `UserPromptSubmit denied it: ${promptDenied.reason}` : ''}\n${describeRun(bRun)}\nevents:\n${showEv(evB)}`,
      );
      const resB = bReqs.flatMap((r) => toolResults(r));
      const bDeny = evB.find(
        (e) => e.hook === 'PreToolUse' && e.decision === 'deny' && (!sidB || e.session_id === sidB),
      );
      assert.ok(
        resB.length > 0 && resB.every((r) => r.is_error) && bDeny,
        `before resetsAt (${new Date(resetsAt * 1000).toISOString()}) session B's tool call must be denied by PreToolUse; ` +
          `tool results the mock got: ${JSON.stringify(resB.map((r) => ({ is_error: r.is_error, text: r.text })))}\nevents:\n${showEv(evB)}`,
      );
      const reason = `${bDeny.reason ?? ''} | ${resB.map((r) => r.text).join(' | ')}`;
      assert.ok(
        /limit/i.test(reason) && /(claude|server)/i.test(reason) && namesReset(reason, resetsAt),
        `the deny reason should name Claude's limit / the server and the reset (${resetSpellings(resetsAt).slice(0, 3).join(' or ')}); got: ${reason}`,
      );

      t.diagnostic(
        `session B denied (resetsAt ${new Date(resetsAt * 1000).toISOString()}): source=${bDeny.source} reason=${bDeny.reason}`,
      );

      // C: after resetsAt, a new session's tool call runs without any help.
      await sleepUntil(resetsAt * 1000 + 2_000);
      const before2 = api.messageRequests().length;
      const cRun = await headless(b, api);
      const resC = api
        .messageRequests()
        .slice(before2)
        .flatMap((r) => toolResults(r));
      const evC = events(b);
      assert.ok(
        resC.length > 0 && resC.every((r) => !r.is_error) && resC.some((r) => r.text.includes('hi')),
        `after resetsAt (+2 s) a new session's tool call must run by itself (result "hi" at the mock); ` +
          `tool results: ${JSON.stringify(resC.map((r) => ({ is_error: r.is_error, text: r.text })))}\n${describeRun(cRun)}\nevents:\n${showEv(evC.slice(-15))}`,
      );
    },
  );

  test(
    '(3) an Opus-only limit (seven_day_opus) leaves a Sonnet session running its tool call',
    { timeout: 240_000 },
    async (t) => {
      if (headlessMissing) return t.skip(headlessMissing);
      const opusReset = unixIn(3 * 24 * HOUR);
      let phase: 'opus' | 'sonnet' | 'opus-again' = 'opus';
      const api = await mock(t, {
        toolUse: ECHO,
        script: (req, ctx) =>
          phase === 'opus'
            ? rejected429({
                claim: 'seven_day_opus',
                resetsAt: opusReset,
                fiveHour: { utilization: 0.2, resetsAt: unixIn(4 * HOUR) },
                sevenDay: { utilization: 0.6, resetsAt: opusReset },
              })
            : {
                ...ctx.defaultReply,
                model: phase === 'sonnet' ? 'claude-sonnet-4-5-20250929' : 'claude-opus-4-5-20251101',
                headers: unifiedHeaders({
                  status: 'allowed',
                  fiveHour: { utilization: 0.21, resetsAt: unixIn(4 * HOUR) },
                  sevenDay: { utilization: 0.6, resetsAt: opusReset },
                }),
              },
      });
      const b = box(t, UNATTENDED_DENY);

      const a = await headless(b, api, ['--model', 'opus']);
      const lines = findTranscripts(b.home).flatMap((f) => limitLines(readJsonl(f)));
      assert.equal(lines.length, 1, `the Opus session should end on Claude Code's limit line\n${describeRun(a)}`);
      assert.match(lines[0].message.content[0].text, /You've hit your Opus limit/);
      assert.equal(lines[0].apiErrorParams?.rate_limit_info?.rateLimitType, 'seven_day_opus');

      phase = 'sonnet';
      const before = api.messageRequests().length;
      const run = await headless(b, api, ['--model', 'sonnet']);
      const reqs = api.messageRequests().slice(before);
      const res = reqs.flatMap((r) => toolResults(r));
      const ev = events(b);
      const sid = run.json?.session_id;
      const denied = ev.filter(
        (e) => (e.decision === 'deny' || e.decision === 'pause') && (!sid || e.session_id === sid),
      );
      assert.ok(
        reqs.length > 0 && res.length > 0 && res.every((r) => !r.is_error) && res.some((r) => r.text.includes('hi')),
        `a Sonnet session must run its tool call under an Opus-only limit (result "hi" at the mock); ` +
          `requests: ${reqs.length}, tool results: ${JSON.stringify(res.map((r) => ({ is_error: r.is_error, text: r.text })))}\n` +
          `denials in that session:\n${showEv(denied) || '(none)'}\n${describeRun(run)}`,
      );
      assert.equal(denied.length, 0, `no ccguard denial in the Sonnet session:\n${showEv(denied)}`);

      // Control: ccguard did take the Opus limit in (else the Sonnet check above would prove nothing): a new
      // Opus session's tool call is held back.
      phase = 'opus-again';
      const before2 = api.messageRequests().length;
      const opusRun = await headless(b, api, ['--model', 'opus']);
      const resO = api
        .messageRequests()
        .slice(before2)
        .flatMap((r) => toolResults(r));
      const evO = events(b);
      const sidO = opusRun.json?.session_id;
      const heldO = evO.find(
        (e) => e.hook === 'PreToolUse' && e.decision === 'deny' && (!sidO || e.session_id === sidO),
      );
      assert.ok(
        heldO && resO.length > 0 && resO.every((r) => r.is_error),
        `control: under the Opus-only limit a new Opus session's tool call should be denied by PreToolUse (Claude's Opus limit); ` +
          `tool results: ${JSON.stringify(resO.map((r) => ({ is_error: r.is_error, text: r.text })))}\nevents of that session:\n` +
          `${showEv(evO.filter((e) => !sidO || e.session_id === sidO))}`,
      );
      t.diagnostic(`Opus session held: source=${heldO.source} reason=${heldO.reason}`);
    },
  );

  test(
    "(4) interactive: Claude Code's own automatic continue after the reset reaches the model through ccguard",
    { timeout: 330_000 },
    async (t) => {
      if (interactiveMissing) return t.skip(interactiveMissing);
      let resetsAt = 0;
      let rejectedAt = 0;
      const api = await mock(t, {
        script: (req, ctx) => {
          if (ctx.index === 0) {
            rejectedAt = Date.now();
            resetsAt = unixIn(60_000);
            return rejected429({ resetsAt, sevenDay: { utilization: 0.4, resetsAt: unixIn(4 * 24 * HOUR) } });
          }
          return {
            kind: 'text',
            text: 'CONTINUED-AFTER-RESET',
            headers: unifiedHeaders({ status: 'allowed', fiveHour: { utilization: 0.01, resetsAt: unixIn(5 * HOUR) } }),
          };
        },
      });
      const b = box(t);
      const s = await interactive(t, b, api);
      await s.sendText('work on the task');
      const armed = await s
        .waitFor(/continue automatically/i, 60_000, 'the UI to arm its automatic continue')
        .catch((e: Error) => e);
      assert.ok(
        typeof armed === 'string',
        `Claude Code should arm "continue automatically" after a 5-hour 429 with the reset 60 s away: ${String(armed)}`,
      );

      // It fires 60-95 s after the reset; give it up to 200 s.
      const cont = await waitUntil(
        () => api.messageRequests().find((r) => lastUserText(r.body).includes(AUTO_CONTINUE_PROMPT)),
        Math.max(0, resetsAt * 1000 + 200_000 - Date.now()),
        1_000,
      );
      const ev = events(b);
      assert.ok(
        cont,
        `the automatic continue ("${AUTO_CONTINUE_PROMPT}...") never reached the mock within 200 s of the reset ` +
          `(did ccguard's UserPromptSubmit block it?); UserPromptSubmit/Notification events:\n` +
          `${showEv(ev.filter((e) => e.hook === 'UserPromptSubmit' || e.hook === 'Notification'))}\nscreen:\n${await s.capture()}`,
      );
      t.diagnostic(
        `429 at ${new Date(rejectedAt).toISOString()}, resetsAt ${new Date(resetsAt * 1000).toISOString()}, automatic continue reached the mock ${((cont.time - resetsAt * 1000) / 1000).toFixed(1)} s after the reset`,
      );

      const note = await waitUntil(
        () => {
          const e = events(b).find(
            (x) =>
              x.hook === 'Notification' &&
              /quota_auto_resume_fired/.test(`${x.reason ?? ''} ${JSON.stringify(x.detail)}`),
          );
          return e;
        },
        30_000,
        1_000,
      );
      const ev2 = events(b);
      assert.ok(
        note,
        `expected a Notification event whose reason or detail mentions quota_auto_resume_fired; Notification events:\n` +
          `${showEv(ev2.filter((e) => e.hook === 'Notification')) || '(none)'}\nall events:\n${showEv(ev2)}`,
      );
      const blocked = ev2.filter((e) => e.hook === 'UserPromptSubmit' && e.decision === 'deny');
      assert.equal(blocked.length, 0, `no prompt may be blocked:\n${showEv(blocked)}`);
    },
  );

  test(
    "(5) limits.usage_api: the usage endpoint reporting five_hour 100% holds a headless session's tool call back",
    { timeout: 240_000 },
    async (t) => {
      if (headlessMissing) return t.skip(headlessMissing);
      const usageHits: {
        ok: boolean;
        authorization: string | undefined;
        beta: string | string[] | undefined;
        time: number;
      }[] = [];
      const resetAt = Date.now() + HOUR;
      let phase: 'warm' | 'tool' = 'warm';
      const api = await mock(t, {
        toolUse: ECHO,
        script: (req, ctx) => (phase === 'warm' ? { kind: 'text', text: 'warm-up done' } : ctx.defaultReply),
        route: (req) => {
          if (req.path !== '/api/oauth/usage') return undefined;
          const ok = req.method === 'GET' && req.headers.authorization === `Bearer ${SUBSCRIBER_TOKEN}`;
          usageHits.push({
            ok,
            authorization: req.headers.authorization,
            beta: req.headers['anthropic-beta'],
            time: Date.now(),
          });
          if (!ok)
            return {
              status: 401,
              body: { type: 'error', error: { type: 'authentication_error', message: 'Invalid bearer token' } },
            };
          return {
            status: 200,
            body: usageBody({
              fiveHour: { utilization: 100, resetsAt: resetAt },
              sevenDay: { utilization: 40, resetsAt: Date.now() + 4 * 24 * HOUR },
            }),
          };
        },
      });
      const b = box(
        t,
        `${UNATTENDED_DENY}limits:\n  usage_api:\n    enabled: true\n    url: ${api.url}/api/oauth/usage\n    ttl_seconds: 120\n`,
      );

      // A first session: its hooks may only start the (detached) refresh.
      const warm = await headless(b, api);
      assert.equal(warm.exitCode, 0, `warm-up session\n${describeRun(warm)}`);
      const hit = await waitUntil(() => usageHits.find((h) => h.ok), 30_000, 250);
      assert.ok(
        hit,
        `ccguard never called the usage endpoint (GET ${api.url}/api/oauth/usage with authorization: Bearer ${SUBSCRIBER_TOKEN}) within 30 s of a session; ` +
          `hits: ${JSON.stringify(usageHits)}\nevents:\n${showEv(events(b))}`,
      );
      // Let the refresh store its reading.
      await waitUntil(
        () => {
          const st = status(b);
          return st?.limits?.server?.five_hour?.used_percentage === 100 || Date.now() - hit.time > 5_000;
        },
        10_000,
        250,
      );

      phase = 'tool';
      const before = api.messageRequests().length;
      const run = await headless(b, api);
      const res = api
        .messageRequests()
        .slice(before)
        .flatMap((r) => toolResults(r));
      const ev = events(b);
      const sid = run.json?.session_id;
      const deny = ev.find((e) => e.hook === 'PreToolUse' && e.decision === 'deny' && (!sid || e.session_id === sid));
      const promptDenied = ev.find(
        (e) => e.hook === 'UserPromptSubmit' && e.decision === 'deny' && (!sid || e.session_id === sid),
      );
      assert.ok(
        res.length > 0 && res.every((r) => r.is_error) && deny,
        `with the usage endpoint at five_hour 100% (reset in 1 h) the tool call must be denied by PreToolUse; ` +
          `${res.length === 0 && promptDenied ? `(the prompt was blocked instead: ${promptDenied.reason}) ` : ''}` +
          `tool results: ${JSON.stringify(res.map((r) => ({ is_error: r.is_error, text: r.text })))}\n` +
          `usage endpoint hits: ${usageHits.length}; limits: ${JSON.stringify(status(b)?.limits?.server)}\nevents:\n${showEv(ev)}`,
      );
      t.diagnostic(`denied: source=${deny.source} reason=${deny.reason}`);
    },
  );
});
