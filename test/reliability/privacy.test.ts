// Security and privacy: the state directory is 0700 and every file in it 0600, under a permissive
// umask too; prompts, tool inputs and tool outputs are not stored (searched for in the raw bytes of
// everything under the state directory); paths and strings from hook input are never executed; a
// hook reads a bounded amount of stdin however much is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { hookEnv } from '../helpers/hookEnv.ts';
import { assistantLine, userLine } from '../helpers/lines.ts';
import { badRun, pool, runCli, runHookProc, HOOK_EVENTS, HOOKS, HOOK_FILE, type ProcRun } from '../helpers/hookProc.ts';
import { Tally, measured } from '../helpers/figures.ts';
import type { HookEvent } from '../../lib/policy/types.ts';

const SUITE = 'privacy';
const MIN = 60_000;
type Env = ReturnType<typeof hookEnv>;

/** Every file and folder under `dir`, with its permission bits. */
function walk(
  dir: string,
  out: { path: string; dir: boolean; mode: number }[] = [],
): { path: string; dir: boolean; mode: number }[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    out.push({ path: p, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) walk(p, out);
  }
  return out;
}

function ok(event: HookEvent, r: ProcRun, tally: Tally, what: string): void {
  tally.call(r.ms);
  const why = badRun(event, r);
  assert.equal(why, null, `${what}: ${why}`);
}

test(
  'under umask 000 the state directory is 0700 and every file in it 0600, whatever ran',
  { timeout: 120_000 },
  async (t) => {
    const tally = new Tally('');
    await measured(
      SUITE,
      'Security',
      'file modes under umask 000: every hook, the fast path, errors, rotation, quarantine, every state-writing command',
      tally,
      async () => {
        const e = hookEnv(t);
        // No state directory yet: the first hook creates it, under umask 000. A tiny log rotates often.
        rmSync(e.stateDir, { recursive: true, force: true });
        e.usage('s1', [{ ts: Date.now() - 5 * MIN, input: 9000, output: 1000 }]);
        const run = (event: HookEvent, stdin?: string): Promise<ProcRun> =>
          runHookProc(event, stdin ?? e.input(event, 's1', { tool_name: 'Bash', prompt: 'hi', error: 'rate_limit' }), {
            env: e.env,
            umask000: true,
            killAfterMs: 60_000,
          });
        for (const event of HOOK_EVENTS) ok(event, await run(event), tally, event);
        const cfg = join(e.stateDir, 'config.yaml');
        writeFileSync(
          cfg,
          'plan: 20000\nalerts:\n  token_threshold: 0.3\nlogging:\n  max_bytes: 300\n  max_files: 3\n',
          { mode: 0o600 },
        );
        chmodSync(cfg, 0o600);
        for (let i = 0; i < 3; i++) ok('PreToolUse', await run('PreToolUse'), tally, 'fast path or warning');
        for (const bad of ['not json', '[]', '{"session_id": 5}'])
          ok('PreToolUse', await run('PreToolUse', bad), tally, 'bad stdin');
        // A damaged database, set aside and rebuilt under the same umask.
        writeFileSync(join(e.stateDir, 'state.db'), 'garbage'.repeat(1000));
        ok('UserPromptSubmit', await run('UserPromptSubmit'), tally, 'after damage');
        for (const args of [
          ['import'],
          ['status'],
          ['events'],
          ['doctor'],
          ['pause', '--minutes', '1'],
          ['resume'],
          ['alert', 'token'],
          ['report', '--json'],
          ['report', '--html', '--out', join(e.home, 'report.html')],
        ]) {
          const r = await runCli(args, { env: e.env, umask000: true, killAfterMs: 60_000 });
          tally.processes++;
          assert.ok(r.code === 0 || args[0] === 'doctor', `${args.join(' ')}: ${r.stderr}`);
        }
        const sl = await runCli(['statusline'], {
          env: e.env,
          umask000: true,
          stdin: JSON.stringify({
            session_id: 's1',
            model: { display_name: 'Opus' },
            rate_limits: { five_hour: { used_percentage: 12, resets_at: Math.floor(Date.now() / 1000) + 3600 } },
          }),
        });
        tally.processes++;
        assert.equal(sl.code, 0, sl.stderr);
        // Folders by ccguard 0700 and files 0600, also ones made by the notifier worker and rotation.
        await new Promise((r) => setTimeout(r, 500));
        const all = walk(e.stateDir);
        const loose = all
          .filter((f) => f.mode !== (f.dir ? 0o700 : 0o600))
          .map((f) => `${f.path.slice(e.stateDir.length)} ${f.mode.toString(8)}`);
        assert.deepEqual(loose, []);
        assert.equal(statSync(e.stateDir).mode & 0o777, 0o700);
        const kinds = new Set(
          all.map((f) =>
            f.path
              .slice(e.stateDir.length + 1)
              .replace(/-[0-9a-f]{12}-/g, '-#-')
              .replace(/\d[\dTZ-]*/g, '#'),
          ),
        );
        assert.ok(
          all.some((f) => /\.broken-/.test(f.path)),
          'a quarantined database is among them',
        );
        assert.ok(
          all.some((f) => /ccguard\.log\.\d/.test(f.path)),
          'a rotated log is among them',
        );
        tally.cases = all.length;
        tally.held = `all ${all.length} files and folders 0600/0700: ${[...kinds].sort().join(', ')}`;
      },
    );
  },
);

test('a state directory that exists too open (0777, files 0666) is tightened by the next hook', async (t) => {
  const e = hookEnv(t);
  e.usage('s1', [{ ts: Date.now() - MIN }]);
  const r0 = await runHookProc('UserPromptSubmit', e.input('UserPromptSubmit', 's1', { prompt: 'x' }), { env: e.env });
  assert.equal(badRun('UserPromptSubmit', r0), null);
  chmodSync(e.stateDir, 0o777);
  chmodSync(join(e.stateDir, 'state.db'), 0o666);
  const r = await runHookProc('UserPromptSubmit', e.input('UserPromptSubmit', 's1', { prompt: 'x' }), { env: e.env });
  assert.equal(badRun('UserPromptSubmit', r), null);
  assert.equal(statSync(e.stateDir).mode & 0o777, 0o700);
  assert.equal(statSync(join(e.stateDir, 'state.db')).mode & 0o777, 0o600);
});

const SECRETS = {
  prompt: 'PROMPT-SECRET-8c1f0a7e29d4b653',
  toolInput: 'TOOLINPUT-SECRET-5e2b9d0c7a1f4386',
  toolResponse: 'TOOLOUTPUT-SECRET-9a4c1e7b3d0f2865',
  assistant: 'ASSISTANT-SECRET-1d7f3b9e5c2a0864',
  transcript: 'TRANSCRIPT-SECRET-4b8e2c6a0f1d9357',
  filename: 'FILENAME-SECRET-7e3a1c9b5d0f2468',
};

/** Where each secret (as UTF-8 or UTF-16) turns up under `dir`, in any file's raw bytes. */
function findSecrets(dir: string): string[] {
  const hits: string[] = [];
  for (const f of walk(dir)) {
    if (f.dir) continue;
    const bytes = readFileSync(f.path);
    for (const [name, s] of Object.entries(SECRETS)) {
      if (bytes.includes(Buffer.from(s, 'utf8')) || bytes.includes(Buffer.from(s, 'utf16le')))
        hits.push(`${name} in ${f.path.slice(dir.length)}`);
    }
  }
  return hits;
}

async function secretRuns(e: Env, tally: Tally): Promise<void> {
  const now = Date.now();
  // Transcripts hold the conversation: ccguard reads them for usage only.
  writeFileSync(
    e.transcript('s1'),
    [
      userLine(now - 3 * MIN, `please use ${SECRETS.transcript}`, 's1'),
      assistantLine({ ts: now - 2 * MIN, msgId: 'msg_a', session: 's1', text: `here is ${SECRETS.transcript}` }),
      JSON.stringify({
        type: 'user',
        timestamp: new Date(now - MIN).toISOString(),
        sessionId: 's1',
        message: { role: 'user', content: [{ type: 'tool_result', content: `"usage" ${SECRETS.transcript}` }] },
      }),
    ].join('\n') + '\n',
  );
  const calls: [HookEvent, Record<string, unknown>][] = [
    ['SessionStart', { source: 'startup' }],
    ['UserPromptSubmit', { prompt: `do it with ${SECRETS.prompt}` }],
    [
      'PreToolUse',
      { tool_name: 'Bash', tool_input: { command: `echo ${SECRETS.toolInput}`, description: SECRETS.toolInput } },
    ],
    [
      'PreToolUse',
      { tool_name: 'Write', tool_input: { file_path: `/tmp/${SECRETS.filename}`, content: SECRETS.toolInput } },
    ],
    [
      'PostToolUse',
      {
        tool_name: 'Bash',
        tool_input: { command: `echo ${SECRETS.toolInput}` },
        tool_response: { stdout: SECRETS.toolResponse, stderr: '' },
      },
    ],
    ['Stop', { last_assistant_message: SECRETS.assistant, stop_hook_active: false }],
    [
      'SubagentStop',
      { last_assistant_message: SECRETS.assistant, agent_transcript_path: `/tmp/${SECRETS.filename}.jsonl` },
    ],
    [
      'StopFailure',
      { error: 'server_error', error_details: SECRETS.assistant, last_assistant_message: SECRETS.assistant },
    ],
    ['SessionEnd', { reason: 'other' }],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [event, extra] of calls)
      ok(event, await runHookProc(event, e.input(event, 's1', extra), { env: e.env }), tally, event);
  }
  // Malformed: a prompt with the secret in stdin that is not valid JSON.
  ok(
    'UserPromptSubmit',
    await runHookProc(
      'UserPromptSubmit',
      `{"session_id":"s1","hook_event_name":"UserPromptSubmit","prompt":"${SECRETS.prompt}"`,
      { env: e.env },
    ),
    tally,
    'cut JSON',
  );
  for (const args of [['import'], ['status'], ['events'], ['report', '--json'], ['doctor']]) {
    await runCli(args, { env: e.env });
    tally.processes++;
  }
}

test('prompts, tool inputs and outputs, assistant text and transcript text are not stored; with store_tool_input they are, and found', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Security',
    'secrets in prompt, tool_input, tool_response, assistant messages and transcripts, searched in every byte under the state dir',
    tally,
    async () => {
      const e = hookEnv(t, 'logging:\n  level: debug\n');
      await secretRuns(e, tally);
      assert.deepEqual(findSecrets(e.stateDir), []);
      assert.ok(existsSync(join(e.stateDir, 'state.db')));
      const scanned = walk(e.stateDir).filter((f) => !f.dir).length;
      tally.cases = Object.keys(SECRETS).length;
      // The search finds what is there: with privacy.store_tool_input the tool input is kept, as documented.
      // (Full checks only: a fast-path allow keeps no details.)
      const kept = hookEnv(t, 'privacy:\n  store_tool_input: true\nperformance:\n  fast_path_seconds: 0\n');
      await secretRuns(kept, tally);
      const hits = findSecrets(kept.stateDir);
      assert.ok(
        hits.some((h) => h.startsWith('toolInput in /state.db')),
        `store_tool_input keeps tool inputs: ${hits.join(', ')}`,
      );
      assert.deepEqual(
        hits.filter((h) => !h.startsWith('toolInput') && !h.startsWith('filename')),
        [],
        'and nothing else',
      );
      tally.held = `none of ${Object.keys(SECRETS).length} secrets in any byte of the ${scanned} files under the state dir (database, log at debug level, caches, markers); with store_tool_input: true the tool input does appear, proving the search`;
    },
  );
});

test('strings and paths from hook input are never executed', async (t) => {
  const tally = new Tally('');
  await measured(
    SUITE,
    'Security',
    'shell syntax and executable files in transcript_path, cwd, session_id, tool_name, tool_input',
    tally,
    async () => {
      const e = hookEnv(t);
      const marks = join(e.home, 'marks');
      mkdirSync(marks);
      const evil = join(e.home, 'evil.jsonl');
      writeFileSync(evil, `#!/bin/sh\ntouch '${marks}/evil-ran'\n`);
      chmodSync(evil, 0o755);
      const evilDir = join(e.home, 'bin-in-cwd');
      mkdirSync(evilDir);
      for (const name of ['claude-monitor', 'notify-send', 'node', 'sh', 'sqlite3']) {
        writeFileSync(join(evilDir, name), `#!/bin/sh\ntouch '${marks}/${name}-ran'\n`);
        chmodSync(join(evilDir, name), 0o755);
      }
      const inject = (n: string): string[] => [
        `$(touch ${marks}/${n}-a)`,
        `\`touch ${marks}/${n}-b\``,
        `'"; touch ${marks}/${n}-c #`,
      ];
      e.usage('s1', [{ ts: Date.now() - MIN }]);
      const jobs: (() => Promise<void>)[] = [];
      for (const event of HOOK_EVENTS) {
        for (const payload of [
          { transcript_path: evil, cwd: evilDir },
          ...inject('path').map((x) => ({ transcript_path: x })),
          ...inject('cwd').map((x) => ({ cwd: x })),
          ...inject('sess').map((x) => ({ session_id: x })),
          ...inject('tool').map((x) => ({ tool_name: x, tool_input: { command: x, file_path: x } })),
          { agent_transcript_path: evil, error: inject('err')[0] },
        ]) {
          const stdin = JSON.stringify({
            ...(JSON.parse(e.input(event, 's1', { tool_name: 'Bash', prompt: 'x' })) as object),
            ...payload,
          });
          jobs.push(async () => {
            const r = await runHookProc(event, stdin, { env: e.env, cwd: evilDir, killAfterMs: 60_000 });
            ok(event, r, tally, `${event} ${JSON.stringify(payload).slice(0, 80)}`);
          });
        }
      }
      await pool(4, jobs);
      const n = jobs.length;
      assert.deepEqual(readdirSync(marks), [], 'nothing from hook input ran');
      tally.cases = n;
      tally.held = `${n} payloads; no marker file appeared: nothing in hook input was run, not even executables in the hook's cwd`;
    },
  );
});

/** A hook fed `bytes` of stdin through a pipe, with its wall time and peak memory (GNU time). */
function bigStdin(
  e: Env,
  event: HookEvent,
  head: string,
  bytes: number,
  tail = '',
): Promise<ProcRun & { rssMb: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const timed = existsSync('/usr/bin/time');
    const argv = timed
      ? ['-f', '%M', process.execPath, join(HOOKS, HOOK_FILE[event])]
      : [join(HOOKS, HOOK_FILE[event])];
    const p = spawn(timed ? '/usr/bin/time' : process.execPath, argv, { env: e.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdin.on('error', () => undefined); // the hook stops reading at its cap and exits
    p.on('error', reject);
    p.on('close', (code, signal) => {
      const lines = err.split('\n').filter(Boolean);
      const rss = timed ? Number(lines.pop()) : NaN;
      resolve({
        code,
        signal,
        stdout: out,
        stderr: lines.join('\n'),
        ms: performance.now() - t0,
        timedOut: false,
        rssMb: Number.isFinite(rss) ? rss / 1024 : null,
      });
    });
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      if (sent === 0) p.stdin.write(head);
      while (sent < bytes) {
        sent += chunk.length;
        if (!p.stdin.write(chunk)) {
          p.stdin.once('drain', pump);
          return;
        }
      }
      p.stdin.end(tail);
    };
    pump();
  });
}

test(
  '50 MB on stdin: the hook reads at most its cap, answers quickly, and stays small',
  { timeout: 120_000 },
  async (t) => {
    const tally = new Tally('');
    await measured(
      SUITE,
      'Security',
      '50 MB of hook stdin (a huge tool_input; garbage), through a pipe',
      tally,
      async () => {
        const e = hookEnv(t);
        e.usage('s1', [{ ts: Date.now() - MIN }]);
        const head = (event: HookEvent): string =>
          e.input(event, 's1', { tool_name: 'Write' }).slice(0, -1) + ',"tool_input":{"content":"';
        const cases: [HookEvent, string, string][] = [
          ['PreToolUse', head('PreToolUse'), '"}}'],
          ['PreToolUse', head('PreToolUse'), '"}}'], // the fast path, this time
          ['PostToolUse', head('PostToolUse'), '"}}'],
          ['UserPromptSubmit', head('UserPromptSubmit'), '"}}'],
          ['PreToolUse', '', ''], // 50 MB of garbage
        ];
        const rss: number[] = [];
        for (const [event, h, t] of cases) {
          const r = await bigStdin(e, event, h, 50 * 1024 * 1024, t);
          ok(event, r, tally, `${event} 50 MB`);
          if (r.rssMb !== null) rss.push(r.rssMb);
        }
        // Reading it all would hold 50 MB as bytes and again as a string.
        for (const m of rss) assert.ok(m < 160, `peak RSS ${m.toFixed(0)} MB`);
        const evs = JSON.parse((await runCli(['events', '--json'], { env: e.env })).stdout) as {
          hook: string;
          session_id: string;
        }[];
        assert.ok(
          evs.filter((x) => x.session_id === 's1').length >= 4,
          'the calls with the fields up front were understood and recorded',
        );
        tally.cases = cases.length;
        tally.held = `each answered in ≤ ${Math.round(Math.max(...tally.latencies))} ms with peak RSS ≤ ${Math.round(Math.max(...rss, 0))} MB; the session's fields were salvaged from the first 4 MB`;
      },
    );
  },
);
