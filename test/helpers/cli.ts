import { spawn, spawnSync } from 'node:child_process';
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
export const DRIVER_ENV: Record<string, string> = process.env.CCGUARD_SQLITE_DRIVER ? { CCGUARD_SQLITE_DRIVER: process.env.CCGUARD_SQLITE_DRIVER } : {};

/** The built CLI, synchronously, with a clean environment rooted at `home`. */
export function ccguard(args: string[], env: Record<string, string>, input?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', NO_COLOR: '1', ...DRIVER_ENV, ...env },
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function ccguardAsync(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', TZ: 'UTC', NO_COLOR: '1', ...DRIVER_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
