import { appendFileSync, renameSync, statSync, chmodSync } from 'node:fs';
import { iso } from './time.ts';
import { logFilePath } from './paths.ts';

export type Level = 'error' | 'warn' | 'info' | 'debug';
const RANK: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LogOptions {
  file: string;
  level: Level;
  maxBytes: number;
  maxFiles: number;
}

/**
 * One line per entry, appended to a file that rotates by size (ccguard.log, .1, .2, ...). Never
 * writes to stdout, which belongs to Claude Code; a log that cannot be written is not an error.
 */
export class Logger {
  /** Whether the last line due could not be written (an unwritable state directory, say). */
  failed = false;

  constructor(private readonly opts: LogOptions) {}

  log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    if (RANK[level] > RANK[this.opts.level]) return;
    const line = JSON.stringify({ ts: iso(Date.now()), level, pid: process.pid, msg, ...fields }) + '\n';
    try {
      this.rotateIfNeeded();
      appendFileSync(this.opts.file, line, { mode: 0o600 });
      this.failed = false;
    } catch {
      // The state directory may be unwritable; the hook still answers.
      this.failed = true;
    }
  }

  error(msg: string, f?: Record<string, unknown>): void {
    this.log('error', msg, f);
  }
  warn(msg: string, f?: Record<string, unknown>): void {
    this.log('warn', msg, f);
  }
  info(msg: string, f?: Record<string, unknown>): void {
    this.log('info', msg, f);
  }
  debug(msg: string, f?: Record<string, unknown>): void {
    this.log('debug', msg, f);
  }

  private rotateIfNeeded(): void {
    let size: number;
    try {
      size = statSync(this.opts.file).size;
    } catch {
      return;
    }
    if (size < this.opts.maxBytes) return;
    for (let i = this.opts.maxFiles - 1; i >= 1; i--) {
      try {
        renameSync(i === 1 ? this.opts.file : `${this.opts.file}.${i - 1}`, `${this.opts.file}.${i}`);
        chmodSync(`${this.opts.file}.${i}`, 0o600);
      } catch {
        // a missing generation is fine
      }
    }
  }
}

/** A logger before the config is known: defaults, into the state directory. */
export function bootstrapLogger(file: string): Logger {
  return new Logger({ file, level: 'info', maxBytes: 1_048_576, maxFiles: 3 });
}

/** The `logging:` section of the config, as this module needs it (util sits below config). */
export interface LoggingSettings {
  level: Level;
  file: string;
  max_bytes: number;
  max_files: number;
}

/** The logger the config asks for: `logging.file` relative to the state directory. */
export function configuredLogger(stateDir: string, logging: LoggingSettings): Logger {
  return new Logger({
    file: logFilePath(stateDir, logging),
    level: logging.level,
    maxBytes: logging.max_bytes,
    maxFiles: logging.max_files,
  });
}
