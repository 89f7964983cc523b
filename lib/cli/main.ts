import { quietOnEpipe } from './epipe.ts';
import { runCli, type Commands, type Special } from './run.ts';

// Each command is loaded when it runs: a status or status line must not pay to compile the YAML
// parser, zod, the report renderer and the installer that other commands need.
const COMMANDS: Commands = {
  status: async () => (await import('./commands/status.ts')).runStatus,
  report: async () => (await import('./commands/report.ts')).runReport,
  import: async () => (await import('./commands/import.ts')).runImport,
  events: async () => (await import('./commands/events.ts')).runEvents,
  doctor: async () => (await import('./commands/doctor.ts')).runDoctor,
  pause: async () => (await import('./commands/control.ts')).runPause,
  resume: async () => (await import('./commands/control.ts')).runResume,
  wait: async () => (await import('./commands/wait.ts')).runWait,
  run: async () => (await import('./commands/run.ts')).runRun,
  alert: async () => (await import('./commands/control.ts')).runAlert,
  install: async () => (await import('./commands/install.ts')).runInstall,
  uninstall: async () => (await import('./commands/install.ts')).runUninstall,
};

const SPECIAL: Special = {
  // The status line opens the state itself: a broken config must not take the user's own status line away.
  statusline: async () => (await import('./commands/statusline.ts')).runStatusline,
  // A state that cannot be opened (or a config that does not load) is what doctor is asked about.
  doctorWithoutState: async () => (await import('./commands/doctor.ts')).runDoctorWithoutState,
};

quietOnEpipe();
const argv = process.argv.slice(2);
if (argv[0] === 'install' && !argv.includes('--no-import') && !argv.includes('--help') && !argv.includes('-h')) {
  // Install's first import: its reading threads start now, to be ready when the folders have been
  // listed (as lib/cli/importMain.ts does for `ccguard import`, which bin/ccguard.js sends there).
  const opts = (await import('../transcripts/readerThreadOptions.ts')).readerOptionsFor(process.env);
  if (opts) (await import('../transcripts/readerThreads.ts')).startReadersEarly(opts);
}
process.exitCode = await runCli(argv, process.env, COMMANDS, SPECIAL);
