/**
 * Reading a command line against its command's description (lib/cli/spec.ts): each option's kind
 * says how its value is read and checked, so a bad value is refused with the option, what was typed
 * and what is wanted, in our words. By hand rather than node:util's parseArgs, whose messages
 * ("Option '--limit' argument is ambiguous") leaked, and which cannot take `--minutes -5` as a value
 * to refuse; rather than zod, which the status and status line must not pay to load.
 */
import { UsageError } from '../util/errors.ts';
import { addLocalDays, localDateStart } from '../util/time.ts';

/** One option: `kind` says what its value is. */
export type OptionSpec =
  | { readonly kind: 'flag'; readonly help: string; readonly hidden?: boolean }
  /** `list`: may be given more than once; the values are joined with commas (`--config-dir a --config-dir b` reads as `a,b`). */
  | {
      readonly kind: 'text';
      readonly value: string;
      readonly help: string;
      readonly hidden?: boolean;
      readonly list?: boolean;
    }
  /**
   * One of `choices`. A value in `refused` is read too, for the command to refuse with its reasons,
   * but never offered (usage line, help, messages).
   */
  | {
      readonly kind: 'choice';
      readonly choices: readonly string[];
      readonly refused?: readonly string[];
      readonly help: string;
    }
  /** A positive number, fractions allowed (`--minutes 0.5`); `what` names the unit in messages. */
  | {
      readonly kind: 'number';
      readonly value: string;
      readonly what: string;
      readonly max?: number;
      readonly help: string;
    }
  /** A whole number of 1 or more. */
  | {
      readonly kind: 'count';
      readonly value: string;
      readonly max?: number;
      readonly default?: number;
      readonly help: string;
    }
  /** A local date, as the local midnight that starts it (`endOfDay`: the one that ends it). */
  | { readonly kind: 'date'; readonly endOfDay?: boolean; readonly help: string };

/** The one positional argument a command may take. */
export interface ArgSpec {
  /** What it is, in messages: "the report kind must be one of …". */
  readonly name: string;
  /** Its placeholder in the usage line when any value goes (`help [COMMAND]`). */
  readonly value?: string;
  /** The values it may take, each with what it means. */
  readonly choices?: Readonly<Record<string, string>>;
  readonly required: boolean;
  /**
   * A command line of its own (`ccguard run -- claude -p …`): everything after `--`, or from the
   * first word that is not one of this command's options, is taken as typed, options and all.
   */
  readonly rest?: boolean;
}

export interface CommandSpec {
  /** One line for `ccguard help`. */
  readonly summary: string;
  /** What `ccguard <command> --help` says under the usage line (the summary when absent). */
  readonly about?: string;
  readonly arg?: ArgSpec;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Ways of calling it that do not mix, each a list of option names (`<arg>` for the argument). */
  readonly forms?: readonly (readonly string[])[];
}

type ValueOf<O extends OptionSpec> = O extends { kind: 'flag' }
  ? boolean
  : O extends { kind: 'choice'; choices: readonly (infer C)[]; refused: readonly (infer R)[] }
    ? C | R | undefined
    : O extends { kind: 'choice'; choices: readonly (infer C)[] }
      ? C | undefined
      : O extends { kind: 'count'; default: number }
        ? number
        : O extends { kind: 'number' | 'count' | 'date' }
          ? number | undefined
          : string | undefined;

export type Values<C extends CommandSpec> = { -readonly [K in keyof C['options']]: ValueOf<C['options'][K]> };

type ArgOf<C extends CommandSpec> = C['arg'] extends { choices: Readonly<Record<infer K, string>> }
  ? C['arg'] extends { required: true }
    ? K
    : K | undefined
  : string | undefined;

export interface Parsed<C extends CommandSpec> {
  values: Values<C>;
  arg: ArgOf<C>;
  /** What was typed for each option that takes a value, for messages. */
  raw: Partial<Record<keyof C['options'], string>>;
  /** `--help` or `-h` was given: nothing else was checked. */
  help: boolean;
  /** The words of a `rest` argument, untouched (empty for other commands). */
  rest: string[];
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** Something typed where a value was expected that is an option instead (`--follow`, `-h`), not `-5`. */
const looksLikeOption = (s: string): boolean => (s.startsWith('--') && s.length > 2) || /^-[A-Za-z]/.test(s);

/** How a value is written in usage lines: `N`, `DATE`, `user|project|local`. */
export function placeholder(o: OptionSpec): string {
  switch (o.kind) {
    case 'flag':
      return '';
    case 'choice':
      return o.choices.join('|');
    case 'date':
      return 'DATE';
    default:
      return o.value;
  }
}

/** Why a number was refused, when it is not plain: "a negative number", "not a number". */
function whyNot(v: string, whole: boolean): string {
  if (!NUMERIC.test(v.trim())) return 'not a number';
  const n = Number(v);
  if (n < 0) return 'a negative number';
  if (n === 0) return 'zero';
  if (whole && !Number.isInteger(n)) return 'not a whole number';
  return 'too large';
}

function check(flag: string, o: OptionSpec, v: string): unknown {
  switch (o.kind) {
    case 'flag':
      return true;
    case 'text':
      if (v === '') throw new UsageError(`${flag} needs a value (${flag} ${o.value})`);
      return v;
    case 'choice':
      if (!o.choices.includes(v) && !o.refused?.includes(v))
        throw new UsageError(`${flag} must be one of ${o.choices.join(', ')} (got "${v}")`);
      return v;
    case 'number': {
      const n = Number(v);
      const max = o.max ?? Number.MAX_SAFE_INTEGER;
      if (NUMERIC.test(v) && n > 0 && n <= max) return n;
      if (NUMERIC.test(v) && n > max) throw new UsageError(`${flag} must be at most ${max} ${o.what} (got "${v}")`);
      throw new UsageError(`${flag} must be a positive number of ${o.what} (got "${v}": ${whyNot(v, false)})`);
    }
    case 'count': {
      const n = Number(v);
      const max = o.max ?? Number.MAX_SAFE_INTEGER;
      if (/^\+?\d+$/.test(v) && n >= 1 && n <= max) return n;
      const rule = o.max === undefined ? 'a whole number of 1 or more' : `a whole number from 1 to ${o.max}`;
      throw new UsageError(`${flag} must be ${rule} (got "${v}": ${whyNot(v, true)})`);
    }
    case 'date':
      return parseDate(v, flag, o.endOfDay);
  }
}

/** Edit distance with swapped neighbours as one edit (`statsu`), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest of `names` to `typed`, when one is close enough to be what was meant. */
export function closest(typed: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = n.startsWith(typed) && typed.length >= 2 ? 0.5 : distance(typed, n);
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return bestD <= Math.max(1, Math.floor((best?.length ?? 0) / 3)) ? best : undefined;
}

function unknownOption(typed: string, spec: CommandSpec): UsageError {
  const names = Object.entries(spec.options)
    .filter(([, o]) => !('hidden' in o && o.hidden))
    .map(([n]) => `--${n}`);
  if (names.length === 0) return new UsageError(`takes no options (got ${typed})`);
  const near = typed.startsWith('--') ? closest(typed, names) : undefined;
  return new UsageError(
    near ? `unknown option ${typed}: did you mean ${near}?` : `unknown option ${typed} (it takes ${names.join(', ')})`,
  );
}

/** Reads `argv` (the words after the command) as `spec` describes. Throws UsageError. */
export function parseCommand<C extends CommandSpec>(spec: C, argv: readonly string[]): Parsed<C> {
  const stop = argv.indexOf('--');
  if (spec.arg?.rest) {
    // The command's own words start at the first word that is not ours: nothing in them is read.
    for (let i = 0; i < (stop === -1 ? argv.length : stop); i++) {
      const a = argv[i]!;
      const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : null;
      const o = name !== null && Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
      if (o && o.kind !== 'flag' && !a.includes('=')) i++;
      else if (!o && !a.startsWith('-')) {
        const rest = argv.slice(i);
        return { ...parseCommand(spec, argv.slice(0, i)), rest };
      }
    }
  }
  const options = stop === -1 ? argv : argv.slice(0, stop);
  if (options.includes('--help') || options.includes('-h')) {
    return { values: {} as Values<C>, arg: undefined as ArgOf<C>, raw: {}, help: true, rest: [] };
  }
  if (spec.arg?.rest && stop !== -1) {
    return { ...parseCommand(spec, options), rest: argv.slice(stop + 1) };
  }
  const values: Record<string, unknown> = {};
  const raw: Record<string, string> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.kind === 'flag') values[name] = false;
    else if (o.kind === 'count' && o.default !== undefined) values[name] = o.default;
  }
  const positionals: string[] = stop === -1 ? [] : argv.slice(stop + 1);
  for (let i = 0; i < options.length; i++) {
    const a = options[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq === -1 ? undefined : eq);
      const o = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
      if (!o) throw unknownOption(eq === -1 ? a : a.slice(0, eq), spec);
      const flag = `--${name}`;
      if (o.kind === 'flag') {
        if (eq !== -1) throw new UsageError(`${flag} takes no value (got "${a}")`);
        values[name] = true;
        continue;
      }
      let v: string;
      if (eq !== -1) {
        v = a.slice(eq + 1);
      } else {
        const next = options[i + 1];
        if (next === undefined || looksLikeOption(next))
          throw new UsageError(`${flag} needs a value (${flag} ${placeholder(o)})`);
        v = next;
        i++;
      }
      const prev = o.kind === 'text' && o.list ? raw[name] : undefined;
      raw[name] = prev === undefined ? v : `${prev},${v}`;
      values[name] = check(flag, o, raw[name]);
      continue;
    }
    if (a.length > 1 && a.startsWith('-') && !NUMERIC.test(a)) throw unknownOption(a, spec);
    positionals.push(a);
  }
  return {
    values: values as Values<C>,
    arg: (spec.arg?.rest ? undefined : readArg(spec.arg, positionals)) as ArgOf<C>,
    raw: raw as Parsed<C>['raw'],
    help: false,
    rest: [],
  };
}

function readArg(arg: ArgSpec | undefined, positionals: readonly string[]): string | undefined {
  const got = positionals.join(' ');
  if (!arg) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments (got "${got}")`);
    return undefined;
  }
  const choices = arg.choices ? Object.keys(arg.choices) : null;
  if (positionals.length > 1) throw new UsageError(`takes one ${arg.name} (got "${got}")`);
  const v = positionals[0];
  if (v === undefined) {
    if (arg.required) throw new UsageError(`needs the ${arg.name}${choices ? `: one of ${choices.join(', ')}` : ''}`);
    return undefined;
  }
  if (choices && !choices.includes(v)) {
    const near = closest(v, choices);
    throw new UsageError(
      `the ${arg.name} must be one of ${choices.join(', ')} (got "${v}"${near ? `: did you mean ${near}?` : ''})`,
    );
  }
  return v;
}

/**
 * The older call shape, for commands that list their options where they run (install, uninstall,
 * doctor): the same reading and the same messages, through a description made on the spot. Flags
 * left out are undefined, as node:util's parseArgs had them.
 */
export function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(argv: readonly string[], options: T) {
  const spec: CommandSpec = {
    summary: '',
    options: Object.fromEntries(
      Object.entries(options).map(([n, o]): [string, OptionSpec] => [
        n,
        o.type === 'boolean' ? { kind: 'flag', help: '' } : { kind: 'text', value: 'VALUE', help: '' },
      ]),
    ),
  };
  const values = Object.fromEntries(Object.entries(parseCommand(spec, argv).values).filter(([, v]) => v !== false));
  return { values: values as { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string } };
}

/** `2026-11-24` or `20261124` as local midnight; `until` dates include their whole day. */
export function parseDate(s: string, flag: string, endOfDay = false): number {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (!m) throw new UsageError(`${flag} must be a date like 2026-11-24 (got "${s}")`);
  const start = localDateStart(Number(m[1]), Number(m[2]), Number(m[3]));
  if (start === null) throw new UsageError(`${flag} must be a real date (got "${s}")`);
  return endOfDay ? addLocalDays(start, 1) : start;
}
