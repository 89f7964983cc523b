import { childProcess } from './builtins.ts';

/**
 * Starts `node <script> ...args` as a detached process that outlives its caller, and returns at
 * once: the notifier, the claude-monitor refresh and the usage-endpoint refresh all run this way, so
 * no hook ever waits for them. False when the process could not be started.
 */
export function startDetachedNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  try {
    const child = childProcess().spawn(process.execPath, [script, ...args], { detached: true, stdio: 'ignore', env });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
