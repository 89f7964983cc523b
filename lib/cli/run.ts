import { openApp, type AppContext } from '../app/context.ts';
import { makeOut, type Out } from './format.ts';
import { closest, parseCommand } from './args.ts';
import { SPECS, specOf } from './spec.ts';
import { commandHelp, mainHelp } from './help.ts';
import { CcguardError, UsageError, oneLine } from '../util/errors.ts';

/** The version in package.json, loaded when asked (one file read, not on every command). */
async function version(): Promise<string> {
  return (await import('../config/version.ts')).packageVersion();
}

export type Command = (app: AppContext, argv: string[], out: Out, err: Out) => number | Promise<number>;
export type Commands = Record<string, () => Promise<Command>>;

/** Commands that run without (or before) the usual state: given by the entry point that serves them. */
export interface Special {
  statusline?: () => Promise<(env: NodeJS.ProcessEnv, argv: string[], out: Out, err: Out) => Promise<number>>;
  doctorWithoutState?: () => Promise<
    (env: NodeJS.ProcessEnv, argv: string[], out: Out, cause: unknown) => Promise<number>
  >;
}

/**
 * Runs one command: the one place that decides the exit code. `commands` says how each command is
 * loaded, so that an entry point can link the one it serves statically.
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  commands: Commands,
  special: Special = {},
): Promise<number> {
  const out = makeOut(process.stdout, env);
  const err = makeOut(process.stderr, env);
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    const about = cmd === 'help' ? rest.find((a) => !a.startsWith('-')) : undefined;
    const spec = about === undefined ? undefined : specOf(about);
    if (about !== undefined && !spec) return unknownCommand(about, err);
    out.write(spec && about ? commandHelp(about, spec, out.columns) : mainHelp(out.columns));
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === '-V' || cmd === 'version') {
    out.write(`ccguard ${await version()}\n`);
    return 0;
  }
  const spec = specOf(cmd);
  const load = spec && Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
  if (!spec || (!load && !(cmd === 'statusline' && special.statusline))) return unknownCommand(cmd, err);
  let app: AppContext | undefined;
  try {
    // The command line is read before anything is opened: `--help` and a bad value need no state.
    if (parseCommand(spec, rest).help) {
      out.write(commandHelp(cmd, spec, out.columns));
      return 0;
    }
    // The status line opens the state itself: a broken config must not take the user's own status line away.
    if (cmd === 'statusline' && special.statusline) return await (await special.statusline())(env, rest, out, err);
    if (!load) return unknownCommand(cmd, err);
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

function unknownCommand(cmd: string, err: Out): number {
  const near = cmd.startsWith('-') ? undefined : closest(cmd, Object.keys(SPECS));
  err.write(`ccguard: unknown command "${cmd}" (${near ? `did you mean ${near}? ` : ''}try: ccguard help)\n`);
  return 2;
}
