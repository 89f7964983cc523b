import { runCli } from './run.ts';
import { runStatus } from './commands/status.ts';

/** `ccguard status` computed in full (see statusMain.ts for when it is not). */
export function runStatusCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runCli(argv, env, { status: () => Promise.resolve(runStatus) });
}
