import { chmodSync, closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crypto } from './builtins.ts';

/** Writes a file that must not exist yet, private, flushed to disk. Throws EEXIST if it does. */
export function writeNewFile(
  path: string,
  text: string | Uint8Array,
  opts: { mode?: number; fsync?: boolean } = {},
): void {
  const fd = openSync(path, 'wx', opts.mode ?? 0o600);
  try {
    // The same call twice: TypeScript picks one of writeSync's overloads per branch.
    if (typeof text === 'string') writeSync(fd, text);
    else writeSync(fd, text);
    if (opts.fsync ?? true) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces a file whole or not at all: a private temp file in the same folder, then a rename over the
 * target, so a reader never sees half of it. `fsync: false` for caches, which need no durability
 * (a hook on the hot path should not wait for the disk).
 */
export function replaceFile(
  path: string,
  text: string | Uint8Array,
  opts: { mode?: number; fsync?: boolean } = {},
): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${crypto().randomBytes(4).toString('hex')}.tmp`);
  try {
    writeNewFile(tmp, text, { fsync: opts.fsync ?? true });
    if (opts.mode !== undefined) chmodSync(tmp, opts.mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
