// The subscriber test infrastructure against the real Claude Code CLI, without ccguard: if these fail, the
// CLI changed (or the recipe broke), not ccguard. See /work/shared/docs/claude-code-subscriber.md.
import { removeTree } from '../helpers/tmp.ts';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../helpers/mockApi.ts';
import {
  buildClaudeEnv,
  claudeMissingReason,
  describeRun,
  findTranscripts,
  readJsonl,
  runClaude,
} from '../helpers/claude.ts';
import {
  limitLines,
  makeSubscriber,
  rejected429,
  SUBSCRIBER_TOKEN,
  unifiedHeaders,
  unixIn,
} from '../helpers/subscriber.ts';
import { CLAUDE_READY, interactiveMissingReason, startTmuxClaude } from '../helpers/tmux.ts';
import { waitUntil } from '../helpers/poll.ts';

const HOUR = 3_600_000;

function dirs(_t: TestContext) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard-subh-')));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
  return { root, home, project, cleanup: () => removeTree(root) };
}

test(
  'subscriber recipe, headless: a 429 rejected makes Claude Code write its limit line with the exact resetsAt',
  { timeout: 120_000 },
  async (t) => {
    const missing = claudeMissingReason();
    if (missing) return t.skip(missing);
    const d = dirs(t);
    t.after(d.cleanup);
    const resetsAt = unixIn(40_000);
    const api = await start({
      script: [rejected429({ resetsAt, sevenDay: { utilization: 0.55, resetsAt: unixIn(5 * 24 * HOUR) } })],
    });
    t.after(() => api.close());
    const env = makeSubscriber({ home: d.home, cwd: d.project, baseUrl: api.url });
    assert.equal(statSync(join(d.home, '.claude', '.credentials.json')).mode & 0o777, 0o600);
    const run = await runClaude({ cwd: d.project, home: d.home, prompt: 'hi', env, maxRetries: 0 });
    assert.equal(run.exitCode, 1, describeRun(run));
    assert.equal(run.json?.api_error, 'usage_limit_reached', describeRun(run));
    assert.match(run.json?.result ?? '', /^You've hit your 5-hour limit · resets \d{1,2}(?::\d\d)?[ap]m \(UTC\)$/);
    const req = api.messageRequests()[0]!;
    assert.equal(
      req.headers.authorization,
      `Bearer ${SUBSCRIBER_TOKEN}`,
      'the CLI runs as the subscriber (OAuth token, no API key)',
    );
    assert.match(String(req.headers['anthropic-beta']), /oauth-2025-04-20/);
    assert.equal(api.messageRequests().length, 1, 'a rejected 429 is not retried');
    const lines = findTranscripts(d.home).flatMap((f) => limitLines(readJsonl(f)));
    assert.equal(lines.length, 1);
    const l = lines[0];
    assert.equal(l.apiError, 'usage_limit_reached');
    assert.deepEqual(l.apiErrorParams.rate_limit_info, {
      status: 'rejected',
      resetsAt,
      rateLimitType: 'five_hour',
      isUsingOverage: false,
    });
    assert.equal(l.quotaLimits.resetsAt, resetsAt);
    assert.equal(l.error, 'rate_limit');
    assert.equal(l.apiErrorStatus, 429);
    assert.equal(l.message.model, '<synthetic>');
  },
);

test(
  'subscriber recipe, interactive (tmux): the status line gets rate_limits from the response headers',
  { timeout: 120_000 },
  async (t) => {
    const missing = interactiveMissingReason();
    if (missing) return t.skip(missing);
    const d = dirs(t);
    const dump = join(d.root, 'statusline.jsonl');
    const script = join(d.root, 'statusline.sh');
    writeFileSync(script, `#!/bin/sh\ncat >> '${dump}'\necho >> '${dump}'\necho STATUSLINE-RAN\n`);
    chmodSync(script, 0o755);
    mkdirSync(join(d.home, '.claude'), { recursive: true });
    writeFileSync(
      join(d.home, '.claude', 'settings.json'),
      JSON.stringify({ statusLine: { type: 'command', command: script } }),
    );
    const r5 = unixIn(3 * HOUR);
    const r7 = unixIn(4 * 24 * HOUR);
    const api = await start({
      script: () => ({
        kind: 'text',
        text: 'MOCK-ANSWER',
        headers: unifiedHeaders({
          status: 'allowed',
          fiveHour: { utilization: 0.4237, resetsAt: r5 },
          sevenDay: { utilization: 0.17, resetsAt: r7 },
        }),
      }),
    });
    const env = buildClaudeEnv({
      cwd: d.project,
      home: d.home,
      prompt: '',
      env: makeSubscriber({ home: d.home, cwd: d.project, baseUrl: api.url }),
    });
    const s = await startTmuxClaude({ cwd: d.project, env });
    // Stop the UI before its mock and its HOME go (t.after runs in registration order).
    t.after(async () => {
      await s.kill();
      await api.close();
      d.cleanup();
    });
    await s.waitFor(CLAUDE_READY, 60_000);
    assert.match(await s.capture(), /Claude Max/, 'the UI runs as a Max subscriber');
    await s.sendText('hello');
    await s.waitFor('MOCK-ANSWER', 60_000);
    const inputs = () =>
      (existsSync(dump) ? readFileSync(dump, 'utf8') : '')
        .split('\n')
        .filter((x) => x.trim())
        .map((x) => JSON.parse(x) as Record<string, any>);
    const withLimits = await waitUntil(() => inputs().find((i) => i.rate_limits), 20_000, 250);
    assert.ok(withLimits, `no status line input with rate_limits: ${JSON.stringify(inputs()).slice(0, 2000)}`);
    assert.deepEqual(withLimits.rate_limits, {
      five_hour: { used_percentage: 42.4, resets_at: r5 },
      seven_day: { used_percentage: 17, resets_at: r7 },
    });
    assert.equal(inputs()[0]!.rate_limits, undefined, 'before the first response the key is absent');
  },
);
