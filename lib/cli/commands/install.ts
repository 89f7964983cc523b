import { importAll } from '../../transcripts/import.ts';
import { packageRoot } from '../../config/root.ts';
import { EVENT_FILES, SLEEPING_EVENTS } from '../../settings/hookCommand.ts';
import {
  backupsDir,
  BACKUPS_KEPT,
  claudeHomes,
  defaultClaudeHome,
  projectDirProblem,
  settingsFile,
  tildify,
  userSettingsFile,
  type Scope,
} from '../../settings/targets.ts';
import { claudeConfigDirs, type Env } from '../../util/paths.ts';
import { cliCommand, type Self } from '../../util/invocation.ts';
import type { HookEvent } from '../../policy/types.ts';
import { resolve } from 'node:path';
import { ConfigError, UsageError } from '../../util/errors.ts';
import type { InstallOutcome } from '../../settings/edit.ts';
import { importContext, type AppContext } from '../../app/context.ts';
import type { Out } from '../format.ts';
import { fmtInt, fmtMb } from '../../util/format.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';

/**
 * The scope arguments that name the same settings file from any folder: the project by absolute
 * path, so a printed command works wherever it is pasted.
 */
function scopeArgs(scope: Scope, projectDir: string, configDirs?: readonly string[], env?: Env): string[] {
  if (scope !== 'user') return ['--scope', scope, '--project-dir', resolve(projectDir)];
  return configDirs === undefined || env === undefined ? [] : configDirArgs(configDirs, env);
}

/**
 * `--config-dir DIR[,DIR...]` unless the folders are just `~/.claude`: a printed command names the
 * folders it was about, so it works pasted into a shell where CLAUDE_CONFIG_DIR is not set.
 */
function configDirArgs(configDirs: readonly string[], env: Env): string[] {
  const dirs = configDirs.map((d) => resolve(d));
  return dirs.length === 1 && dirs[0] === defaultClaudeHome(env) ? [] : ['--config-dir', dirs.join(',')];
}

/**
 * The Claude Code config folders user scope acts on: `--config-dir` (repeated or comma-separated),
 * else each folder of CLAUDE_CONFIG_DIR, else ~/.claude. Refused with another scope: project and
 * local settings live in the project, whatever the config folder.
 */
function configDirsOf(given: string | undefined, scope: Scope, env: Env): string[] {
  if (given === undefined) return scope === 'user' ? claudeHomes(env) : [defaultClaudeHome(env)];
  if (scope !== 'user')
    throw new UsageError(`--config-dir is for user scope: --scope ${scope} edits the project's .claude/ folder`);
  // Read as CLAUDE_CONFIG_DIR is read (claudeConfigDirs): comma-separated, trimmed, absolute.
  const dirs = given.trim().length > 0 ? [...new Set(claudeConfigDirs({ CLAUDE_CONFIG_DIR: given }))] : [];
  if (dirs.length === 0) throw new UsageError('--config-dir needs a folder (--config-dir DIR)');
  return dirs;
}

/** The project folder the command acts on: --project-dir, which must exist, or the current folder. */
function projectDirOf(given: string | undefined): string {
  if (given === undefined) return process.cwd();
  const problem = projectDirProblem(given);
  if (problem) throw new UsageError(`--project-dir: ${problem}; give the folder of an existing project`);
  return resolve(given);
}

/**
 * Why install refuses --scope project, and what to run instead. The project file is the one a team
 * commits; ccguard's commands in it name this machine's node and ccguard's folder (absolute paths,
 * the only thing that starts fast enough to run on every tool call), so a teammate's Claude Code
 * would fail the hooks on every call, or run whatever sits at those paths. Local scope applies to
 * the same project, for this user only.
 */
function projectScopeRefusal(app: AppContext, self: Self, projectDir: string, hasOurs: boolean): string {
  const file = tildify(settingsFile('project', app.env, projectDir), app.env);
  const local = cliCommand(self, ['install', ...scopeArgs('local', projectDir)]);
  return (
    `--scope project is not supported: ${file} is the settings file a team commits, and ccguard's hook ` +
    `commands name this machine's node (${self.nodePath}) and ccguard's folder (${self.root}), which your ` +
    `teammates do not have: their Claude Code would report a failing hook on every tool call.\n` +
    `  For this project only, use local scope (.claude/settings.local.json, your own settings for the project, not shared):\n    ${local}\n` +
    `  For every project, use the default user scope:\n    ${cliCommand(self, ['install'])}\n` +
    (hasOurs
      ? `  ${file} already holds ccguard's hooks from an earlier install; take them out with:\n    ${cliCommand(self, ['uninstall', ...scopeArgs('project', projectDir)])}\n`
      : '')
  ).trimEnd();
}

/** "a 60 s timeout", or "a 130 s timeout on PreToolUse and UserPromptSubmit (...), 60 s on the others". */
function timeoutText(timeouts: Record<HookEvent, number>, maxSleep: number): string {
  const sleeping = [...SLEEPING_EVENTS];
  const slow = timeouts[sleeping[0]!];
  const others = Object.entries(timeouts).filter(([e]) => !SLEEPING_EVENTS.has(e as HookEvent));
  const rest = others[0]?.[1] ?? slow;
  if (slow === rest) return `a ${slow} s timeout`;
  return `a ${slow} s timeout on ${sleeping.join(' and ')} (they may sleep up to recovery.max_sleep_seconds, ${maxSleep} s), ${rest} s on the others`;
}

/** The first import, with a progress line on stderr when that is a terminal (piped, it says nothing). */
async function firstImport(app: AppContext, out: Out, err: Out): Promise<void> {
  const started = performance.now();
  let lastDraw = 0;
  const stats = await importAll(importContext(app), {
    onProgress: (done, total, bytes) => {
      if (err.isTTY) {
        const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
        const t = performance.now();
        if (t - lastDraw < 80 && done < total) return;
        lastDraw = t;
        err.write(`\rImporting your Claude Code history: ${done}/${total} files (${pct}%), ${fmtMb(bytes)}`);
        if (done === total) err.write('\n');
      }
    },
  });
  const ms = Math.round(performance.now() - started);
  out.write(
    `Imported ${fmtInt(stats.entriesAdded)} responses from ${fmtInt(stats.filesRead)} of ${fmtInt(stats.filesSeen)} transcript files in ${ms} ms.\n`,
  );
}

/** `ccguard install [--scope user|local] [--project-dir DIR] [--config-dir DIR]... [--dry-run] [--no-statusline] [--no-import]` (help: lib/cli/spec.ts) */
export async function runInstall(app: AppContext, argv: string[], out: Out, err: Out): Promise<number> {
  const { values } = parseCommand(SPECS.install, argv);
  const statusLine = !values['no-statusline'];
  const scope: Scope = values.scope ?? 'user';
  const projectDir = projectDirOf(values['project-dir']);
  const configDirs = configDirsOf(values['config-dir'], scope, app.env);
  // Loaded on demand: the settings editor (and zod with it) stays out of every other command's start-up.
  const { install, holdsCcguard } = await import('../../settings/install.ts');
  if (scope === 'project') {
    const self: Self = { root: packageRoot(), nodePath: process.execPath, env: app.env };
    throw new UsageError(projectScopeRefusal(app, self, projectDir, holdsCcguard('project', app.env, projectDir)));
  }
  // Install writes what the config implies (the hooks' timeouts): not from a fallback while the user's
  // file is broken, which would quietly undo the change they meant to make. Opening the app has said
  // what is wrong already: this line says only what install does about it.
  if (app.loaded.problem)
    throw new ConfigError(
      'install writes the hooks from config.yaml as it stands: fix the error above, then run install again',
    );
  const maxSleep = app.config.recovery.max_sleep_seconds;
  let self: Self = { root: packageRoot(), nodePath: process.execPath, env: app.env };
  // Each folder on its own: Claude Code started with CLAUDE_CONFIG_DIR=<folder> reads only that one's settings.json.
  for (const configDir of configDirs) {
    const r = install({
      scope,
      projectDir,
      configDir,
      env: app.env,
      stateDir: app.paths.stateDir,
      packageRoot: packageRoot(),
      nodePath: process.execPath,
      maxSleepSeconds: maxSleep,
      statusLine,
      dryRun: values['dry-run'],
      now: app.now(),
    });
    // Commands printed below run the copy the hooks use (npx's cache goes away).
    self = { root: r.appRoot, nodePath: process.execPath, env: app.env };
    const where = tildify(r.settingsPath, app.env);
    const events = Object.keys(EVENT_FILES).length;
    if (values['dry-run']) {
      if (!r.changed) {
        out.write(`ccguard is already installed in ${where}: nothing would change.\n`);
      } else {
        out.write(r.diff);
        out.write(`Dry run: nothing written. Without --dry-run this ${r.created ? 'creates' : 'changes'} ${where}.\n`);
      }
      if (r.copied)
        out.write(
          `It would also copy ccguard out of npx's cache to ${tildify(r.appRoot, app.env)}, where the hooks would point.\n`,
        );
      continue;
    }
    if (r.copied) {
      out.write(
        `ccguard runs from npx's cache, which is cleaned up; copied it to ${tildify(r.appRoot, app.env)} and pointed the hooks there.\n`,
      );
    }
    if (!r.changed) {
      out.write(`ccguard's hooks are already installed in ${where}; the file is unchanged.\n`);
    } else {
      out.write(
        `${r.created ? 'Created' : 'Updated'} ${where} (${scope} scope): ccguard's hooks for ${events} events, ` +
          `running ${tildify(r.appRoot, app.env)}/dist/hooks/*.js with ${timeoutText(r.timeouts, maxSleep)}.\n`,
      );
      if (r.backup)
        out.write(
          `Backup of the previous file: ${tildify(r.backup, app.env)} (ccguard keeps the newest ${BACKUPS_KEPT} per settings file)\n`,
        );
    }
    out.write(movedText(r.movedBackups, app));
    if (scope === 'local') out.write(await gitNote(r.settingsPath, app));
    out.write(
      statusLineSummary(
        r.outcome,
        app,
        cliCommand(self, ['install', ...scopeArgs(scope, projectDir, [configDir], app.env)]),
      ),
    );
  }
  if (values['dry-run']) return 0;
  const other = configDirs.find((d) => d !== defaultClaudeHome(app.env));
  if (scope === 'user' && other !== undefined && app.env.CLAUDE_CONFIG_DIR === undefined) {
    out.write(
      `Claude Code reads ${tildify(userSettingsFile(other), app.env)} only when started with CLAUDE_CONFIG_DIR=${tildify(other, app.env)}.\n`,
    );
  }
  if (!values['no-import']) await firstImport(app, out, err);
  const check = scope === 'user' ? [] : ['--project-dir', projectDir];
  const folders = scope === 'user' ? configDirArgs(configDirs, app.env) : [];
  const undo = scope === 'user' ? folders : scopeArgs(scope, projectDir);
  out.write(
    `Check it with: ${cliCommand(self, ['doctor', ...check, ...folders])}   (and ${cliCommand(self, ['status'])})\n` +
      `Undo with: ${cliCommand(self, ['uninstall', ...undo])}\n`,
  );
  return 0;
}

function movedText(moved: ReadonlyMap<string, number>, app: Pick<AppContext, 'env' | 'paths'>): string {
  if (moved.size === 0) return '';
  const n = [...moved.values()].reduce((a, b) => a + b, 0);
  const dirs = [...moved.keys()].map((d) => `${tildify(d, app.env)}/`).join(' and ');
  return `Moved ${n === 1 ? 'the backup' : `${n} backups`} an earlier version of ccguard kept in ${dirs} to ${tildify(backupsDir(app.paths.stateDir), app.env)}/.\n`;
}

/** A line when git would offer the local settings file for a commit; empty when it is ignored or no git. */
async function gitNote(settingsPath: string, app: Pick<AppContext, 'env'>): Promise<string> {
  const { gitIgnores } = await import('../../settings/git.ts');
  if (gitIgnores(settingsPath, app.env) !== false) return '';
  const where = tildify(settingsPath, app.env);
  return (
    `Note: git does not ignore ${where}, and it names paths on this machine: add .claude/settings.local.json to the ` +
    "project's .gitignore (Claude Code adds **/.claude/settings.local.json to your global git ignore only when it creates such a file itself).\n"
  );
}

const WHY_STATUS_LINE =
  "it is where Claude Code hands over the server's own 5-hour and weekly usage figures (claude.ai subscribers, interactive sessions)";

/** What install did about the status line, in a sentence or two; `reinstall` is the command that sets it up. */
function statusLineSummary(o: InstallOutcome, app: Pick<AppContext, 'config'>, reinstall: string): string {
  const sl = o.statusLine;
  if (sl) {
    const mine =
      sl.chained === undefined
        ? "it shows 5-hour and weekly use, today's cost and the recovery state."
        : `ccguard records the figures, then runs your own status line command${sl.inherited ? ' (from a settings file below this one)' : ''} and shows its output unchanged.`;
    return `Status line: set up, because ${WHY_STATUS_LINE}; ${mine}\n`;
  }
  const taken =
    o.statusLineRemoved === 'restored'
      ? " took ccguard's out again and put your own status line back;"
      : o.statusLineRemoved === 'removed'
        ? " took ccguard's out again;"
        : '';
  const instead = app.config.limits.usage_api.enabled
    ? 'the usage endpoint (limits.usage_api) and its own estimate'
    : 'its own estimate from the transcripts';
  return (
    `Status line: left out (--no-statusline);${taken} ccguard gets no server usage figures from Claude Code and works from ${instead}.\n` +
    `  Those figures reach ccguard only through the status line: run ${reinstall} (without --no-statusline) to set it up.\n`
  );
}

/** `ccguard uninstall [--scope user|project|local] [--project-dir DIR] [--config-dir DIR]... [--dry-run]` (help: lib/cli/spec.ts) */
export async function runUninstall(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parseCommand(SPECS.uninstall, argv);
  const scope: Scope = values.scope ?? 'user';
  // A project folder that is gone is no error here: its settings went with it, and the install
  // record is still to be dropped (uninstall() does that when the file does not exist).
  const projectDir = resolve(values['project-dir'] ?? process.cwd());
  const configDirs = configDirsOf(values['config-dir'], scope, app.env);
  const { uninstall } = await import('../../settings/install.ts');
  for (const configDir of configDirs) {
    const r = uninstall({
      scope,
      projectDir,
      configDir,
      env: app.env,
      stateDir: app.paths.stateDir,
      dryRun: values['dry-run'],
      now: app.now(),
    });
    const where = tildify(r.settingsPath, app.env);
    if (!r.existed) {
      const gone = scope !== 'user' && projectDirProblem(projectDir) !== null;
      out.write(
        `${gone ? `${projectDirProblem(projectDir)}, so ${where} does not either` : `${where} does not exist`}: nothing to uninstall.\n`,
      );
      continue;
    }
    out.write(movedText(r.movedBackups, app));
    if (!r.changed) {
      out.write(`${where} holds no ccguard entries: nothing to uninstall.\n`);
      continue;
    }
    if (values['dry-run']) {
      out.write(r.diff);
      out.write('Dry run: nothing written.\n');
      continue;
    }
    const how =
      r.method === 'restored'
        ? 'put back the file as it was before install'
        : r.method === 'deleted-file'
          ? 'removed the file (install had created it and nothing else was added since)'
          : "removed ccguard's entries; everything else is as it was";
    out.write(`Uninstalled ccguard from ${where}: ${how}.\n`);
    if (r.backup)
      out.write(
        `Backup of the previous file: ${tildify(r.backup, app.env)} (ccguard keeps the newest ${BACKUPS_KEPT} per settings file)\n`,
      );
    if (r.removedApp) out.write(`Removed ccguard's copy in ${tildify(r.removedApp, app.env)}.\n`);
    out.write(
      `ccguard's own state (usage history, config, backups) stays in ${tildify(app.paths.stateDir, app.env)}.\n`,
    );
  }
  return 0;
}
