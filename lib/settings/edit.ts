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
} from './hookCommand.ts';
import type { JSONPath, Node } from 'jsonc-parser';
import { JsonText, toValue, type JsonValue } from './jsonText.ts';
import { CommandHookShape, MatcherGroupShape, SettingsShape, StatusLineShape, type InstallRecord } from './schema.ts';
import { SettingsError } from './errors.ts';

/** Parses a settings file's text, or throws a one-line SettingsError naming the file and the position. */
export function parseSettings(text: string, file: string): JsonText {
  const doc = new JsonText(text, file);
  const root = doc.root;
  if (root && root.type !== 'object') {
    throw new SettingsError(
      `${file} must hold a JSON object (it holds ${root.type === 'array' ? 'a list' : 'a single value'}); left it untouched`,
    );
  }
  if (root) {
    const res = SettingsShape.safeParse(toValue(root));
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
    return (
      ka.length === kb.length &&
      ka.every(
        (k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return false;
}

const isCcguardHook = (node: Node): boolean => {
  const r = CommandHookShape.safeParse(toValue(node));
  return r.success && isCcguardHookCommand(r.data.command);
};

export function isCcguardStatusLine(value: unknown): boolean {
  const r = StatusLineShape.safeParse(value);
  return r.success && isCcguardStatusLineCommand(r.data.command);
}

/** The keys of an object node, in source order. */
const keysOf = (obj: Node): string[] => (obj.children ?? []).map((p) => p.children![0]!.value as string);

const valueAt = (doc: JsonText, path: JSONPath): JsonValue | undefined => {
  const node = doc.at(path);
  return node ? toValue(node) : undefined;
};

/** A matcher group's `hooks` array, when the group has the documented shape. */
function groupHooks(doc: JsonText, group: JSONPath): Node | undefined {
  const node = doc.at(group);
  if (node?.type !== 'object' || !MatcherGroupShape.safeParse(toValue(node)).success) return undefined;
  const h = doc.at([...group, 'hooks']);
  return h?.type === 'array' ? h : undefined;
}

/** Matchers Claude Code treats as "every tool". */
function matchesAll(doc: JsonText, group: JSONPath): boolean {
  const m = doc.at([...group, 'matcher']);
  return m === undefined || m.value === '*' || m.value === '';
}

/**
 * Removes ccguard's hook objects from an event's groups, all but `keep` ([group, hook] indices),
 * then the groups that this left empty.
 */
function removeOurs(doc: JsonText, event: JSONPath, keep?: readonly [number, number]): number {
  const arr = doc.at(event);
  if (arr?.type !== 'array') return 0;
  let removed = 0;
  // Back to front: a removal leaves the indices still to visit where they were.
  for (let g = (arr.children ?? []).length - 1; g >= 0; g--) {
    const hooks = groupHooks(doc, [...event, g])?.children ?? [];
    const ours = hooks.flatMap((h, j) => (isCcguardHook(h) && !(keep?.[0] === g && keep[1] === j) ? [j] : []));
    if (ours.length === 0) continue;
    removed += ours.length;
    if (ours.length === hooks.length) doc.remove([...event, g]);
    else for (const j of ours.reverse()) doc.remove([...event, g, 'hooks', j]);
  }
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
  statusLine: {
    hadOriginal: boolean;
    original: JsonValue | undefined;
    chained: string | undefined;
    inherited: boolean;
  } | null;
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
  return doc.root ? valueAt(doc, ['statusLine']) : undefined;
}

/** Takes ccguard's status line out of a settings object: the user's own comes back, or the key goes. */
function takeOutStatusLine(
  doc: JsonText,
  current: JsonValue,
  record: InstallRecord | undefined,
  inherited?: JsonValue,
): 'restored' | 'removed' {
  const orig = originalStatusLine(current, record, inherited);
  if (orig.had && orig.value !== undefined) {
    doc.set(['statusLine'], orig.value);
    return 'restored';
  }
  doc.remove(['statusLine']);
  return 'removed';
}

/** Adds (or refreshes) ccguard's entries in a settings file's text. Pure: text in, text out. */
export function installInto(text: string, file: string, spec: InstallSpec): InstallOutcome {
  const doc = parseSettings(text, file);
  doc.startObject();
  let hadCcguard = false;
  let createdHooksKey = false;
  const createdEvents: HookEvent[] = [];
  const updatedEvents: HookEvent[] = [];

  if (!doc.at(['hooks'])) {
    doc.set(['hooks'], {});
    createdHooksKey = true;
  }
  // ccguard's entries under events it does not use (moved by hand) are dropped.
  for (const key of keysOf(doc.at(['hooks'])!)) {
    const path = ['hooks', key];
    if ((HOOK_EVENTS as readonly string[]).includes(key) || doc.at(path)?.type !== 'array') continue;
    if (removeOurs(doc, path) > 0) {
      hadCcguard = true;
      if (doc.at(path)!.children!.length === 0) doc.remove(path);
    }
  }
  for (const event of HOOK_EVENTS) {
    const desired = {
      type: 'command',
      command: hookCommand(spec.nodePath, spec.root, event),
      timeout: hookTimeout(event, spec.maxSleepSeconds),
    };
    const group: JsonValue = MATCHER_EVENTS.has(event) ? { matcher: '*', hooks: [desired] } : { hooks: [desired] };
    const path = ['hooks', event];
    const arr = doc.at(path);
    if (!arr) {
      doc.set(path, [group]);
      createdEvents.push(event);
      updatedEvents.push(event);
      continue;
    }
    // Keep the first of ccguard's entries that sits in a group matching every tool, in place.
    let kept: [number, number] | undefined;
    for (let g = 0; g < (arr.children ?? []).length; g++) {
      const gh = groupHooks(doc, [...path, g])?.children ?? [];
      for (let j = 0; j < gh.length; j++) {
        const h = gh[j]!;
        if (!isCcguardHook(h)) continue;
        hadCcguard = true;
        if (kept || (FILTERED_EVENTS.has(event) && !matchesAll(doc, [...path, g]))) continue;
        kept = [g, j];
        if (!sameValue(toValue(h), desired)) {
          doc.set([...path, g, 'hooks', j], desired);
          updatedEvents.push(event);
        }
      }
    }
    removeOurs(doc, path, kept);
    if (!kept) {
      doc.set([...path, -1], group);
      updatedEvents.push(event);
    }
  }

  let statusLine: InstallOutcome['statusLine'] = null;
  let statusLineRemoved: InstallOutcome['statusLineRemoved'] = null;
  const currentValue = valueAt(doc, ['statusLine']);
  const oursNow = currentValue !== undefined && isCcguardStatusLine(currentValue);
  if (oursNow) hadCcguard = true;
  if (spec.statusLine) {
    const orig = originalStatusLine(currentValue, spec.record, spec.inheritedStatusLine);
    // Nothing of the user's in this file: chain to what the files below it would show.
    const inherited = orig.value === undefined && spec.inheritedStatusLine !== undefined;
    const parsed = StatusLineShape.safeParse(inherited ? spec.inheritedStatusLine : orig.value);
    const chained = parsed.success ? parsed.data.command : undefined;
    // Keep the user's other status line settings (padding, ...) around ccguard's command.
    const extra = parsed.success
      ? Object.fromEntries(Object.entries(parsed.data).filter(([k]) => k !== 'type' && k !== 'command'))
      : {};
    const desired = {
      type: 'command',
      command: statusLineCommand(spec.nodePath, spec.root, chained),
      ...(extra as Record<string, JsonValue>),
    };
    if (!sameValue(currentValue, desired)) doc.set(['statusLine'], desired);
    statusLine = {
      hadOriginal: orig.had,
      original: orig.value,
      chained,
      inherited: inherited && chained !== undefined,
    };
  } else if (oursNow) {
    statusLineRemoved = takeOutStatusLine(doc, currentValue, spec.record, spec.inheritedStatusLine);
  }

  const out = doc.text;
  return {
    text: out,
    changed: out !== text,
    createdHooksKey,
    createdEvents,
    hadCcguard,
    updatedEvents,
    statusLine,
    statusLineRemoved,
  };
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
export function uninstallFrom(
  text: string,
  file: string,
  record: InstallRecord | undefined,
  inheritedStatusLine?: JsonValue,
): UninstallOutcome {
  const doc = parseSettings(text, file);
  if (!doc.root) return { text, changed: false, removedHooks: 0, statusLine: 'untouched' };
  let removedHooks = 0;
  const hooks = doc.at(['hooks']);
  if (hooks?.type === 'object') {
    const keys = keysOf(hooks);
    for (const key of keys) {
      const path = ['hooks', key];
      const n = removeOurs(doc, path);
      removedHooks += n;
      const created = record ? record.created_events.includes(key) : true;
      if (n > 0 && doc.at(path)!.children!.length === 0 && created) doc.remove(path);
    }
    const createdHooks = record ? record.created_hooks_key : true;
    if (keys.length > 0 && keysOf(doc.at(['hooks'])!).length === 0 && createdHooks) doc.remove(['hooks']);
  }
  let statusLine: UninstallOutcome['statusLine'] = 'untouched';
  const sl = valueAt(doc, ['statusLine']);
  if (sl !== undefined && isCcguardStatusLine(sl)) statusLine = takeOutStatusLine(doc, sl, record, inheritedStatusLine);
  const out = doc.text;
  return { text: out, changed: out !== text, removedHooks, statusLine };
}

/** Does this settings text hold any ccguard entry (hook or status line)? */
export function hasCcguard(text: string, file: string): boolean {
  const doc = parseSettings(text, file);
  if (!doc.root) return false;
  const sl = valueAt(doc, ['statusLine']);
  if (sl !== undefined && isCcguardStatusLine(sl)) return true;
  const hooks = doc.at(['hooks']);
  if (hooks?.type !== 'object') return false;
  return keysOf(hooks).some((key) =>
    (doc.at(['hooks', key])?.children ?? []).some((_, g) =>
      groupHooks(doc, ['hooks', key, g])?.children?.some(isCcguardHook),
    ),
  );
}
