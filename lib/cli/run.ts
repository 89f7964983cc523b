import { openApp, type AppContext } from './context.ts';
import { makeOut, type Out } from './format.ts';
import { CcguardError, UsageError, oneLine } from '../util/errors.ts';

const HELP = `ccguard: keeps Claude Code sessions inside their usage limits.

Usage: ccguard <command> [options]

Commands:
  status [--json] [--fresh]                   the active 5-hour block, today's cost, active sessions
  doctor [--json] [--project-dir DIR]         check the install, database, config, data, hook latency, notifier
  report blocks|daily|sessions [--json] [--since DATE] [--until DATE]
  report --html [--out FILE] [--open] [--days N]
                                              one self-contained HTML page: block, 7 days, costs, events, sessions
  report --json [--days N]                    the same numbers as one JSON object
  import [--json]                             import every transcript now (later runs read only new bytes)
  events [--json] [--follow] [--session ID] [--decisions] [--limit N]
                                              what the hooks decided, newest last; --follow keeps watching
  pause [--minutes N]                         deny tool calls and block prompts in every session until then
  resume [--minutes N]                        lift pauses, backoff and usage holds (for the window, or N min)
  wait [--json]                               count down while a pause, backoff or used-up limit is in force
  alert token|time|cost|rate_limit            fire that alert and its recovery now (to try notifications)
  install [--scope user|project|local] [--project-dir DIR] [--dry-run] [--no-statusline] [--no-import]
                                              add ccguard's hooks to Claude Code's settings (default: user)
  uninstall [--scope ...] [--project-dir DIR] [--dry-run]
                                              take them out again, restoring what was there
  statusline                                  Claude Code status line: reads its JSON on stdin, prints one line
  help                                        this text

State lives in $CCGUARD_HOME (default ~/.claude/ccguard); overrides go in its config.yaml.
`;

export type Command = (app: AppContext, argv: string[], out: Out, err: Out) => number | Promise<number>;
export type Commands = Record<string, () => Promise<Command>>;

/** Commands that run without (or before) the usual state: given by the entry point that serves them. */
export interface Special {
  statusline?: () => Promise<(env: NodeJS.ProcessEnv, argv: string[], out: Out, err: Out) => Promise<number>>;
  doctorWithoutState?: () => Promise<(env: NodeJS.ProcessEnv, argv: string[], out: Out, cause: unknown) => Promise<number>>;
}

/**
 * Runs one command: the one place that decides the exit code. `commands` says how each command is
 * loaded, so that an entry point can link the one it serves statically.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, commands: Commands, special: Special = {}): Promise<number> {
  const out = makeOut(process.stdout, env);
  const err = makeOut(process.stderr, env);
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    out.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === 'version') {
    out.write('ccguard 0.1.0\n');
    return 0;
  }
  // The status line opens the state itself: a broken config must not take the user's own status line away.
  if (cmd === 'statusline' && special.statusline) return (await special.statusline())(env, rest, out, err);
  const load = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
  if (!load) {
    err.write(`ccguard: unknown command "${cmd}" (try: ccguard help)\n`);
    return 2;
  }
  let app: AppContext | undefined;
  try {
    const run = await load();
    app = await openApp(env);
    return await run(app, rest, out, err);
  } catch (e) {
    // A state that cannot be opened (or a config that does not load) is what doctor is asked about.
    if (cmd === 'doctor' && app === undefined && !(e instanceof UsageError) && special.doctorWithoutState) {
      return (await special.doctorWithoutState())(env, rest, out, e);
    }
    // The one place that decides the exit code: known errors get their line, anything else a short report.
    if (e instanceof UsageError) {
      err.write(`ccguard ${cmd}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CcguardError) {
      err.write(`ccguard: ${oneLine(e)}\n`);
      return 1;
    }
    err.write(`ccguard: internal error: ${oneLine(e)}\n`);
    if (env.CCGUARD_DEBUG) err.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  } finally {
    app?.store.close();
  }
}
