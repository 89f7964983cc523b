import type { AppContext } from '../../app/context.ts';
import { parse } from '../args.ts';
import { paint, type Out } from '../format.ts';
import {
  checkConfig,
  checkDatabase,
  checkHookLatency,
  checkImport,
  checkNotifier,
  checkServerFigures,
  checkSettings,
  checkTranscripts,
  type Check,
} from '../../doctor/checks.ts';
import { checkMonitorAsConfigured } from '../../doctor/monitor.ts';
import { configWithoutState, stateCheck } from '../../doctor/state.ts';
import { ingestJournal } from '../../hook/journal.ts';
import { claudeConfigDirs, resolvePaths, type Env } from '../../util/paths.ts';
import { UsageError } from '../../util/errors.ts';
import { projectDirProblem } from '../../settings/targets.ts';
import { cliCommand } from '../../util/invocation.ts';
import { packageRoot } from '../../config/root.ts';
import { resolve } from 'node:path';

const DOCTOR_OPTIONS = {
  json: { type: 'boolean' },
  'project-dir': { type: 'string' },
  'config-dir': { type: 'string' },
} as const;

/** `--config-dir A,B`: the Claude Code config folders to check instead of CLAUDE_CONFIG_DIR's (or ~/.claude). */
function configDirsOf(given: string | undefined): string[] | undefined {
  if (given === undefined) return undefined;
  // Read as CLAUDE_CONFIG_DIR is read (claudeConfigDirs): comma-separated, trimmed, absolute.
  const dirs = given.trim().length > 0 ? [...new Set(claudeConfigDirs({ CLAUDE_CONFIG_DIR: given }))] : [];
  if (dirs.length === 0) throw new UsageError('--config-dir needs a folder (--config-dir DIR)');
  return dirs;
}

/** Commands in fixes, written so that they run as printed (see cliCommand). */
function cliOf(env: Env): (args: readonly string[]) => string {
  const self = { root: packageRoot(), nodePath: process.execPath, env };
  return (args) => cliCommand(self, args);
}

/**
 * `ccguard doctor [--json] [--project-dir DIR] [--config-dir DIR[,DIR...]]`: is ccguard installed, healthy and seeing data (its
 * own, and the server's usage figures through the status line)?
 */
export async function runDoctor(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, DOCTOR_OPTIONS);
  const given = values['project-dir'];
  // A mistyped folder has no settings of its own: reporting on it would say "healthy" of nothing.
  const problem = given === undefined ? null : projectDirProblem(given);
  if (problem) throw new UsageError(`--project-dir: ${problem}; give the folder of an existing project`);
  ingestJournal(app.paths.stateDir, app.store, app.now());
  const projectDir = resolve(given ?? process.cwd());
  const cli = cliOf(app.env);
  const checks: Check[] = [
    ...checkSettings(app, projectDir, {
      maxSleepSeconds: app.config.recovery.max_sleep_seconds,
      cli,
      stateDir: app.paths.stateDir,
      configDirs: configDirsOf(values['config-dir']),
    }),
    checkDatabase(app),
    checkConfig(app, cli),
    checkTranscripts(app),
    checkImport(app, cli),
    ...checkHookLatency(app),
    checkServerFigures(app, projectDir, cli),
    await checkMonitorAsConfigured(app.config, app.env),
    checkNotifier(app),
  ];
  return print(checks, Boolean(values.json), out);
}

function print(checks: readonly Check[], json: boolean, out: Out): number {
  const failed = checks.filter((c) => c.level === 'fail').length;
  if (json) {
    out.write(JSON.stringify({ ok: failed === 0, checks }, null, 2) + '\n');
  } else {
    for (const c of checks) {
      const mark =
        c.level === 'ok'
          ? paint(out, 'green', 'ok  ')
          : c.level === 'warn'
            ? paint(out, 'yellow', 'warn')
            : paint(out, 'red', 'FAIL');
      out.write(`${mark}  ${c.name.padEnd(22)} ${c.detail}\n`);
      if (c.fix && c.level !== 'ok') out.write(`      ${''.padEnd(22)} fix: ${c.fix}\n`);
    }
    const warned = checks.filter((c) => c.level === 'warn').length;
    out.write(`\n${failed} failed, ${warned} warnings, ${checks.length - failed - warned} ok\n`);
  }
  return failed > 0 ? 1 : 0;
}

/**
 * `ccguard doctor` when the state cannot be opened at all (an unwritable or misplaced state
 * directory, a broken config): says why, and checks what does not need it, instead of stopping at
 * the first error.
 */
export async function runDoctorWithoutState(
  env: NodeJS.ProcessEnv,
  argv: string[],
  out: Out,
  cause: unknown,
): Promise<number> {
  let values: { json?: boolean; 'project-dir'?: string; 'config-dir'?: string } = {};
  try {
    values = parse(argv, DOCTOR_OPTIONS).values;
  } catch {
    // bad arguments: the report still comes, in text
  }
  const paths = resolvePaths(env);
  const given = values['project-dir'];
  const problem = given === undefined ? null : projectDirProblem(given);
  const checks: Check[] = [
    stateCheck(paths, cause),
    // Here the report must come whatever the arguments: the folder that is not there is a failure in it.
    ...(problem
      ? [
          {
            name: 'hooks',
            level: 'fail' as const,
            detail: `--project-dir: ${problem}`,
            fix: 'give the folder of an existing project',
          },
        ]
      : checkSettings({ env }, resolve(given ?? process.cwd()), {
          cli: cliOf(env),
          stateDir: paths.stateDir,
          configDirs: configDirsOf(values['config-dir']),
        })),
    checkTranscripts({ paths }),
    await checkMonitorAsConfigured(configWithoutState(paths), env),
  ];
  return print(checks, Boolean(values.json), out);
}
