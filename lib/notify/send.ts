import { startDetachedNode } from '../util/detached.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/root.ts';

export interface DesktopNotice {
  title: string;
  message: string;
  /** Where the worker logs a failed delivery. */
  logFile: string;
}

export function workerPath(): string {
  return join(packageRoot(), 'dist', 'lib', 'notify', 'worker.js');
}

/**
 * Hands the notification to a detached worker process and returns at once: a hook never waits for
 * the desktop, and a missing or hanging notifier cannot delay or fail it.
 */
export function sendDetached(n: DesktopNotice, env: NodeJS.ProcessEnv = process.env): boolean {
  const worker = workerPath();
  if (!existsSync(worker)) return false;
  return startDetachedNode(worker, [JSON.stringify(n)], env);
}
