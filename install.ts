/**
 * The installer from a checkout, for when `ccguard` is not on PATH: `npx tsx install.ts [flags]` is
 * `ccguard install [flags]`, and `npx tsx install.ts uninstall [flags]` is `ccguard uninstall [flags]`.
 * It runs the built CLI (`npm ci` builds it) so that what it writes is what `ccguard install` writes;
 * the work itself lives in lib/settings/install.ts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('./bin/ccguard.js', import.meta.url));
const args = process.argv.slice(2);
const argv = args[0] === 'uninstall' || args[0] === 'install' ? args : ['install', ...args];
const run = spawnSync(process.execPath, [bin, ...argv], { stdio: 'inherit' });
process.exitCode = run.error ? 1 : (run.status ?? 1);
if (run.error) process.stderr.write(`ccguard: cannot run ${bin}: ${run.error.message}\n`);
