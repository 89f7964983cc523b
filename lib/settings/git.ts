import { spawnSync } from 'node:child_process';
import { dirname, relative } from 'node:path';
import type { Env } from '../util/paths.ts';

/**
 * Whether git would leave `file` out of commits: true (ignored), false (git would offer it: a work
 * tree that does not ignore it, or the file is tracked already), null (not in a git work tree, or
 * git is not there to ask). Claude Code ignores `.claude/settings.local.json` only by adding it to
 * the user's global git ignore when Claude Code itself creates such a file, so a machine where it
 * never has still shows one that ccguard creates in `git status`.
 *
 * git runs directly (no shell), with the user's environment: HOME and XDG_CONFIG_HOME say where the
 * global ignore file is.
 */
export function gitIgnores(file: string, env: Env): boolean | null {
  // From the project folder, with the path relative to it: an absolute path through a symlinked
  // folder (macOS's /tmp) would be "outside the repository" to git.
  const project = dirname(dirname(file));
  const rel = relative(project, file);
  const run = (args: string[]): { status: number | null; out: string } => {
    const r = spawnSync('git', ['-C', project, ...args], {
      env: { ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
      timeout: 5000,
    });
    return r.error ? { status: null, out: '' } : { status: r.status, out: r.stdout };
  };
  const inside = run(['rev-parse', '--is-inside-work-tree']);
  if (inside.status !== 0 || inside.out.trim() !== 'true') return null;
  // check-ignore: 0 ignored, 1 not ignored (a tracked file is never reported as ignored).
  const { status } = run(['check-ignore', '-q', '--', rel]);
  return status === 0 ? true : status === 1 ? false : null;
}
