/**
 * How wide text is on a terminal, and how to make it fit: display columns, not UTF-16 units. A CJK
 * character or an emoji takes two columns, a combining accent or a colour code none. Node has nothing
 * built in for this (Intl.Segmenter would start ICU, a start-up every command would pay); the `string-width`
 * package would be a runtime dependency for one function. So: Unicode's East Asian Wide and Fullwidth
 * ranges below, the regular expression engine's own Unicode properties for marks and emoji, and
 * the few emoji sequences that draw as one glyph (ZWJ sequences, skin tones, flags, VS16).
 */

/**
 * East Asian Width W and F outside the emoji (which `\p{Emoji_Presentation}` covers), from Unicode's
 * EastAsianWidth.txt, neighbouring ranges merged across unassigned code points. Pairs: first, last.
 */
const WIDE: readonly number[] = [
  0x1100, 0x115f, 0x2329, 0x232a, 0x2e80, 0x303e, 0x3041, 0x3247, 0x3250, 0x4dbf, 0x4e00, 0xa4cf, 0xa960, 0xa97f,
  0xac00, 0xd7a3, 0xf900, 0xfaff, 0xfe10, 0xfe19, 0xfe30, 0xfe6f, 0xff00, 0xff60, 0xffe0, 0xffe6, 0x16fe0, 0x16fff,
  0x17000, 0x18cff, 0x18d00, 0x18d7f, 0x1aff0, 0x1b2ff, 0x1f200, 0x1f2ff, 0x20000, 0x2fffd, 0x30000, 0x3fffd,
];

function inWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < WIDE[mid * 2]!) hi = mid - 1;
    else if (cp > WIDE[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

// Property escapes compile from V8's own tables (well under a millisecond), without starting ICU.
const ZERO = /[\p{Mn}\p{Me}\p{Cf}]/u;
const EMOJI = /\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
// eslint-disable-next-line no-control-regex
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/y;
const PLAIN = /^[\x20-\x7e]*$/;

/** Columns one code point takes on its own: 0 (controls, marks, joiners), 1 or 2. */
export function codePointWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  // Hangul medial vowels and final consonants join the syllable before them.
  if (cp >= 0x1160 && cp <= 0x11ff) return 0;
  const ch = String.fromCodePoint(cp);
  if (ZERO.test(ch)) return 0;
  return inWide(cp) || EMOJI.test(ch) ? 2 : 1;
}

/** One thing a terminal draws (a character with its marks, an emoji sequence), or a colour code. */
interface Unit {
  text: string;
  width: number;
  /** The first code point: what a following modifier or joiner attaches to. */
  base: number;
  ansi: boolean;
}

const isRegional = (cp: number): boolean => cp >= 0x1f1e6 && cp <= 0x1f1ff;
const isSkinTone = (cp: number): boolean => cp >= 0x1f3fb && cp <= 0x1f3ff;
const pictographic = (cp: number): boolean => PICTOGRAPHIC.test(String.fromCodePoint(cp));

function units(s: string): Unit[] {
  const out: Unit[] = [];
  let last: Unit | undefined;
  let joining = false;
  let flagOpen = false;
  for (let i = 0; i < s.length;) {
    if (s.charCodeAt(i) === 0x1b) {
      CSI.lastIndex = i;
      const m = CSI.exec(s);
      const text = m ? m[0] : '\x1b';
      out.push({ text, width: 0, base: 0x1b, ansi: true });
      i += text.length;
      continue;
    }
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (last) {
      // Variation selector 16 asks for the emoji form of a text-style pictograph: two columns.
      if (cp === 0xfe0f && last.width === 1 && pictographic(last.base)) {
        last.text += ch;
        last.width = 2;
        continue;
      }
      // A ZWJ sequence (family, profession emoji) draws as one glyph.
      if (joining) {
        last.text += ch;
        joining = false;
        continue;
      }
      if (cp === 0x200d && last.width === 2 && pictographic(last.base)) {
        last.text += ch;
        joining = true;
        continue;
      }
      if (isSkinTone(cp) && last.width === 2 && pictographic(last.base)) {
        last.text += ch;
        continue;
      }
      // Two regional indicators are one flag.
      if (isRegional(cp) && flagOpen && isRegional(last.base)) {
        last.text += ch;
        flagOpen = false;
        continue;
      }
    }
    const width = codePointWidth(cp);
    if (width === 0 && last) {
      last.text += ch;
      continue;
    }
    last = { text: ch, width, base: cp, ansi: false };
    flagOpen = isRegional(cp);
    out.push(last);
  }
  return out;
}

/** The columns `s` takes on a terminal; colour codes take none. */
export function displayWidth(s: string): number {
  if (PLAIN.test(s)) return s.length;
  let w = 0;
  for (const u of units(s)) w += u.width;
  return w;
}

/** `s` without colour codes. */
export function stripAnsi(s: string): string {
  return s.includes('\x1b')
    ? units(s)
        .filter((u) => !u.ansi)
        .map((u) => u.text)
        .join('')
    : s;
}

/**
 * `s` cut to at most `max` columns, `…` marking the cut: at the end, or at the start (`from: 'start'`),
 * for text whose end says most (a project folder). Colour codes are kept, and closed if cut off.
 */
export function truncate(s: string, max: number, from: 'end' | 'start' = 'end'): string {
  if (displayWidth(s) <= max) return s;
  if (max <= 0) return '';
  const all = units(s);
  const seq = from === 'end' ? all : [...all].reverse();
  const kept: Unit[] = [];
  let w = 0;
  for (const u of seq) {
    if (u.ansi) {
      kept.push(u);
      continue;
    }
    if (w + u.width > max - 1) break;
    kept.push(u);
    w += u.width;
  }
  if (from === 'start') kept.reverse();
  const body = kept.map((u) => u.text).join('');
  const coloured = kept.some((u) => u.ansi);
  return from === 'end' ? body + (coloured ? '\x1b[0m' : '') + '…' : '…' + body;
}

/**
 * Pieces of `word` none wider than `width` columns, for a word that fits no line: cut after the last
 * `/ : - _ , .` that leaves a piece at least half full, else at the width.
 */
const BREAK = /^[/:_,.-]$/;

function chop(word: string, width: number): string[] {
  const pieces: string[] = [];
  let cur: Unit[] = [];
  let w = 0;
  for (const u of units(word)) {
    if (w + u.width > width && w > 0) {
      let cut = cur.length;
      for (let j = cur.length, pw = w; j > 0 && pw > width / 2; j--) {
        // pw: the width of cur[0, j)
        if (BREAK.test(cur[j - 1]!.text)) {
          cut = j;
          break;
        }
        pw -= cur[j - 1]!.width;
      }
      pieces.push(
        cur
          .slice(0, cut)
          .map((x) => x.text)
          .join(''),
      );
      cur = cur.slice(cut);
      w = cur.reduce((a, x) => a + x.width, 0);
    }
    cur.push(u);
    w += u.width;
  }
  if (cur.length > 0) pieces.push(cur.map((x) => x.text).join(''));
  return pieces;
}

/**
 * One line of text as lines of at most `width` columns, broken at spaces; the lines after the first
 * start with `indent` spaces (a hanging indent under the text a label introduced). Runs of spaces
 * inside a line (alignment) are kept where no break falls.
 */
export function wrap(line: string, width: number, indent = 0): string[] {
  if (!Number.isFinite(width) || displayWidth(line) <= width) return [line];
  const hang = Math.max(0, Math.min(indent, width - 10));
  const pad = ' '.repeat(hang);
  const lead = /^ */.exec(line)![0];
  const parts = line.slice(lead.length).split(/( +)/);
  const lines: string[] = [];
  let cur = lead;
  let curW = lead.length;
  let atStart = true; // nothing but indentation on `cur` yet
  for (let k = 0; k < parts.length; k += 2) {
    const word = parts[k]!;
    if (word === '') continue;
    const sep = atStart ? '' : (parts[k - 1] ?? '');
    const ww = displayWidth(word);
    if (curW + sep.length + ww <= width) {
      cur += sep + word;
      curW += sep.length + ww;
      atStart = false;
      continue;
    }
    if (!atStart) {
      lines.push(cur);
      cur = pad;
      curW = hang;
    }
    const pieces = chop(word, Math.max(1, width - Math.max(curW, hang)));
    for (const p of pieces.slice(0, -1)) {
      lines.push(cur + p);
      cur = pad;
      curW = hang;
    }
    const rest = pieces.at(-1) ?? '';
    cur += rest;
    curW += displayWidth(rest);
    atStart = false;
  }
  if (!atStart) lines.push(cur);
  return lines;
}

/**
 * The terminal width output should fit: `COLUMNS` when set (the user said so, and it reaches a pipe
 * too), else the terminal's own, else none (a file or a pipe keeps whole lines). Never under 20.
 */
export function columnsFor(
  stream: { isTTY?: boolean; columns?: number },
  env: Readonly<Record<string, string | undefined>>,
): number {
  const fromEnv = /^\d+$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : 0;
  const cols = fromEnv > 0 ? fromEnv : stream.isTTY && stream.columns ? stream.columns : Infinity;
  return Math.max(20, cols);
}
