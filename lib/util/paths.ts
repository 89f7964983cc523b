import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where ccguard keeps its state and where Claude Code keeps its transcripts, resolved from an environment. */
export interface Paths {
  stateDir: string;
  dbFile: string;
  userConfigFile: string;
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

export function resolvePaths(env: Env): Paths {
  const stateDir =
    env.CCGUARD_HOME && env.CCGUARD_HOME.length > 0
      ? resolve(env.CCGUARD_HOME)
      : join(home(env), '.claude', 'ccguard');
  return {
    stateDir,
    dbFile: join(stateDir, 'state.db'),
    userConfigFile: join(stateDir, 'config.yaml'),
    logFile: join(stateDir, 'ccguard.log'),
    transcriptRoots: claudeConfigDirs(env).map((d) => join(d, 'projects')),
  };
}
