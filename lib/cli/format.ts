/** Terminal output helpers: colour only on a terminal and never with NO_COLOR (numbers, spans and times: lib/util/format.ts). */
import { columnsFor, displayWidth, stripAnsi, truncate, wrap } from './width.ts';

export interface Out {
  write(s: string): void;
  isTTY: boolean;
  color: boolean;
  /** The width lines should fit (lib/cli/width.ts columnsFor); Infinity when nothing asks for one. */
  columns: number;
}

export function makeOut(stream: NodeJS.WriteStream, env: Readonly<Record<string, string | undefined>>): Out {
  const isTTY = Boolean(stream.isTTY);
  const color = isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return { write: (s) => void stream.write(s), isTTY, color, columns: columnsFor(stream, env) };
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof codes;

export function paint(out: Pick<Out, 'color'>, colour: Colour, s: string): string {
  return out.color ? `\x1b[${codes[colour]}m${s}\x1b[0m` : s;
}

export interface TableOptions {
  /** Columns (by index) of numbers: right-aligned. */
  right?: ReadonlySet<number>;
  /**
   * Columns that may give up width when the table is too wide, and how their text then fits: wrapped
   * onto more lines (a list of models), or cut with `…` at the end or at the start (a project
   * folder, whose end says most).
   */
  shrink?: Readonly<Record<number, 'wrap' | 'end' | 'start'>>;
  /** The width to fit (Out.columns). */
  width?: number;
  /** Put before every line. */
  indent?: string;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Aligned columns under a header and a rule. Too wide for `width`, headers go onto two lines
 * ("cache / write") and the `shrink` columns give up width; if that is not enough, each row becomes
 * a record: its first cell, then `header value` pairs wrapped below it, so nothing is lost.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  opts: TableOptions = {},
): string {
  const width = opts.width ?? Infinity;
  const indent = opts.indent ?? '';
  const right = opts.right ?? new Set<number>();
  const shrink = opts.shrink ?? {};
  const cellMax = header.map((_, i) => Math.max(0, ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const total = (ws: readonly number[]): number => displayWidth(indent) + sum(ws) + 2 * (ws.length - 1);
  const natural = header.map((h, i) => Math.max(displayWidth(h), cellMax[i]!));
  if (total(natural) <= width)
    return render(
      header.map((h) => [h]),
      rows.map((r) => header.map((_, i) => [r[i] ?? ''])),
      natural,
      right,
      indent,
    );

  const longestWord = (h: string): number => Math.max(...h.split(' ').map(displayWidth));
  /** Column widths that fit once the `shrink` columns give up what they can, or null. */
  const fitted = (twoLineHeaders: boolean): number[] | null => {
    const ws = header.map((h, i) => Math.max(twoLineHeaders ? longestWord(h) : displayWidth(h), cellMax[i]!));
    let over = total(ws) - width;
    for (const [k, how] of Object.entries(shrink)) {
      const i = Number(k);
      if (over <= 0 || ws[i] === undefined) break;
      // Wrapped text keeps its words whole (a model name cut in two reads as two); cut text keeps 8 columns.
      const words = how === 'wrap' ? Math.min(30, Math.max(0, ...rows.map((r) => longestWord(r[i] ?? '')))) : 8;
      const floor = Math.min(ws[i], Math.max(words, longestWord(header[i]!)));
      const take = Math.min(over, ws[i] - floor);
      ws[i] -= take;
      over -= take;
    }
    return over <= 0 ? ws : null;
  };
  const ws = fitted(false) ?? fitted(true);
  if (!ws) return records(header, rows, width, indent);
  const cell = (c: string, i: number): string[] => {
    const w = ws[i]!;
    if (displayWidth(c) <= w) return [c];
    const how = shrink[i];
    return how === 'wrap' ? wrap(c, w) : [truncate(c, w, how === 'start' ? 'start' : 'end')];
  };
  return render(
    header.map((h, i) => wrap(h, ws[i]!)),
    rows.map((r) => header.map((_, i) => cell(r[i] ?? '', i))),
    ws,
    right,
    indent,
  );
}

/** Header and rows whose cells are lists of lines; the header's lines sit at its bottom. */
function render(
  header: string[][],
  rows: string[][][],
  ws: readonly number[],
  right: ReadonlySet<number>,
  indent: string,
): string {
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((c, i) => {
        const padN = Math.max(0, (ws[i] ?? 0) - displayWidth(c));
        return right.has(i) ? ' '.repeat(padN) + c : c + ' '.repeat(padN);
      })
      .join('  ')
      .trimEnd();
  const block = (cells: string[][], bottom: boolean): string[] => {
    const h = Math.max(1, ...cells.map((c) => c.length));
    return Array.from({ length: h }, (_, k) => line(cells.map((c) => (bottom ? c[k - (h - c.length)] : c[k]) ?? '')));
  };
  const rule = indent + ws.map((w) => '─'.repeat(w)).join('  ');
  return [...block(header, true), rule, ...rows.flatMap((r) => block(r, false))].join('\n') + '\n';
}

/** Each row as its first cell, then `header value` pairs, as many to a line as fit. */
function records(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  width: number,
  indent: string,
): string {
  const lines: string[] = [];
  const inner = indent + '  ';
  for (const r of rows) {
    lines.push(...wrap(indent + (r[0] ?? '').trim(), width, inner.length));
    let cur = '';
    for (let i = 1; i < header.length; i++) {
      const v = (r[i] ?? '').trim();
      if (v === '') continue;
      const part = `${header[i]} ${v}`;
      if (cur !== '' && displayWidth(cur) + 3 + displayWidth(part) <= width) {
        cur += ' · ' + part;
        continue;
      }
      if (cur !== '') lines.push(cur);
      const wrapped = wrap(inner + part, width, inner.length + 2);
      lines.push(...wrapped.slice(0, -1));
      cur = wrapped.at(-1) ?? '';
    }
    if (cur !== '') lines.push(cur);
  }
  return lines.join('\n') + '\n';
}

/** A line of prose fitted to `width`: wrapped under the text its label introduces. */
export function fitLine(line: string, width: number): string[] {
  if (!Number.isFinite(width) || displayWidth(line) <= width) return [line];
  const plain = stripAnsi(line);
  // `Recovery      held until …`, `  tokens   input …`: the text starts after the label's gap.
  const m = /^( *)\S+(?: \S+)*? {2,}/.exec(plain);
  const lead = /^ */.exec(plain)![0].length;
  const hang = m && m[0].length <= width / 2 ? m[0].length : lead + 2;
  return wrap(line, width, hang);
}
