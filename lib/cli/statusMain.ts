// `ccguard status` on its own: the command users (and scripts, and `watch`) run most, built into a
// single file with everything it needs linked in, so a run loads one module instead of the CLI's
// graph of chunks. bin/ccguard.js sends `status` here; every other command goes to main.ts.
import { quietOnEpipe, runCli } from './run.ts';
import { runStatus } from './commands/status.ts';

quietOnEpipe();
process.exitCode = await runCli(process.argv.slice(2), process.env, { status: async () => runStatus });
