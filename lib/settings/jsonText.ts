/**
 * A settings file's text, edited in place: jsonc-parser reads it into a syntax tree (every value with
 * its offset) and lays out each change with the file's own indentation and line ends, so the bytes
 * of everything ccguard does not change stay as they were, and an edit that is undone gives the
 * original bytes back. Strict JSON, as Claude Code reads it: comments and trailing commas, which
 * jsonc-parser would accept, are refused.
 */
import {
  applyEdits,
  modify,
  parseTree,
  printParseErrorCode,
  type Edit,
  type FormattingOptions,
  type JSONPath,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import { SettingsError } from './errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true };

/** jsonc-parser's error codes in words: where the offending character is, or what it is. */
const WHERE: Readonly<Record<string, string>> = {
  ValueExpected: 'where a value should start',
  PropertyNameExpected: 'where a quoted key should be',
  ColonExpected: 'where ":" should be',
  CommaExpected: 'where "," should be',
  CloseBraceExpected: 'where "}" should be',
  CloseBracketExpected: 'where "]" should be',
  EndOfFileExpected: 'after the end of the JSON value',
  InvalidCommentToken: '(a comment: settings files are plain JSON)',
};
const WHAT: Readonly<Record<string, string>> = {
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfComment: 'unterminated comment',
  InvalidNumberFormat: 'bad number',
  UnexpectedEndOfNumber: 'bad number',
  InvalidUnicode: 'bad \\u escape in a string',
  InvalidEscapeCharacter: 'bad escape in a string',
  InvalidCharacter: 'control character inside a string',
};

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos).split('\n');
  return `line ${before.length}:${before[before.length - 1]!.length + 1}`;
}

function describe(text: string, e: ParseError): string {
  const code = printParseErrorCode(e.error);
  const what = WHAT[code];
  if (what) return what;
  const ch = text[e.offset];
  const found =
    ch === undefined ? 'unexpected end of file' : `unexpected ${ch === '\n' ? 'line break' : JSON.stringify(ch)}`;
  const where = WHERE[code];
  return where ? `${found} ${where}` : found;
}

/** The plain value of a node, as JSON.parse gives it (a repeated key keeps its last value), keys in source order. */
export function toValue(node: Node): JsonValue {
  if (node.type === 'array') return (node.children ?? []).map(toValue);
  if (node.type === 'object') {
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    return Object.fromEntries(
      (node.children ?? []).map((p) => [p.children![0]!.value as string, toValue(p.children![1]!)]),
    );
  }
  return node.value as JsonValue;
}

/** Layout for new values: the first indented line's tab or spaces (two by default), and the file's line ends. */
function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  if (indent.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: Math.min(4, Math.max(2, indent.length)), eol };
}

export class JsonText {
  /** The text after a byte-order mark, which jsonc-parser does not skip; put back in front by `text`. */
  private body: string;
  private readonly bom: string;
  private tree: Node | undefined;
  private readonly formatting: FormattingOptions;

  /** Throws a one-line SettingsError naming the file and the position when the text is not JSON. */
  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.bom = text.startsWith('\ufeff') ? '\ufeff' : '';
    this.body = text.slice(this.bom.length);
    this.formatting = formattingOf(this.body);
    const errors: ParseError[] = [];
    try {
      this.tree = parseTree(this.body, errors, STRICT);
    } catch (err) {
      // The parser recurses per level: a stack overflow is a file nested beyond reason.
      if (err instanceof RangeError) throw new SettingsError(`${file} is nested too deeply to read; left it untouched`);
      throw err;
    }
    const first = errors[0];
    if (first) {
      throw new SettingsError(
        `${file} is not valid JSON: ${describe(this.body, first)} at ${lineCol(text, first.offset + this.bom.length)}; left it untouched`,
      );
    }
  }

  get text(): string {
    return this.bom + this.body;
  }

  get root(): Node | undefined {
    return this.tree;
  }

  /** Gives a file with no value at all (empty, or whitespace) an empty object to edit, ending in a line break. */
  startObject(): void {
    if (this.tree) return;
    const rest = this.body.endsWith('\n') ? this.body : this.body + this.formatting.eol;
    this.apply([{ offset: 0, length: this.body.length, content: '{}' + rest }]);
  }

  /**
   * The node at `path` (keys and indices), or undefined. A key written twice on the way is refused:
   * Claude Code reads the last one, jsonc-parser's edits would change the first.
   */
  at(path: JSONPath): Node | undefined {
    let node = this.tree;
    for (let i = 0; i < path.length && node; i++) {
      const seg = path[i]!;
      if (node.type === 'array' && typeof seg === 'number') {
        node = node.children?.[seg];
      } else if (node.type === 'object' && typeof seg === 'string') {
        const found = (node.children ?? []).filter((p) => p.children?.[0]?.value === seg);
        if (found.length > 1) {
          throw new SettingsError(
            `${this.file}: the key "${seg}" appears twice in ${path.slice(0, i).join('.') || 'the top level'}; remove one, then run the command again`,
          );
        }
        node = found[0]?.children?.[1];
      } else {
        return undefined;
      }
    }
    return node;
  }

  /** Sets the value at `path`: in place when it is there, else a new key at the end of its object; -1 as the last index appends to an array. */
  set(path: JSONPath, value: JsonValue): void {
    this.at(path);
    this.apply(modify(this.body, path, value, { formattingOptions: this.formatting }));
  }

  /**
   * Removes the value (or key) at `path` with its comma, and nothing else: an emptied container becomes
   * `{}` or `[]`. By hand, as jsonc-parser's modify(..., undefined) joins neighbours when it removes the
   * last item of an array written on one line ([1,2] becomes [12]) and leaves `{\n}` behind.
   */
  remove(path: JSONPath): void {
    const node = this.at(path);
    if (!node || path.length === 0) return;
    const item = node.parent?.type === 'property' ? node.parent : node;
    const container = item.parent!;
    const siblings = container.children!;
    const i = siblings.indexOf(item);
    const prev = siblings[i - 1];
    const next = siblings[i + 1];
    let edit: Edit;
    if (!prev && !next) edit = { offset: container.offset + 1, length: container.length - 2, content: '' };
    else if (next) edit = { offset: item.offset, length: next.offset - item.offset, content: '' };
    else
      edit = {
        offset: prev!.offset + prev!.length,
        length: item.offset + item.length - (prev!.offset + prev!.length),
        content: '',
      };
    this.apply([edit]);
  }

  private apply(edits: Edit[]): void {
    this.body = applyEdits(this.body, edits);
    const errors: ParseError[] = [];
    this.tree = parseTree(this.body, errors, STRICT);
    if (errors.length > 0)
      throw new Error(`editing ${this.file} produced invalid JSON (${printParseErrorCode(errors[0]!.error)})`);
  }
}
