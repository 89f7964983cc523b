// Display width and fitting text to a terminal (lib/cli/width.ts): no line may be wider than asked,
// measured as a terminal draws it (wide characters two columns, colour codes none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codePointWidth, columnsFor, displayWidth, stripAnsi, truncate, wrap } from '../../lib/cli/width.ts';

test('displayWidth counts the columns a terminal draws', () => {
  const cases: [string, number][] = [
    ['', 0],
    ['abc', 3],
    ['日本語', 6], // CJK ideographs and kana: wide
    ['ｶﾀｶﾅ', 4], // halfwidth katakana: narrow
    ['ＡＢ', 4], // fullwidth Latin
    ['한국어', 6],
    ['😀', 2],
    ['👍🏽', 2], // emoji + skin tone: one glyph
    ['👨‍👩‍👧', 2], // ZWJ family: one glyph
    ['🇯🇵', 2], // two regional indicators: one flag
    ['❤', 1], // text-style pictograph...
    ['❤️', 2], // ...asked for as emoji (VS16)
    ['⌚', 2], // emoji presentation in the BMP
    ['e\u0301', 1], // combining acute accent
    ['a\u200bb', 2], // zero-width space
    ['\x1b[31mred\x1b[0m', 3], // colour codes
    ['─●→·∙…', 6], // box drawing and punctuation ccguard prints: narrow
    ['\u{20000}', 2], // CJK extension B
    ['tab\tx', 4], // a control character draws nothing
  ];
  for (const [s, w] of cases) assert.equal(displayWidth(s), w, JSON.stringify(s));
  assert.equal(codePointWidth(0x4e00), 2);
  assert.equal(codePointWidth(0x41), 1);
  assert.equal(codePointWidth(0x300), 0);
  assert.equal(stripAnsi('\x1b[1mbold\x1b[0m 日本'), 'bold 日本');
});

test('truncate cuts to the width with an ellipsis, at the end or the start, never splitting a wide character over it', () => {
  assert.equal(truncate('-home-dev-src-data-pipeline', 15, 'start'), '…-data-pipeline');
  assert.equal(truncate('-home-dev-src-data-pipeline', 15), '-home-dev-src-…');
  assert.equal(truncate('short', 15), 'short');
  assert.equal(truncate('日本語のテキスト', 7), '日本語…');
  assert.equal(displayWidth(truncate('日本語のテキスト', 8)), 7, 'a wide character that would overflow is left out');
  assert.equal(truncate('\x1b[32mgreen text\x1b[0m', 6), '\x1b[32mgreen\x1b[0m…', 'colour closed before the ellipsis');
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), (s, w, start) => {
      assert.ok(displayWidth(truncate(s, w, start ? 'start' : 'end')) <= w);
    }),
    { numRuns: 2000, seed: 13 },
  );
});

/** Words made of narrow and wide characters and emoji. */
const word = fc
  .array(fc.constantFrom('a', 'b', 'z', '1', '-', '/', '日', '本', 'ｶ', '한', '😀', '🇯🇵', 'é', ':'), { minLength: 1, maxLength: 50 })
  .map((xs) => xs.join(''));

test('wrap: no line wider than asked; the words come back in order; continuation lines hang', () => {
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 30 }), fc.integer({ min: 20, max: 120 }), fc.integer({ min: 0, max: 30 }), (words, width, indent) => {
      const line = words.join(' ');
      const lines = wrap(line, width, indent);
      for (const l of lines) assert.ok(displayWidth(l) <= width, `${JSON.stringify(l)} wider than ${width}`);
      assert.equal(lines.join('').replaceAll(' ', ''), words.join(''), 'nothing lost or reordered');
      const hang = Math.min(indent, width - 10);
      for (const l of lines.slice(1)) assert.ok(l.startsWith(' '.repeat(hang)));
    }),
    { numRuns: 1500, seed: 7 },
  );
  assert.deepEqual(wrap('Recovery      held until 09:00 (a reason that is long)', 30, 14), ['Recovery      held until 09:00', '              (a reason that', '              is long)']);
  assert.deepEqual(wrap('fits as is', 30, 4), ['fits as is']);
  assert.deepEqual(wrap('server:limit_line:seven_day', 20, 0), ['server:limit_line:', 'seven_day'], 'a long word is cut after punctuation');
});

test('columnsFor: COLUMNS when set, else the terminal, else no limit', () => {
  assert.equal(columnsFor({ isTTY: false }, { COLUMNS: '60' }), 60);
  assert.equal(columnsFor({ isTTY: true, columns: 100 }, { COLUMNS: '60' }), 60);
  assert.equal(columnsFor({ isTTY: true, columns: 100 }, {}), 100);
  assert.equal(columnsFor({ isTTY: false }, {}), Infinity);
  assert.equal(columnsFor({ isTTY: false }, { COLUMNS: 'wide' }), Infinity);
  assert.equal(columnsFor({ isTTY: false }, { COLUMNS: '5' }), 20, 'never under 20');
});
