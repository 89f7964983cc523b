/** Terminal output helpers: colour only on a terminal and never with NO_COLOR. */
import { columnsFor } from './width.ts';

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

/** `1,234,567`. By hand: toLocaleString starts ICU, which costs a command ~10 ms. */
export function fmtInt(n: number): string {
  const s = String(Math.abs(Math.round(n)));
  return (n < 0 && Math.round(n) !== 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function fmtUsd(n: number): string {
  return `$${n.toFixed(2)}`;
}

export function fmtPct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A local time, `2026-11-24 14:05` (the process's time zone). */
export function fmtLocal(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export function fmtLocalTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export function fmtDuration(ms: number): string {
  const totalMin = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  return h > 0 ? `${h}h ${pad2(m)}m` : `${m}m`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, '').length;

/** Aligned columns; numbers (columns listed in `right`) right-aligned. */
export function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visible(r[i] ?? ''))));
  const line = (r: string[]): string =>
    r
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const padN = w - visible(c);
        return right.has(i) ? ' '.repeat(padN) + c : c + ' '.repeat(padN);
      })
      .join('  ')
      .trimEnd();
  const sepLine = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), sepLine, ...rows.map(line)].join('\n') + '\n';
}
