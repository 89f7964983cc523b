/**
 * A JSON document that can be edited without disturbing what it does not touch.
 *
 * Parsing keeps, for every value, the exact source text it came from. Editing a value clears that
 * text on it and on every container above it; printing writes untouched values back verbatim and
 * lays out only the touched containers, JSON.stringify-style with the file's own indentation. A file
 * written the way Claude Code writes it (2 spaces, one member per line) therefore changes only where
 * ccguard changed it, an edit that is undone gives the original bytes back, and key order, unknown keys,
 * number spellings and string escapes survive as they were. Keys stay in source order even when they
 * look like integers (JSON.parse would move those to the front).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JMember {
  /** The key as written, quotes and escapes included. */
  keyRaw: string;
  key: string;
  value: JNode;
}

interface Base {
  /** The value's exact source text; undefined once it (or anything inside it) was edited or for new values. */
  raw: string | undefined;
  parent: JContainer | undefined;
}

export interface JObject extends Base {
  kind: 'object';
  members: JMember[];
}
export interface JArray extends Base {
  kind: 'array';
  items: JNode[];
}
export interface JScalar extends Base {
  kind: 'scalar';
  value: null | boolean | number | string;
}
export type JContainer = JObject | JArray;
export type JNode = JObject | JArray | JScalar;

export interface JsonDoc {
  /** Whitespace (and a byte-order mark) before the root value. */
  leading: string;
  root: JNode | undefined;
  /** Whitespace after the root value, usually one newline. */
  trailing: string;
  /** One level of indentation: two or four spaces, or a tab. */
  indent: string;
}

/** Text that is not JSON, with the 1-based line and column of the first offending character. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} at line ${line}:${column}`);
  }
}

function lineCol(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  return { line, column: col };
}

const MAX_DEPTH = 512;

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(detail: string, at = this.pos): never {
    const { line, column } = lineCol(this.text, at);
    throw new JsonSyntaxError(detail, line, column);
  }

  describe(at: number): string {
    if (at >= this.text.length) return 'unexpected end of file';
    const ch = this.text[at]!;
    return `unexpected ${ch === '\n' ? 'line break' : JSON.stringify(ch)}`;
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(parent: JContainer | undefined, depth: number): JNode {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.ws();
    const start = this.pos;
    const c = this.text[this.pos];
    let node: JNode;
    if (c === '{') node = this.object(parent, depth);
    else if (c === '[') node = this.array(parent, depth);
    else if (c === '"') node = { kind: 'scalar', value: this.string(), raw: undefined, parent };
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) node = { kind: 'scalar', value: this.number(), raw: undefined, parent };
    else if (this.text.startsWith('true', this.pos)) {
      this.pos += 4;
      node = { kind: 'scalar', value: true, raw: undefined, parent };
    } else if (this.text.startsWith('false', this.pos)) {
      this.pos += 5;
      node = { kind: 'scalar', value: false, raw: undefined, parent };
    } else if (this.text.startsWith('null', this.pos)) {
      this.pos += 4;
      node = { kind: 'scalar', value: null, raw: undefined, parent };
    } else {
      this.fail(`${this.describe(this.pos)} where a value should start`);
    }
    node.raw = this.text.slice(start, this.pos);
    return node;
  }

  object(parent: JContainer | undefined, depth: number): JObject {
    const node: JObject = { kind: 'object', members: [], raw: undefined, parent };
    this.pos++; // {
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return node;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail(`${this.describe(this.pos)} where a quoted key should be`);
      const keyStart = this.pos;
      const key = this.string();
      const keyRaw = this.text.slice(keyStart, this.pos);
      this.ws();
      if (this.text[this.pos] !== ':') this.fail(`${this.describe(this.pos)} where ":" should be`);
      this.pos++;
      const value = this.value(node, depth + 1);
      node.members.push({ keyRaw, key, value });
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return node;
      }
      this.fail(`${this.describe(this.pos)} where "," or "}" should be`);
    }
  }

  array(parent: JContainer | undefined, depth: number): JArray {
    const node: JArray = { kind: 'array', items: [], raw: undefined, parent };
    this.pos++; // [
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return node;
    }
    for (;;) {
      node.items.push(this.value(node, depth + 1));
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return node;
      }
      this.fail(`${this.describe(this.pos)} where "," or "]" should be`);
    }
  }

  string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    const t = this.text;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string', start);
      const c = t.charCodeAt(this.pos);
      if (c === 34) break;
      if (c < 0x20) this.fail('control character inside a string');
      if (c === 92) {
        const e = t[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) this.fail('bad \\u escape');
          this.pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.pos += 2;
        } else {
          this.fail('bad escape in a string');
        }
      } else {
        this.pos++;
      }
    }
    this.pos++; // closing quote
    // The slice is valid JSON by now, so the built-in decoder does the unescaping.
    return JSON.parse(t.slice(start, this.pos)) as string;
  }

  number(): number {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m || m[0] === '-') this.fail('bad number');
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/** The indentation unit the file uses: the first indented line's leading tab or spaces; two spaces otherwise. */
export function detectIndent(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  if (!m?.[1]) return '  ';
  if (m[1].startsWith('\t')) return '\t';
  return m[1].length >= 4 ? '    ' : m[1].length === 3 ? '   ' : '  ';
}

/** Parses a whole file. Empty (or whitespace-only) text is a document without a root. */
export function parseDoc(text: string): JsonDoc {
  const p = new Parser(text);
  let bom = '';
  if (text.charCodeAt(0) === 0xfeff) {
    bom = '\ufeff';
    p.pos = 1;
  }
  p.ws();
  const leading = text.slice(0, p.pos);
  if (p.pos >= text.length) return { leading: bom, root: undefined, trailing: text.slice(bom.length), indent: '  ' };
  const root = p.value(undefined, 0);
  const end = p.pos;
  p.ws();
  if (p.pos < text.length) p.fail(`${p.describe(p.pos)} after the end of the JSON value`);
  return { leading, root, trailing: text.slice(end), indent: detectIndent(text) };
}

/** The plain value of a node (objects keep source key order; a repeated key keeps its last value). */
export function toValue(node: JNode): JsonValue {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'array') return node.items.map(toValue);
  // fromEntries defines own properties, so a "__proto__" key stays a key.
  return Object.fromEntries(node.members.map((m) => [m.key, toValue(m.value)])) as { [key: string]: JsonValue };
}

/** A fresh (never printed before) node for a plain value. */
export function fromValue(value: JsonValue, parent?: JContainer): JNode {
  if (Array.isArray(value)) {
    const node: JArray = { kind: 'array', items: [], raw: undefined, parent };
    node.items = value.map((v) => fromValue(v, node));
    return node;
  }
  if (value !== null && typeof value === 'object') {
    const node: JObject = { kind: 'object', members: [], raw: undefined, parent };
    node.members = Object.entries(value).map(([k, v]) => ({ keyRaw: JSON.stringify(k), key: k, value: fromValue(v, node) }));
    return node;
  }
  return { kind: 'scalar', value, raw: undefined, parent };
}

/** Marks a container and everything above it as edited. */
export function touch(node: JNode | undefined): void {
  for (let n: JNode | undefined = node; n; n = n.parent) n.raw = undefined;
}

/** The member a reader of the file sees for `key`: the last one, as with JSON.parse. */
export function member(obj: JObject, key: string): JMember | undefined {
  for (let i = obj.members.length - 1; i >= 0; i--) if (obj.members[i]!.key === key) return obj.members[i];
  return undefined;
}

export function getKey(obj: JObject, key: string): JNode | undefined {
  return member(obj, key)?.value;
}

/** Replaces the value of `key`, or appends the key at the end of the object. */
export function setKey(obj: JObject, key: string, value: JsonValue | JNode): JNode {
  const node = isNode(value) ? value : fromValue(value, obj);
  node.parent = obj;
  const m = member(obj, key);
  if (m) m.value = node;
  else obj.members.push({ keyRaw: JSON.stringify(key), key, value: node });
  touch(obj);
  return node;
}

export function deleteKey(obj: JObject, key: string): void {
  const before = obj.members.length;
  obj.members = obj.members.filter((m) => m.key !== key);
  if (obj.members.length !== before) touch(obj);
}

export function pushItem(arr: JArray, value: JsonValue | JNode): JNode {
  const node = isNode(value) ? value : fromValue(value, arr);
  node.parent = arr;
  arr.items.push(node);
  touch(arr);
  return node;
}

export function setItem(arr: JArray, index: number, value: JsonValue): JNode {
  const node = fromValue(value, arr);
  arr.items[index] = node;
  touch(arr);
  return node;
}

export function removeItems(arr: JArray, drop: (node: JNode, index: number) => boolean): number {
  const before = arr.items.length;
  arr.items = arr.items.filter((n, i) => !drop(n, i));
  const removed = before - arr.items.length;
  if (removed > 0) touch(arr);
  return removed;
}

function isNode(v: unknown): v is JNode {
  return typeof v === 'object' && v !== null && 'kind' in v && 'parent' in v && 'raw' in v;
}

function print(node: JNode, depth: number, indent: string): string {
  if (node.raw !== undefined) return node.raw;
  if (node.kind === 'scalar') return JSON.stringify(node.value);
  const inner = indent.repeat(depth + 1);
  const outer = indent.repeat(depth);
  if (node.kind === 'array') {
    if (node.items.length === 0) return '[]';
    return `[\n${node.items.map((n) => inner + print(n, depth + 1, indent)).join(',\n')}\n${outer}]`;
  }
  if (node.members.length === 0) return '{}';
  return `{\n${node.members.map((m) => `${inner}${m.keyRaw}: ${print(m.value, depth + 1, indent)}`).join(',\n')}\n${outer}}`;
}

/** The document as text: untouched values verbatim, edited containers laid out with the file's indent. */
export function printDoc(doc: JsonDoc): string {
  if (!doc.root) return doc.leading + doc.trailing;
  return doc.leading + print(doc.root, 0, doc.indent) + doc.trailing;
}
