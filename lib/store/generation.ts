// The generation of the shared decision inputs: one small file whose content changes whenever
// something a decision rests on changes (pauses, backoff, holds, server readings, claude-monitor
// snapshots). A cached decision remembers the generation it was made under and is void once it
// differs. Light on purpose: the fast path reads it on every tool call.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crypto } from '../util/builtins.ts';
import { replaceFile } from '../util/atomic.ts';

export function fastDir(stateDir: string): string {
  return join(stateDir, 'fast');
}

export function readGeneration(stateDir: string): string {
  try {
    return readFileSync(join(fastDir(stateDir), 'GEN'), 'utf8');
  } catch {
    return '';
  }
}

/** Invalidates every cached decision. Called by the store once a write that changed an input commits. */
export function bumpGeneration(stateDir: string): void {
  const dir = fastDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  replaceFile(join(dir, 'GEN'), crypto().randomBytes(8).toString('hex'), { fsync: false });
}
