// Claude Code's command line as `ccguard run` takes it: passed on untouched for the first run, and
// rewritten only to resume the session (its prompt and session choice out, `--resume <id>` in).
// Read the way Claude Code's own parser (commander) reads it, so an option's value is never taken for
// the prompt whatever the order: the options that take a value are those of `claude --help` (2.1.330)
// and a few it does not show. A variadic one (`--allowedTools Bash Read`) takes every word up to the
// next option, as commander does; an optional value (`--resume [id]`) the next word unless it is one.

const REQUIRED_VALUE = new Set([
  '--agent',
  '--agents',
  '--append-system-prompt',
  '--append-system-prompt-file',
  '--autocompact',
  '--debug-file',
  '--effort',
  '--environment',
  '--fallback-model',
  '--input-format',
  '--json-schema',
  '--max-budget-usd',
  '--max-turns',
  '--model',
  '-n',
  '--name',
  '--output-format',
  '--permission-mode',
  '--permission-prompt-tool',
  '--permission-prompts',
  '--plugin-dir',
  '--plugin-url',
  '--remote-control-session-name-prefix',
  '--resume-session-at',
  '--session-id',
  '--setting-sources',
  '--settings',
  '--system-prompt',
  '--system-prompt-file',
  '--system-prompt-snapshot',
]);
const OPTIONAL_VALUE = new Set([
  '--cloud',
  '-d',
  '--debug',
  '--from-pr',
  '--prompt-suggestions',
  '--remote-control',
  '-r',
  '--resume',
  '--teleport',
  '-w',
  '--worktree',
]);
const VARIADIC = new Set([
  '--add-dir',
  '--allowedTools',
  '--allowed-tools',
  '--betas',
  '--disallowedTools',
  '--disallowed-tools',
  '--file',
  '--mcp-config',
  '--tools',
]);
/** What picks the session: replaced by `--resume <id>` when resuming. */
const SESSION_CHOICE = new Set([
  '-r',
  '--resume',
  '-c',
  '--continue',
  '--session-id',
  '--fork-session',
  '--from-pr',
  '--teleport',
]);

/** The prompt Claude Code's own automatic continue uses after a limit, in the same words. */
export const CONTINUE_PROMPT =
  'Your claude.ai usage limit has reset. Continue the task you were working on when the limit was reached; do not repeat work that is already complete.';

const isOption = (w: string): boolean => w.length > 1 && w.startsWith('-');

/** A word of the command line: an option with the words it took, or a positional (the prompt). */
interface Word {
  kind: 'option' | 'positional';
  words: string[];
  name?: string;
}

/** Where Claude Code's own arguments start: after the word that runs it (`claude`, `/x/claude`, `node …/cli.js`). */
export function programLength(command: readonly string[]): number {
  const i = command.findIndex(
    (w) =>
      /(^|[\\/])(claude(\.exe|\.cmd)?|cli\.m?js)$/.test(w) ||
      w === '@anthropic-ai/claude-code' ||
      w.startsWith('@anthropic-ai/claude-code@'),
  );
  return i === -1 ? Math.min(1, command.length) : i + 1;
}

/** Claude Code's arguments split into options (with their values) and positionals, commander's way. */
export function splitClaudeArgs(args: readonly string[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === '--') {
      // Everything after it is positional, whatever it looks like.
      for (const p of args.slice(i + 1)) out.push({ kind: 'positional', words: [p] });
      break;
    }
    if (!isOption(w)) {
      out.push({ kind: 'positional', words: [w] });
      continue;
    }
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const name = eq === -1 ? w : w.slice(0, eq);
    const words = [w];
    if (eq === -1) {
      if (REQUIRED_VALUE.has(name)) {
        if (i + 1 < args.length) words.push(args[++i]!);
      } else if (OPTIONAL_VALUE.has(name)) {
        if (i + 1 < args.length && !isOption(args[i + 1]!)) words.push(args[++i]!);
      } else if (VARIADIC.has(name)) {
        while (i + 1 < args.length && !isOption(args[i + 1]!) && args[i + 1] !== '--') words.push(args[++i]!);
      }
    }
    out.push({ kind: 'option', words, name });
  }
  return out;
}

/**
 * The command that resumes `sessionId`: the same program and options, without the prompt and the
 * original session choice, with `--resume <id>`; after a limit hit, the continue prompt (after `--`,
 * so that no variadic option before it can take it).
 */
export function resumeCommand(command: readonly string[], sessionId: string, prompt: string | null): string[] {
  const n = programLength(command);
  const kept = splitClaudeArgs(command.slice(n)).filter(
    (w) => w.kind === 'option' && !SESSION_CHOICE.has(w.name ?? ''),
  );
  const hasPrint = kept.some((w) => w.name === '-p' || w.name === '--print');
  return [
    ...command.slice(0, n),
    ...(hasPrint ? [] : ['-p']),
    ...kept.flatMap((w) => w.words),
    '--resume',
    sessionId,
    ...(prompt === null ? [] : ['--', prompt]),
  ];
}

/** The default command of `ccguard run --resume <id>` with no command given: `claude -p`. */
export const DEFAULT_COMMAND: readonly string[] = ['claude', '-p'];
