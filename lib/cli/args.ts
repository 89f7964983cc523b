import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../util/errors.ts';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments', { cause: err });
  }
}

/** `2026-11-24` or `20261124` as local midnight; `until` dates include their whole day. */
export function parseDate(s: string, flag: string, endOfDay = false): number {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (!m) throw new UsageError(`${flag} must be a date like 2026-11-24 (got "${s}")`);
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(d.getTime()) || d.getMonth() !== Number(m[2]) - 1) {
    throw new UsageError(`${flag} must be a real date (got "${s}")`);
  }
  if (endOfDay) d.setDate(d.getDate() + 1);
  return d.getTime();
}
