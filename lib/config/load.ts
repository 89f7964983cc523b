import { existsSync, readFileSync } from 'node:fs';
import { defaultConfigFile } from './root.ts';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../util/errors.ts';
import { ConfigSchema, type Config } from './schema.ts';
import { isObj } from '../util/guards.ts';

type Plain = Record<string, unknown>;

/** Objects merge key by key; anything else (lists included) in the override replaces the default. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

function readYaml(file: string, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${label}: cannot read ${file}`, { cause: err });
  }
  try {
    // Warnings (a mapping used as a key, say) would go to stderr, which a hook keeps clean: the
    // schema names what is wrong instead.
    return parseYaml(text, { logLevel: 'error' }) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos?.[0] ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError(`${label}: not valid YAML${where} (${file})`, { cause: err });
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** `config.yaml: alerts.token_threshold must be a number between 0 and 1 (got "high") in /path` */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, file: string): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const section = valueAt(input, issue.path);
    const known = isObj(section) ? Object.keys(section).filter((k) => !issue.keys.includes(k)) : [];
    const keys = issue.keys.map((k) => {
      const near = closest(k, known);
      return `${path ? `${path}.${k}` : k} (got ${show(valueAt(input, [...issue.path, k]))}${near ? `; did you mean ${path ? `${path}.${near}` : near}?` : ''})`;
    });
    return `config.yaml: unknown key ${keys.join(', ')} in ${file}`;
  }
  const value = valueAt(input, issue.path);
  return `config.yaml: ${path || '(top level)'} ${plainMessage(issue, value)} (got ${show(value)}${typeNote(issue, value)}) in ${file}`;
}

/** The known key a misspelt one most likely meant: within two edits, else none. */
function closest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** zod's own wording where the schema has none of its own (a section given as something else). */
function plainMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type' && issue.expected === 'object') {
    return `must be a section of keys (like \`${String(issue.path.at(-1) ?? 'alerts')}:\` followed by indented \`key: value\` lines), not ${Array.isArray(value) ? 'a list' : 'a single value'}`;
  }
  return issue.message;
}

/** A number written in quotes is text to YAML: say so, since it reads as if it should pass. */
function typeNote(issue: z.core.$ZodIssue, value: unknown): string {
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) && issue.code !== 'unrecognized_keys') {
    return ', which is text because of the quotes: write the number without them';
  }
  return '';
}

export interface LoadedConfig {
  config: Config;
  /** Files the effective config came from, defaults first. */
  sources: string[];
  /**
   * The user's config.yaml is broken: `config` is then the last configuration that validated (or the
   * defaults), so enforcement goes on, and this says what is wrong, in one line naming file, key and value.
   */
  problem?: ConfigProblem;
}

export interface ConfigProblem {
  /** The one-line error, as `loadConfig` words it. */
  message: string;
  /** What ccguard enforces with meanwhile. */
  fallback: 'last_valid' | 'defaults';
  /** When the configuration it falls back to was last valid (last_valid only). */
  validAt: number | null;
}

/**
 * The defaults from the package's config.yaml with the user's file merged over them.
 * A missing user file is fine; an invalid one throws a ConfigError naming key, value and file.
 */
export function loadConfig(userFile: string, defaultsFile: string = defaultConfigFile()): LoadedConfig {
  const defaults = readYaml(defaultsFile, 'config.yaml');
  const sources = [defaultsFile];
  let merged = defaults;
  let blame = defaultsFile;
  let userRaw: unknown = undefined;
  if (existsSync(userFile)) {
    userRaw = readYaml(userFile, 'config.yaml');
    if (!isObj(userRaw)) {
      throw new ConfigError(`config.yaml: must be a mapping of keys to values (got ${show(userRaw)}) in ${userFile}`);
    }
    merged = deepMerge(defaults, userRaw);
    sources.push(userFile);
    blame = userFile;
  }
  const res = ConfigSchema.safeParse(merged);
  if (!res.success) {
    const issue = res.error.issues[0];
    if (!issue) throw new ConfigError(`config.yaml: invalid (${blame})`);
    // An issue at a key the user did not set lies in the defaults file itself.
    const inUser = userRaw !== undefined && valueAt(userRaw, issue.path.slice(0, 1)) !== undefined;
    throw new ConfigError(describeIssue(issue, merged, inUser ? blame : defaultsFile), { cause: res.error });
  }
  return { config: res.data, sources };
}
