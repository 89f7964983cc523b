// Hook latency under load: many hook processes at once across a few sessions while their transcripts
// grow, the way a busy machine with several Claude Code sessions calls them. Each call's wall time,
// spawn to exit, is the figure; the reliability soak (test/reliability/soak.test.ts) checks that every
// such call is answered and nothing is lost, and holds no call to a time.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadFigures {
  name: string;
  calls: number;
  width: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  wallMs: number;
}

const EVENTS = [
  ['PreToolUse', 'pre-tool-use'],
  ['PostToolUse', 'post-tool-use'],
  ['UserPromptSubmit', 'user-prompt-submit'],
  ['Stop', 'stop'],
] as const;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] ?? NaN;
}

let n = 0;
function responseLine(session: string, ts: number): string {
  const id = `msg_load_${n++}`;
  return JSON.stringify({
    type: 'assistant',
    timestamp: new Date(ts).toISOString(),
    sessionId: session,
    requestId: `req_${id}`,
    cwd: '/bench',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'ok' }],
      usage: {
        input_tokens: 200 + (n % 300),
        output_tokens: 50 + (n % 200),
        cache_creation_input_tokens: 1000,
        cache_read_input_tokens: 5000,
      },
    },
  });
}

function runHook(hook: string, env: Record<string, string>, input: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [hook], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${hook} exited ${code}`)),
    );
    p.stdin.end(input);
  });
}

/**
 * `calls` hook calls, `width` at a time, over 4 sessions (a mix of tool calls, prompts and stops),
 * while this process appends a response to one of the transcripts every 25 ms.
 */
export async function hooksUnderLoad(hooksDir: string, calls = 400, width = 32): Promise<LoadFigures> {
  const home = mkdtempSync(join(tmpdir(), 'ccguard-bench-load-'));
  try {
    const state = join(home, '.claude', 'ccguard');
    mkdirSync(state, { recursive: true });
    // Far from every threshold and no sleeping: what is timed is ccguard's own work.
    writeFileSync(join(state, 'config.yaml'), 'plan: 1000000000000\nrecovery:\n  max_sleep_seconds: 0\n');
    const sessions = ['a1', 'a2', 'b1', 'b2'].map((s) => {
      const dir = join(home, '.claude', 'projects', s.startsWith('a') ? '-bench-alpha' : '-bench-beta');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `load-${s}.jsonl`);
      const t0 = Date.now() - 3_600_000;
      writeFileSync(
        path,
        Array.from({ length: 60 }, (_, i) => responseLine(`load-${s}`, t0 + i * 60_000)).join('\n') + '\n',
      );
      return { session: `load-${s}`, path };
    });
    const env = { HOME: home, TZ: 'UTC', NO_COLOR: '1' };
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const s = sessions[i % sessions.length]!;
        appendFileSync(s.path, responseLine(s.session, Date.now() - 10_000) + '\n');
        await sleep(25);
      }
    })();
    const times: number[] = [];
    let next = 0;
    const started = process.hrtime.bigint();
    const worker = async (): Promise<void> => {
      while (next < calls) {
        const i = next++;
        const [event, file] = EVENTS[i % EVENTS.length]!;
        const s = sessions[(i * 7) % sessions.length]!;
        const input = JSON.stringify({
          session_id: s.session,
          transcript_path: s.path,
          cwd: '/bench',
          hook_event_name: event,
          permission_mode: 'default',
          ...(event === 'PreToolUse' || event === 'PostToolUse'
            ? { tool_name: 'Bash', tool_input: { command: `echo ${i}` } }
            : {}),
          ...(event === 'PostToolUse' ? { tool_response: { stdout: `${i}\n`, stderr: '', interrupted: false } } : {}),
          ...(event === 'UserPromptSubmit' ? { prompt: `step ${i}` } : {}),
        });
        times.push(await runHook(join(hooksDir, `${file}.js`), env, input));
      }
    };
    try {
      await Promise.all(Array.from({ length: width }, worker));
    } finally {
      writing = false;
      await writer;
    }
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      name: `${width} hook processes at once × ${calls} calls, 4 sessions, transcripts growing`,
      calls,
      width,
      medianMs: quantile(times, 0.5),
      p95Ms: quantile(times, 0.95),
      maxMs: Math.max(...times),
      wallMs,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
