// A copy of this clone's source, with its node_modules linked: for tests that run what a clone's user
// runs (npm pack, npx ccguard) where npm's prepare script rebuilds dist/. In the repository itself that
// rebuild would take dist/ away from under the tests running beside them.
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { REPO } from './cli.ts';

/** What a checkout leaves out of a copy: git's own folder, and what .gitignore names. */
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', 'tmp', join('bench', 'data'), join('bench', 'out')]);

/**
 * Copies the source (everything but .git, node_modules, dist/ and the benchmark data) to `dest`,
 * links this clone's node_modules there, and, with `git`, gives it an empty .git folder (a clone, as far
 * as anything but git can tell). No dist/: whatever runs there builds it.
 */
export function copySource(dest: string, opts: { git?: boolean } = {}): string {
  cpSync(REPO, dest, {
    recursive: true,
    filter: (from) => {
      const rel = relative(REPO, from);
      return !NOT_COPIED.has(rel) && !/^dist\.(next|old)-/.test(rel) && !rel.split(sep).includes('node_modules');
    },
  });
  symlinkSync(join(REPO, 'node_modules'), join(dest, 'node_modules'));
  if (opts.git) mkdirSync(join(dest, '.git'));
  return dest;
}
