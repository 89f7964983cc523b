// `ccguard import` on its own. bin/ccguard.js sends `import` here: a bundle of its own loads less than
// the CLI's graph of chunks (the first import of a large history is measured against ccusage,
// start-up included; see bench/).
import { quietOnEpipe } from './epipe.ts';
import { runCli } from './run.ts';
import { runImport } from './commands/import.ts';
import { readerOptionsFor } from '../transcripts/readerThreadOptions.ts';
import { startReadersEarly } from '../transcripts/readerThreads.ts';

quietOnEpipe();
const argv = process.argv.slice(2);
// The reading threads start first, to be ready when the folders have been listed (not for --help).
const readers = argv.includes('--help') || argv.includes('-h') ? undefined : readerOptionsFor(process.env);
if (readers) startReadersEarly(readers);
process.exitCode = await runCli(argv, process.env, { import: () => Promise.resolve(runImport) });
