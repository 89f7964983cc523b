import { existsSync, readFileSync } from 'node:fs';
import { defaultConfigFile } from './root.ts';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../util/errors.ts';
import { ConfigSchema, type Config } from './schema.ts';

export { packageRoot, defaultConfigFile } from './root.ts';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; anything else (lists included) in the override replaces the default. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
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
    const keys = issue.keys.map((k) => `${path ? `${path}.${k}` : k} (got ${show(valueAt(input, [...issue.path, k]))})`);
    return `config.yaml: unknown key ${keys.join(', ')} in ${file}`;
  }
  return `config.yaml: ${path || '(top level)'} ${issue.message} (got ${show(valueAt(input, issue.path))}) in ${file}`;
}

export interface LoadedConfig {
  config: Config;
  /** Files the effective config came from, defaults first. */
  sources: string[];
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
    if (!isPlain(userRaw)) {
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
