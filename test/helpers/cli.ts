import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO, 'bin', 'ccguard.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The SQLite driver a test run asked for (CCGUARD_SQLITE_DRIVER), passed on to the processes it starts. */
export const DRIVER_ENV: Record<string, string> = process.env.CCGUARD_SQLITE_DRIVER
  ? { CCGUARD_SQLITE_DRIVER: process.env.CCGUARD_SQLITE_DRIVER }
  : {};

/** A clean environment for the CLI: PATH, TZ=UTC, no colour, the driver asked for, and `env`. */
export const cliEnv = (env: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  TZ: 'UTC',
  NO_COLOR: '1',
  ...DRIVER_ENV,
  ...env,
});

/** The built CLI, synchronously, with a clean environment rooted at `home`. */
export function ccguard(args: string[], env: Record<string, string>, input?: string): Run {
  return runCliSync(CLI, args, env, input);
}

/** The CLI at `cli` (bin/ccguard.js of some package), synchronously, in a clean environment plus `env`. */
export function runCliSync(cli: string, args: string[], env: Record<string, string>, input?: string): Run {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: cliEnv(env),
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
