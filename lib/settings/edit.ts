import { HOOK_EVENTS, type HookEvent } from '../policy/types.ts';
import {
  chainedCommand,
  hookCommand,
  isCcguardHookCommand,
  isCcguardStatusLineCommand,
  FILTERED_EVENTS,
  hookTimeout,
  MATCHER_EVENTS,
  statusLineCommand,
} from './command.ts';
import {
  deleteKey,
  fromValue,
  getKey,
  parseDoc,
  printDoc,
  pushItem,
  removeItems,
  setItem,
  setKey,
  toValue,
  JsonSyntaxError,
  type JArray,
  type JNode,
  type JObject,
  type JsonDoc,
  type JsonValue,
} from './json.ts';
import { CommandHookShape, MatcherGroupShape, SettingsShape, StatusLineShape, type InstallRecord } from './schema.ts';
import { SettingsError } from './errors.ts';

/** Parses a settings file's text, or throws a one-line SettingsError naming the file and the position. */
export function parseSettings(text: string, file: string): JsonDoc {
  let doc: JsonDoc;
  try {
    doc = parseDoc(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new SettingsError(`${file} is not valid JSON: ${err.detail} at line ${err.line}:${err.column}; left it untouched`);
    }
    throw err;
  }
  if (doc.root && doc.root.kind !== 'object') {
    throw new SettingsError(`${file} must hold a JSON object (it holds ${doc.root.kind === 'array' ? 'a list' : 'a single value'}); left it untouched`);
  }
  if (doc.root) {
    const res = SettingsShape.safeParse(toValue(doc.root));
    if (!res.success) {
      const issue = res.error.issues[0];
      const where = issue ? issue.path.map(String).join('.') : 'hooks';
      throw new SettingsError(`${file}: ${where} ${issue?.message ?? 'has an unexpected shape'}; left it untouched`);
    }
  }
  return doc;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

const isCcguardHook = (node: JNode): boolean => {
  const r = CommandHookShape.safeParse(toValue(node));
  return r.success && isCcguardHookCommand(r.data.command);
};

export function isCcguardStatusLine(value: unknown): boolean {
  const r = StatusLineShape.safeParse(value);
  return r.success && isCcguardStatusLineCommand(r.data.command);
}

/** A matcher group's `hooks` array, when the group has the documented shape. */
function groupHooks(group: JNode): JArray | undefined {
  if (group.kind !== 'object' || !MatcherGroupShape.safeParse(toValue(group)).success) return undefined;
  const h = getKey(group, 'hooks');
  return h?.kind === 'array' ? h : undefined;
}

/** Matchers Claude Code treats as "every tool". */
function matchesAll(group: JObject): boolean {
  const m = getKey(group, 'matcher');
  return m === undefined || (m.kind === 'scalar' && (m.value === '*' || m.value === ''));
}

/** Removes ccguard's hook objects from an event's groups, then the groups that this left empty. */
function removeOurs(arr: JArray, keep?: JNode): number {
  let removed = 0;
  removeItems(arr, (group) => {
    const hooks = groupHooks(group);
    if (!hooks) return false;
    const n = removeItems(hooks, (h) => h !== keep && isCcguardHook(h));
    removed += n;
    return n > 0 && hooks.items.length === 0;
  });
  return removed;
}

export interface InstallSpec {
  nodePath: string;
  /** The package root the commands point at. */
  root: string;
  /** recovery.max_sleep_seconds: the hooks' timeouts follow it (hookTimeout). */
  maxSleepSeconds: number;
  /**
   * Set up ccguard's status line (chaining to the user's own command, if any). False leaves it out,
   * and takes ccguard's out again (putting the user's own back) when the file holds it.
   */
  statusLine: boolean;
  /**
   * The status line Claude Code takes from the settings files below this one (user under project,
   * project and user under local) when this file sets none, as the user's own (see userStatusLine).
   * ccguard's status line in this file would hide it, so ccguard chains to it instead.
   */
  inheritedStatusLine?: JsonValue | undefined;
  /** The previous install's record for this file, if any: the original status line it saved. */
  record?: InstallRecord | undefined;
}

export interface InstallOutcome {
  text: string;
  changed: boolean;
  createdHooksKey: boolean;
  createdEvents: HookEvent[];
  /** The file already held ccguard's entries before this install. */
  hadCcguard: boolean;
  /** Events whose ccguard entry was added or rewritten. */
  updatedEvents: HookEvent[];
  /**
   * Set when ccguard's status line was set up: what this file held before ccguard (undefined: nothing),
   * the user's command it chains to, and whether that command comes from a settings file below this one.
   */
  statusLine: { hadOriginal: boolean; original: JsonValue | undefined; chained: string | undefined; inherited: boolean } | null;
  /** Set when the status line was left out and the file held ccguard's: the user's came back, or the key went. */
  statusLineRemoved: 'restored' | 'removed' | null;
}

/**
 * The user's own status line under ccguard's, as install would keep it. `inherited`: the one the
 * settings files below this one give; without a record, a chained command that is exactly that one
 * was inherited, not this file's.
 */
function originalStatusLine(
  current: JsonValue | undefined,
  record: InstallRecord | undefined,
  inherited?: JsonValue,
): { had: boolean; value: JsonValue | undefined } {
  if (current === undefined) return { had: false, value: undefined };
  if (!isCcguardStatusLine(current)) return { had: true, value: current };
  if (record?.status_line) {
    return { had: record.status_line.had_original, value: record.status_line.original as JsonValue | undefined };
  }
  // No record (state directory reset): the command chained in ccguard's own command line is what
  // there was, with the other fields (padding, ...) that install carried over into ccguard's entry.
  const cmd = StatusLineShape.safeParse(current);
  const then = cmd.success ? chainedCommand(cmd.data.command) : undefined;
  if (then === undefined) return { had: false, value: undefined };
  const from = StatusLineShape.safeParse(inherited);
  if (from.success && from.data.command === then) return { had: false, value: undefined };
  return { had: true, value: { ...(current as { [key: string]: JsonValue }), type: 'command', command: then } };
}

/**
 * A status line as the user's own: itself when it is not ccguard's; for ccguard's, the command it
 * chains to (with the fields it carries, padding and so on), or undefined when it chains to none.
 */
export function userStatusLine(value: JsonValue | undefined): JsonValue | undefined {
  return originalStatusLine(value, undefined).value;
}

/** The `statusLine` a settings file's text sets, or undefined (throws SettingsError when it is not JSON). */
export function statusLineOf(text: string, file: string): JsonValue | undefined {
  const doc = parseSettings(text, file);
  if (!doc.root || doc.root.kind !== 'object') return undefined;
  const sl = getKey(doc.root, 'statusLine');
  return sl ? toValue(sl) : undefined;
}

/** Takes ccguard's status line out of a settings object: the user's own comes back, or the key goes. */
function takeOutStatusLine(root: JObject, current: JsonValue, record: InstallRecord | undefined, inherited?: JsonValue): 'restored' | 'removed' {
  const orig = originalStatusLine(current, record, inherited);
  if (orig.had && orig.value !== undefined) {
    setKey(root, 'statusLine', orig.value);
    return 'restored';
  }
  deleteKey(root, 'statusLine');
  return 'removed';
}

/** Adds (or refreshes) ccguard's entries in a settings file's text. Pure: text in, text out. */
export function installInto(text: string, file: string, spec: InstallSpec): InstallOutcome {
  const doc = parseSettings(text, file);
  if (!doc.root) {
    doc.root = fromValue({});
    if (!doc.trailing.endsWith('\n')) doc.trailing += '\n';
  }
  const root = doc.root as JObject;
  let hadCcguard = false;
  let createdHooksKey = false;
  const createdEvents: HookEvent[] = [];
  const updatedEvents: HookEvent[] = [];

  let hooks = getKey(root, 'hooks') as JObject | undefined;
  if (!hooks) {
    hooks = setKey(root, 'hooks', {}) as JObject;
    createdHooksKey = true;
  }
  // ccguard's entries under events it does not use (moved by hand) are dropped.
  for (const m of [...hooks.members]) {
    if ((HOOK_EVENTS as readonly string[]).includes(m.key) || m.value.kind !== 'array') continue;
    if (removeOurs(m.value) > 0) {
      hadCcguard = true;
      if (m.value.items.length === 0) deleteKey(hooks, m.key);
    }
  }
  for (const event of HOOK_EVENTS) {
    const desired = { type: 'command', command: hookCommand(spec.nodePath, spec.root, event), timeout: hookTimeout(event, spec.maxSleepSeconds) };
    let arr = getKey(hooks, event) as JArray | undefined;
    if (!arr) {
      arr = setKey(hooks, event, []) as JArray;
      createdEvents.push(event);
    }
    // Keep the first of ccguard's entries that sits in a group matching every tool, in place.
    let kept: JNode | undefined;
    for (const group of arr.items) {
      const gh = groupHooks(group);
      if (!gh) continue;
      for (let j = 0; j < gh.items.length; j++) {
        const h = gh.items[j]!;
        if (!isCcguardHook(h)) continue;
        hadCcguard = true;
        if (kept || (FILTERED_EVENTS.has(event) && !matchesAll(group as JObject))) continue;
        kept = sameValue(toValue(h), desired) ? h : setItem(gh, j, desired);
        if (kept !== h) updatedEvents.push(event);
      }
    }
    removeOurs(arr, kept);
    if (!kept) {
      pushItem(arr, MATCHER_EVENTS.has(event) ? { matcher: '*', hooks: [desired] } : { hooks: [desired] });
      updatedEvents.push(event);
    }
  }

  let statusLine: InstallOutcome['statusLine'] = null;
  let statusLineRemoved: InstallOutcome['statusLineRemoved'] = null;
  const current = getKey(root, 'statusLine');
  const currentValue = current ? toValue(current) : undefined;
  const oursNow = currentValue !== undefined && isCcguardStatusLine(currentValue);
  if (oursNow) hadCcguard = true;
  if (spec.statusLine) {
    const orig = originalStatusLine(currentValue, spec.record, spec.inheritedStatusLine);
    // Nothing of the user's in this file: chain to what the files below it would show.
    const inherited = orig.value === undefined && spec.inheritedStatusLine !== undefined;
    const parsed = StatusLineShape.safeParse(inherited ? spec.inheritedStatusLine : orig.value);
    const chained = parsed.success ? parsed.data.command : undefined;
    // Keep the user's other status line settings (padding, ...) around ccguard's command.
    const extra = parsed.success ? Object.fromEntries(Object.entries(parsed.data).filter(([k]) => k !== 'type' && k !== 'command')) : {};
    const desired = { type: 'command', command: statusLineCommand(spec.nodePath, spec.root, chained), ...(extra as Record<string, JsonValue>) };
    if (!sameValue(currentValue, desired)) setKey(root, 'statusLine', desired);
    statusLine = { hadOriginal: orig.had, original: orig.value, chained, inherited: inherited && chained !== undefined };
  } else if (oursNow) {
    statusLineRemoved = takeOutStatusLine(root, currentValue, spec.record, spec.inheritedStatusLine);
  }

  const out = printDoc(doc);
  return { text: out, changed: out !== text, createdHooksKey, createdEvents, hadCcguard, updatedEvents, statusLine, statusLineRemoved };
}

export interface UninstallOutcome {
  text: string;
  changed: boolean;
  removedHooks: number;
  statusLine: 'restored' | 'removed' | 'untouched';
}

/**
 * Removes exactly ccguard's entries: its hook objects, then matcher groups this left empty, then
 * event keys left empty (only those install created, when its record is known), then "hooks" if
 * left empty and install created it; a ccguard status line goes back to the user's original.
 */
export function uninstallFrom(text: string, file: string, record: InstallRecord | undefined, inheritedStatusLine?: JsonValue): UninstallOutcome {
  const doc = parseSettings(text, file);
  if (!doc.root) return { text, changed: false, removedHooks: 0, statusLine: 'untouched' };
  const root = doc.root as JObject;
  let removedHooks = 0;
  const hooks = getKey(root, 'hooks');
  if (hooks?.kind === 'object') {
    const before = hooks.members.length;
    for (const m of [...hooks.members]) {
      if (m.value.kind !== 'array') continue;
      const n = removeOurs(m.value);
      removedHooks += n;
      const created = record ? record.created_events.includes(m.key) : true;
      if (n > 0 && m.value.items.length === 0 && created) deleteKey(hooks, m.key);
    }
    const createdHooks = record ? record.created_hooks_key : true;
    if (before > 0 && hooks.members.length === 0 && createdHooks) deleteKey(root, 'hooks');
  }
  let statusLine: UninstallOutcome['statusLine'] = 'untouched';
  const sl = getKey(root, 'statusLine');
  if (sl && isCcguardStatusLine(toValue(sl))) statusLine = takeOutStatusLine(root, toValue(sl), record, inheritedStatusLine);
  const out = printDoc(doc);
  return { text: out, changed: out !== text, removedHooks, statusLine };
}

/** Does this settings text hold any ccguard entry (hook or status line)? */
export function hasCcguard(text: string, file: string): boolean {
  const doc = parseSettings(text, file);
  if (!doc.root || doc.root.kind !== 'object') return false;
  const sl = getKey(doc.root, 'statusLine');
  if (sl && isCcguardStatusLine(toValue(sl))) return true;
  const hooks = getKey(doc.root, 'hooks');
  if (hooks?.kind !== 'object') return false;
  return hooks.members.some((m) => m.value.kind === 'array' && m.value.items.some((g) => groupHooks(g)?.items.some(isCcguardHook)));
}
