import { replaceFile, writeNewFile } from '../util/atomic.ts';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ensurePrivateDir } from '../util/fsPrivate.ts';
import { SettingsError } from './errors.ts';
import { InstallRecordSchema, type InstallRecord } from './schema.ts';
import { backupFile, backupKey, backupsDir, backupStamp, LEGACY_BACKUP } from './targets.ts';
import type { Env } from '../util/paths.ts';

/** The file a settings path really names: a symlinked settings.json (dotfile managers) is edited in place. */
export function realTarget(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

/** The file's text, or null when it does not exist. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SettingsError(`cannot read ${path}`, { cause: err });
  }
}

/**
 * Replaces a file's content atomically: a temporary file in the same folder, flushed, then renamed
 * over the target. A new file (and its missing folder) is private; an existing file keeps its mode.
 */
export function writeAtomic(path: string, text: string): void {
  let mode: number | undefined;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    replaceFile(path, text, { mode });
  } catch (err) {
    throw new SettingsError(`cannot write ${path}`, { cause: err });
  }
}

/** One backup of a settings file in the backups folder, and where it sorts among that file's backups. */
export interface Backup {
  path: string;
  /** backupStamp() of when it was taken, then the tie-breaker for two in the same millisecond. */
  stamp: string;
  n: number;
}

const STAMP = String.raw`(\d{8}T\d{6}\.\d{3}Z)(?:-(\d+))?`;

/** The backups of one settings file, oldest first. */
export function listBackups(stateDir: string, settingsPath: string): Backup[] {
  const dir = backupsDir(stateDir);
  // Grouped by the hash of the path alone: the readable part changes with HOME, the hash does not.
  const re = new RegExp(`-${backupKey(settingsPath)}\\.${STAMP}\\.json$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Backup[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m) out.push({ path: join(dir, name), stamp: m[1]!, n: Number(m[2] ?? 0) });
  }
  return out.sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.n - b.n));
}

/**
 * A private copy of a settings file's text in the state directory's backups folder (0600 in a 0700
 * folder), named after the file and the time (see backupFile); returns its path. `stamp` overrides
 * the time in the name (a legacy backup moved in keeps its own).
 */
export function writeBackup(
  stateDir: string,
  settingsPath: string,
  text: string,
  env: Env,
  now: number,
  stamp?: string,
): string {
  const dir = backupsDir(stateDir);
  try {
    ensurePrivateDir(dir);
  } catch (err) {
    throw new SettingsError(`cannot create the backups folder ${dir}`, { cause: err });
  }
  for (let n = 0; ; n++) {
    const file = backupFile(stateDir, settingsPath, env, stamp ?? backupStamp(now), n);
    try {
      writeNewFile(file, text);
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
      throw new SettingsError(`cannot write the backup ${file}`, { cause: err });
    }
  }
}

/**
 * Removes a settings file's oldest backups beyond the newest `keep`, never one of `protect` (the
 * original the install record restores on uninstall). Returns the paths removed. A backup that
 * cannot be removed stays: pruning is housekeeping, not worth failing an install over.
 */
export function pruneBackups(
  stateDir: string,
  settingsPath: string,
  keep: number,
  protect: readonly (string | null | undefined)[] = [],
): string[] {
  const all = listBackups(stateDir, settingsPath);
  const kept = new Set(protect.filter((p): p is string => typeof p === 'string'));
  const removed: string[] = [];
  for (const b of all.slice(0, Math.max(0, all.length - keep))) {
    if (kept.has(b.path)) continue;
    try {
      unlinkSync(b.path);
      removed.push(b.path);
    } catch {
      // left for the next prune
    }
  }
  return removed;
}

/**
 * Moves the backups earlier versions kept beside a settings file (`settings.json.ccguard-backup-<stamp>`)
 * into the backups folder, keeping their time in the name, so a project's `.claude/` no longer shows
 * them in `git status`. Only regular files with exactly that name pattern are touched. Returns
 * old path -> new path.
 */
export function moveLegacyBackups(
  stateDir: string,
  settingsPath: string,
  target: string,
  env: Env,
  now: number,
): Map<string, string> {
  const moved = new Map<string, string>();
  const re = new RegExp(`^${escapeRe(basename(target))}${escapeRe(LEGACY_BACKUP)}${STAMP}$`);
  const dirs = new Set([dirname(target), dirname(settingsPath)]);
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const m = re.exec(name);
      if (!m) continue;
      const from = join(dir, name);
      try {
        if (!lstatSync(from).isFile()) continue;
        const to = writeBackup(stateDir, settingsPath, readFileSync(from, 'utf8'), env, now, m[1]);
        unlinkSync(from);
        moved.set(from, to);
      } catch {
        // one that cannot be moved stays where it is, as before
      }
    }
  }
  return moved;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The install record, or undefined when there is none or it is unreadable (then uninstall works without it). */
export function readRecord(file: string): InstallRecord | undefined {
  const text = readText(file);
  if (text === null) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const res = InstallRecordSchema.safeParse(raw);
  return res.success ? res.data : undefined;
}

/**
 * Every install record file in the state folder (named as recordFile names them), in name order;
 * null when the folder cannot be listed (none, or unreadable: nothing is known of the records).
 */
export function recordFiles(stateDir: string): string[] | null {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return null;
  }
  return names
    .filter((n) => /^install-[0-9a-f]+\.json$/.test(n))
    .sort()
    .map((n) => join(stateDir, n));
}

export function writeRecord(stateDir: string, file: string, record: InstallRecord): void {
  ensurePrivateDir(stateDir);
  writeAtomic(file, JSON.stringify(record, null, 2) + '\n');
  chmodSync(file, 0o600);
}

export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new SettingsError(`cannot remove ${path}`, { cause: err });
  }
}

/** What the hooks and the CLI need at run time. */
const APP_PARTS = ['dist', 'bin', 'config.yaml', 'package.json'];

/**
 * Copies the package (dist/, bin/, config.yaml, package.json and its runtime node_modules) from
 * `src` to `dest`, replacing an older copy only once the new one is complete. npx installs the
 * package's dependencies beside it (`.../_npx/<hash>/node_modules/<dep>`), so those siblings are
 * copied into `dest/node_modules`, then anything in the package's own node_modules over them.
 * Symlinks are copied as links.
 */
export function copyApp(src: string, dest: string, now: number): void {
  const tmp = `${dest}.tmp-${process.pid}-${now}`;
  const old = `${dest}.old-${process.pid}-${now}`;
  try {
    ensurePrivateDir(dirname(dest));
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { mode: 0o700 });
    for (const part of APP_PARTS) {
      if (existsSync(join(src, part)))
        cpSync(join(src, part), join(tmp, part), { recursive: true, verbatimSymlinks: true });
    }
    const modules = join(tmp, 'node_modules');
    const parent = dirname(src);
    if (basename(parent) === 'node_modules') {
      for (const name of readdirSync(parent)) {
        if (name === basename(src) || name === '.bin' || name.startsWith('.')) continue;
        mkdirSync(modules, { recursive: true });
        cpSync(join(parent, name), join(modules, name), { recursive: true, verbatimSymlinks: true });
      }
    }
    const own = join(src, 'node_modules');
    if (existsSync(own)) {
      if (!existsSync(modules)) {
        cpSync(own, modules, { recursive: true, verbatimSymlinks: true });
      } else {
        for (const name of readdirSync(own)) {
          if (name === '.bin') continue;
          rmSync(join(modules, name), { recursive: true, force: true });
          cpSync(join(own, name), join(modules, name), { recursive: true, verbatimSymlinks: true });
        }
      }
    }
    if (existsSync(dest)) renameSync(dest, old);
    renameSync(tmp, dest);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dest) && existsSync(old)) renameSync(old, dest);
    throw new SettingsError(`cannot copy ccguard from ${src} to ${dest}`, { cause: err });
  }
}
