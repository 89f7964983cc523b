/**
 * Every command, its argument and its options, described once: `ccguard help`, each command's
 * `--help` and the reading of its command line (lib/cli/args.ts) all come from here, so that what
 * the help says is what the parser takes. Data only: every entry point loads it.
 */
import type { CommandSpec } from './args.ts';

const json = (what: string) => ({ kind: 'flag', help: what }) as const;
const projectDir = {
  kind: 'text',
  value: 'DIR',
  help: 'the project whose .claude/ settings to use (default: the current folder)',
} as const;
const scope = {
  kind: 'choice',
  choices: ['user', 'project', 'local'],
  help: 'which settings file: settings.json in the Claude Code config folder (user, the default: $CLAUDE_CONFIG_DIR, else ~/.claude), <project>/.claude/settings.json (project) or <project>/.claude/settings.local.json (local)',
} as const;
const configDir = {
  kind: 'text',
  value: 'DIR',
  list: true,
  help: "user scope: the Claude Code config folder (as CLAUDE_CONFIG_DIR names it) whose settings.json to use; repeat it or separate folders with commas for several (default: $CLAUDE_CONFIG_DIR's folders, else ~/.claude)",
} as const;
/** Which account a command shows or acts on (README "Several accounts and API keys"). */
const account = {
  kind: 'text',
  value: 'DIR|all',
  help: 'the account of that Claude Code config folder (as CLAUDE_CONFIG_DIR names it), or all of them (default: the account of this environment)',
} as const;
/**
 * Install writes user or local settings only; `project` is read so that install can say why not and
 * what to run instead (lib/cli/commands/install.ts), and is not offered.
 */
const installScope = {
  kind: 'choice',
  choices: ['user', 'local'],
  refused: ['project'],
  help: 'which settings file: settings.json in the Claude Code config folder (user, the default: $CLAUDE_CONFIG_DIR, else ~/.claude) or <project>/.claude/settings.local.json (local: that project, for you only)',
} as const;
/** A year: a pause or a lift longer than that is a typo. */
const MAX_MINUTES = 525_600;

export const SPECS = {
  status: {
    summary: "the active 5-hour block, where its figure comes from, today's cost, active sessions",
    about:
      "The active 5-hour block (tokens, limit, cost, burn rate, projection), where the usage figure comes from and how sure it is, the recovery state, today's cost and the active sessions. A status asked again while nothing changed answers from the last one's snapshot (at most 15 s old).",
    options: {
      json: json('the same as one JSON object (times in ISO 8601 UTC)'),
      fresh: { kind: 'flag', help: "compute anew instead of answering from the last status's snapshot" },
      account,
    },
  },
  report: {
    summary: 'usage by 5-hour block, by day or by session; or everything as one HTML page or JSON object',
    about:
      'A table of usage by 5-hour block (the default), by local day or by session, optionally between two dates. Without a kind, --html writes one self-contained page (block, days, costs, events, sessions) and --json prints the same numbers.',
    arg: {
      name: 'report kind',
      choices: {
        blocks: 'one row per 5-hour block (the default)',
        daily: 'one row per local day',
        sessions: 'one row per session',
      },
      required: false,
    },
    options: {
      json: json('JSON instead of a table (without a kind: the combined report as one object)'),
      since: { kind: 'date', help: 'from that local day on (2026-11-24 or 20261124)' },
      until: { kind: 'date', endOfDay: true, help: 'up to and including that local day' },
      html: { kind: 'flag', help: 'write the combined report as one HTML page and print its path' },
      out: { kind: 'text', value: 'FILE', help: 'where to write the page (default: report.html in the state folder)' },
      open: { kind: 'flag', help: 'open the page in the browser once written' },
      days: {
        kind: 'count',
        value: 'N',
        max: 92,
        help: 'how many days the combined report covers (default 7, at most 92)',
      },
      account: {
        ...account,
        value: 'DIR',
        help: "whose limits and holds the combined report shows: the account of that config folder (default: this environment's)",
      },
    },
    forms: [
      ['<arg>', 'json', 'since', 'until'],
      ['html', 'out', 'open', 'days', 'json', 'account'],
    ],
  },
  import: {
    summary: 'import every transcript now (later runs read only what is new)',
    about:
      "Reads every Claude Code transcript under ~/.claude/projects into ccguard's database: a progress bar on a terminal, plain lines otherwise. Later runs, hooks and status read only what was appended since.",
    options: { json: json('the counts as one JSON object instead of a sentence') },
  },
  events: {
    summary: 'what the hooks decided, newest last; --follow keeps watching',
    about:
      'What the hooks and commands did, newest last: time, session, hook, tool, decision and why. Events never hold prompts, tool inputs or outputs.',
    options: {
      json: json('JSON: one array (with --follow, one object a line)'),
      follow: { kind: 'flag', help: 'keep printing new events as they come (Ctrl-C stops)' },
      session: {
        kind: 'text',
        value: 'ID',
        help: "only that session's events: its full ID or the first characters the tables show (f3e1c0de)",
      },
      decisions: {
        kind: 'flag',
        help: 'only events where ccguard acted or spoke (warn, delay, deny, defer, limit_stop, notify, pause, resume, alert, errors): leaves out silent allows and hooks that only recorded',
      },
      limit: {
        kind: 'count',
        value: 'N',
        default: 200,
        help: 'the last N events (a whole number of 1 or more; default 200)',
      },
    },
  },
  pause: {
    summary: "deny tool calls and block prompts in the account's sessions until then",
    about:
      "Pauses every session of the account (this environment's, or --account's): tool calls are denied and prompts blocked until the pause ends or `ccguard resume` lifts it.",
    options: {
      minutes: {
        kind: 'number',
        value: 'N',
        what: 'minutes',
        max: MAX_MINUTES,
        help: 'how long (default: recovery.pause.minutes, 60)',
      },
      account,
    },
  },
  resume: {
    summary: 'lift pauses, backoff and usage holds (for the window, or N min)',
    about:
      "Lifts the account's pauses and rate-limit backoff, a cost degradation fired by hand, and the holds the usage figures put on tool calls now (pacing, a used-up window, a model-family limit), each for the rest of its own window, or for --minutes N. A hold that comes later (another window's limit) holds. The warnings go on; session clocks restart. The account is this environment's, or --account's.",
    options: {
      minutes: {
        kind: 'number',
        value: 'N',
        what: 'minutes',
        max: MAX_MINUTES,
        help: 'lift the holds for N minutes only',
      },
      account,
    },
  },
  wait: {
    summary: 'count down while a pause, backoff or used-up limit is in force',
    about:
      'Counts down while a pause, backoff, used-up limit or model-family limit is in force and exits 0 when a tool call would pass (at once when nothing holds), so `ccguard wait && claude --continue` resumes work after a limit. Ctrl-C exits 130.',
    options: {
      json: json('one JSON line at the start and one at the end instead of the countdown'),
      account: {
        ...account,
        help: "wait for the account of that config folder, or while any account has something in force (all); default: this environment's",
      },
    },
  },
  run: {
    summary: 'run an unattended job; resume it by itself after a usage limit',
    about:
      "Runs one unattended Claude Code job in the foreground (no daemon) with its output passed through unchanged: `ccguard run -- claude -p \"Refactor the parser\" --allowedTools Bash`. When the run ends because ccguard deferred a held tool call, or on Claude's usage limit, it waits until the hold ends (as `ccguard wait` does: never before the server's reset), resumes that very session in the same folder with the same options (`--resume <id>`: no prompt after a deferral, a short continue prompt after a limit), and repeats until the job ends by itself. Exits with the job's exit code (after --max-resumes with the job still waiting: the last run's, or 75 if that was 0). Ctrl-C stops the job and the wait. `ccguard run --resume SESSION [-- claude options]` resumes a session that waits (`ccguard status` lists each with this command), for cron and CI.",
    arg: { name: 'command', value: '-- COMMAND...', required: false, rest: true },
    options: {
      'max-resumes': {
        kind: 'count',
        value: 'N',
        default: 20,
        help: 'resume at most N times, then give up (default 20)',
      },
      resume: {
        kind: 'text',
        value: 'SESSION',
        help: 'resume that waiting session (in the folder it ran in); the command after -- defaults to claude -p',
      },
    },
    forms: [['max-resumes', 'resume', '<arg>']],
  },
  alert: {
    summary: 'fire that alert and its recovery now (to try notifications)',
    about:
      'Fires one alert and its recovery now, to try notifications and recovery without waiting. `ccguard resume` lifts what it starts.',
    arg: {
      name: 'alert',
      choices: {
        token: 'the token-threshold notification (it only informs)',
        time: 'the session pause, for recovery.pause.minutes',
        cost: 'the cost degradation: recovery.degradation.deny_tools are denied for recovery.pause.minutes',
        rate_limit: 'the rate-limit backoff, one level up',
      },
      required: true,
    },
    options: {},
  },
  doctor: {
    summary: 'check the install, database, config, data, hook latency, notifier',
    about:
      'Checks that ccguard is installed, healthy and seeing data; each problem comes with a fix. Exits 1 when a check fails.',
    options: {
      json: json('the checks as one JSON object'),
      'project-dir': projectDir,
      'config-dir': {
        ...configDir,
        help: "the Claude Code config folders whose settings.json to check, comma-separated (default: $CLAUDE_CONFIG_DIR's folders, else ~/.claude: the ones Claude Code reads in this shell)",
      },
    },
  },
  install: {
    summary: "add ccguard's hooks to Claude Code's settings (default: user)",
    about:
      "Adds ccguard's hooks to Claude Code's settings. It also sets up ccguard's status line: Claude Code hands the server's own 5-hour and weekly usage figures (claude.ai subscribers) to the status line command only, so that is where ccguard gets them. A status line you already have keeps running: ccguard records the figures, then runs your command and shows its output unchanged. With CLAUDE_CONFIG_DIR set, user scope is that folder's settings.json, the one Claude Code reads then (each folder, when it names several); --config-dir names the folders instead. Everything else in the file is kept; a second install changes nothing. Undo with: ccguard uninstall [--scope ...] [--project-dir DIR]",
    options: {
      scope: installScope,
      'project-dir': { ...projectDir, help: 'the project for --scope local (default: the current folder)' },
      'config-dir': configDir,
      'dry-run': { kind: 'flag', help: 'print the change as a diff, write nothing' },
      'no-statusline': {
        kind: 'flag',
        help: "leave the status line out (and take ccguard's out again, putting yours back)",
      },
      'no-import': { kind: 'flag', help: 'skip the first import of your transcript history' },
    },
    forms: [
      ['scope', 'project-dir', 'dry-run', 'no-statusline', 'no-import'],
      ['config-dir', 'dry-run', 'no-statusline', 'no-import'],
    ],
  },
  uninstall: {
    summary: 'take them out again, restoring what was there',
    about:
      "Takes ccguard's hooks and status line out of Claude Code's settings again: an untouched file comes back byte for byte, otherwise exactly ccguard's entries go and your own status line is put back. ccguard's own state stays.",
    options: {
      scope,
      'project-dir': { ...projectDir, help: 'the project for --scope project|local (default: the current folder)' },
      'config-dir': configDir,
      'dry-run': { kind: 'flag', help: 'print the change as a diff, write nothing' },
    },
    forms: [
      ['scope', 'project-dir', 'dry-run'],
      ['config-dir', 'dry-run'],
    ],
  },
  statusline: {
    summary: "Claude Code's status line: reads its JSON on stdin, prints one line",
    about:
      "Claude Code's status line (install sets it up): reads the status line JSON on stdin, records the rate limits it carries, and prints one compact line. Always exits 0.",
    options: {
      then: {
        kind: 'text',
        value: 'COMMAND',
        help: 'record, then run your own status line command and print its output instead',
      },
      ccguard: { kind: 'flag', hidden: true, help: "marks ccguard's own entry in the settings" },
    },
  },
  help: {
    summary: 'this text, or one command in full',
    arg: { name: 'command', value: 'COMMAND', required: false },
    options: {},
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof SPECS;

export function specOf(name: string): CommandSpec | undefined {
  return Object.hasOwn(SPECS, name) ? SPECS[name as CommandName] : undefined;
}
