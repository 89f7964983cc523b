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
import { backupFile } from './targets.ts';

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

/** A private copy of the file's current text beside it, named with the time; returns its path. */
export function writeBackup(path: string, text: string, now: number): string {
  for (let n = 0; ; n++) {
    const file = backupFile(path, now) + (n === 0 ? '' : `-${n}`);
    try {
      writeNewFile(file, text);
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
      throw new SettingsError(`cannot write the backup ${file}`, { cause: err });
    }
  }
}

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

export function writeRecord(stateDir: string, file: string, record: InstallRecord): void {
  ensurePrivateDir(stateDir);
  writeAtomic(file, JSON.stringify(record, null, 2) + '\n');
  chmodSync(file, 0o600);
}

export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SettingsError(`cannot remove ${path}`, { cause: err });
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
      if (existsSync(join(src, part))) cpSync(join(src, part), join(tmp, part), { recursive: true, verbatimSymlinks: true });
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
