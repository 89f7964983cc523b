// `ccguard run`: reading the command line, rewriting Claude Code's for a resume, and the loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTINUE_PROMPT, programLength, resumeCommand, splitClaudeArgs } from '../../lib/cli/claudeArgs.ts';
import { parseCommand } from '../../lib/cli/args.ts';
import { SPECS } from '../../lib/cli/spec.ts';
import { GAVE_UP, supervise, type JobExit, type SuperviseIo } from '../../lib/cli/commands/run.ts';
import type { Stop } from '../../lib/app/unattended.ts';

const ID = '8871c0de-0000-4000-8000-000000000001';

test('run: the command is taken as typed, after -- or from its first word, whatever its own options', () => {
  const a = parseCommand(SPECS.run, [
    '--',
    'claude',
    '-p',
    'Refactor the parser',
    '--allowedTools',
    'Bash',
    '--output-format',
    'json',
  ]);
  assert.deepEqual(a.rest, [
    'claude',
    '-p',
    'Refactor the parser',
    '--allowedTools',
    'Bash',
    '--output-format',
    'json',
  ]);
  assert.equal(a.values['max-resumes'], 20);
  const b = parseCommand(SPECS.run, ['--max-resumes', '3', 'claude', '-p', 'x', '--help']);
  assert.equal(b.help, false, "the job's own --help is the job's");
  assert.equal(b.values['max-resumes'], 3);
  assert.deepEqual(b.rest, ['claude', '-p', 'x', '--help']);
  const c = parseCommand(SPECS.run, ['--resume', ID, '--', '--allowedTools', 'Bash']);
  assert.equal(c.values.resume, ID);
  assert.deepEqual(c.rest, ['--allowedTools', 'Bash']);
  assert.equal(parseCommand(SPECS.run, ['--help']).help, true);
  assert.throws(
    () => parseCommand(SPECS.run, ['--max-resumes', '0', '--', 'claude']),
    /--max-resumes must be a whole number of 1 or more/,
  );
  assert.throws(() => parseCommand(SPECS.run, ['-p', 'x']), /unknown option -p/);
});

test('claudeArgs: options with values are never taken for the prompt, as commander reads them', () => {
  const words = splitClaudeArgs([
    '--model',
    'opus',
    '-p',
    '--allowedTools',
    'Bash',
    'Read',
    '--resume',
    '--output-format',
    'json',
    'the prompt',
  ]);
  assert.deepEqual(
    words.map((w) => [w.kind, w.words]),
    [
      ['option', ['--model', 'opus']],
      ['option', ['-p']],
      ['option', ['--allowedTools', 'Bash', 'Read']],
      ['option', ['--resume']],
      ['option', ['--output-format', 'json']],
      ['positional', ['the prompt']],
    ],
  );
  assert.equal(programLength(['claude', '-p']), 1);
  assert.equal(programLength(['node', '/x/node_modules/@anthropic-ai/claude-code/cli.js', '-p']), 2);
  assert.equal(programLength(['npx', '@anthropic-ai/claude-code', '-p']), 2);
  assert.equal(programLength(['/opt/bin/claude', '-p']), 1);
});

test('resumeCommand: the same program and options, the prompt and the old session choice out, --resume in', () => {
  const typed = ['claude', '-p', 'Refactor the parser', '--allowedTools', 'Bash', '--output-format', 'json'];
  assert.deepEqual(resumeCommand(typed, ID, null), [
    'claude',
    '-p',
    '--allowedTools',
    'Bash',
    '--output-format',
    'json',
    '--resume',
    ID,
  ]);
  // After a limit hit, a continue prompt: after --, so that the variadic option before it cannot take it.
  assert.deepEqual(
    resumeCommand(['claude', '--output-format=json', 'do it', '-p', '--allowedTools', 'Bash'], ID, CONTINUE_PROMPT),
    ['claude', '--output-format=json', '-p', '--allowedTools', 'Bash', '--resume', ID, '--', CONTINUE_PROMPT],
  );
  assert.deepEqual(
    resumeCommand(
      ['claude', '--print', '--continue', '--session-id', 'old', '--fork-session', '--', '-x is the prompt'],
      ID,
      null,
    ),
    ['claude', '--print', '--resume', ID],
  );
  assert.deepEqual(
    resumeCommand(['claude', '--allowedTools', 'Bash'], ID, null),
    ['claude', '-p', '--allowedTools', 'Bash', '--resume', ID],
    'a resume is headless',
  );
});

/** A fake world: each run of the job stops as scripted; waits and notices are recorded. */
function fakeIo(stops: (Stop | null)[], exits: JobExit[] = []) {
  let now = 0;
  const runs: { command: readonly string[]; cwd: string; resuming: boolean }[] = [];
  const waits: (number | null)[] = [];
  const notices: string[] = [];
  const err: string[] = [];
  const ac = new AbortController();
  let waitResult = true;
  const io: SuperviseIo = {
    now: () => now,
    start: async (command, cwd, resuming) => {
      runs.push({ command, cwd, resuming });
      now += 1000;
      return exits[runs.length - 1] ?? { code: 0, signal: null };
    },
    stopSince: () => stops[runs.length - 1] ?? null,
    waitOut: async ({ holdUntil: until }) => {
      waits.push(until);
      if (until !== null) now = Math.max(now, until);
      return waitResult;
    },
    notify: (title) => void notices.push(title),
    err: { write: (s) => void err.push(s) },
    signal: ac.signal,
    resumeHint: (id) => `ccguard run --resume ${id}`,
  };
  return { io, runs, waits, notices, err, ac, interrupt: () => (waitResult = false) };
}

const JOB = ['claude', '-p', 'six steps', '--allowedTools', 'Bash', '--output-format', 'json'];
const limit = (until: number): Stop => ({
  at: 0,
  sessionId: ID,
  kind: 'limit',
  folder: '/work/app',
  holdUntil: until,
  reason: 'limit',
});
const deferred = (until: number): Stop => ({
  at: 0,
  sessionId: ID,
  kind: 'deferred',
  folder: '/work/app',
  holdUntil: until,
  reason: 'held',
});

test("supervise: a limit stop, then a deferral, then the end: waits each hold out and resumes the same session; the exit code is the job's", async () => {
  const f = fakeIo(
    [limit(50_000), deferred(90_000), null],
    [
      { code: 1, signal: null },
      { code: 0, signal: null },
      { code: 3, signal: null },
    ],
  );
  const code = await supervise({ command: JOB, cwd: '/work/app', maxResumes: 5 }, f.io);
  assert.equal(code, 3);
  assert.deepEqual(f.waits, [50_000, 90_000]);
  assert.deepEqual(
    f.runs.map((r) => r.command),
    [
      JOB,
      ['claude', '-p', '--allowedTools', 'Bash', '--output-format', 'json', '--resume', ID, '--', CONTINUE_PROMPT],
      ['claude', '-p', '--allowedTools', 'Bash', '--output-format', 'json', '--resume', ID],
    ],
  );
  assert.deepEqual(
    f.runs.map((r) => r.resuming),
    [false, true, true],
  );
  assert.deepEqual(f.notices, [
    'ccguard: limit reached, job waiting',
    'ccguard: job resumed',
    'ccguard: limit reached, job waiting',
    'ccguard: job resumed',
    'ccguard: job finished',
  ]);
});

test('supervise: --max-resumes bounds it (exit 75 when the job itself said 0), and an interrupted wait exits 130', async () => {
  const f = fakeIo([deferred(10_000), deferred(20_000)]);
  assert.equal(await supervise({ command: JOB, cwd: '/w', maxResumes: 1 }, f.io), GAVE_UP);
  assert.equal(f.runs.length, 2);
  assert.equal(f.notices.at(-1), 'ccguard: job gave up');
  assert.match(f.err.join(''), new RegExp(`gave up after 1 resume .*ccguard run --resume ${ID}`));

  const g = fakeIo([limit(10_000)]);
  g.interrupt();
  assert.equal(await supervise({ command: JOB, cwd: '/w', maxResumes: 3 }, g.io), 130);
  assert.equal(g.runs.length, 1, 'no resume after Ctrl-C');
});

test("supervise: --resume starts by waiting out the session's hold, in its folder", async () => {
  const f = fakeIo([null]);
  const code = await supervise(
    { command: ['claude', '-p', '--allowedTools', 'Bash'], cwd: '/elsewhere', maxResumes: 3, from: deferred(30_000) },
    f.io,
  );
  assert.equal(code, 0);
  assert.deepEqual(f.waits, [30_000]);
  assert.deepEqual(f.runs, [
    { command: ['claude', '-p', '--allowedTools', 'Bash', '--resume', ID], cwd: '/work/app', resuming: true },
  ]);
});
