import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where ccguard keeps its state and where Claude Code keeps its transcripts, resolved from an environment. */
export interface Paths {
  stateDir: string;
  dbFile: string;
  userConfigFile: string;
  /**
   * The log before the config is read (`logging.file`'s default). Once the config is known the log is
   * `logFilePath(stateDir, config.logging)`: read and write that one.
   */
  logFile: string;
  transcriptRoots: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

function home(env: Env): string {
  // HOME from the given environment, not os.homedir(), so tests can point it anywhere.
  return env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
}

export function claudeConfigDirs(env: Env): string[] {
  const raw = env.CLAUDE_CONFIG_DIR;
  if (raw && raw.trim().length > 0) {
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => resolve(s));
  }
  const h = home(env);
  return [join(h, '.claude'), join(h, '.config', 'claude')];
}

/** `logging.file`'s default. */
const DEFAULT_LOG_FILE = 'ccguard.log';

/** The log file: `logging.file` in the state directory. Every writer and reader of the log derives it here. */
export function logFilePath(stateDir: string, logging: { readonly file: string }): string {
  return join(stateDir, logging.file);
}

export function resolvePaths(env: Env): Paths {
  const stateDir =
    env.CCGUARD_HOME && env.CCGUARD_HOME.length > 0 ? resolve(env.CCGUARD_HOME) : join(home(env), '.claude', 'ccguard');
  return {
    stateDir,
    dbFile: join(stateDir, 'state.db'),
    userConfigFile: join(stateDir, 'config.yaml'),
    logFile: logFilePath(stateDir, { file: DEFAULT_LOG_FILE }),
    transcriptRoots: claudeConfigDirs(env).map((d) => join(d, 'projects')),
  };
}
