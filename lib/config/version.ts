import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './root.ts';

let cached: string | undefined;

/**
 * ccguard's version: package.json's, the one place it is written. Read on first use (commands that
 * never print it pay nothing), 'unknown' when the file cannot be read.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const v = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version;
    cached = typeof v === 'string' && v.length > 0 ? v : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
