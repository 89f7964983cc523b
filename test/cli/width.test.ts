// Display width and fitting text to a terminal (lib/cli/width.ts, lib/cli/format.ts): no line may be
// wider than asked, measured as a terminal draws it (wide characters two columns, colour codes none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codePointWidth, columnsFor, displayWidth, stripAnsi, truncate, wrap } from '../../lib/cli/width.ts';
import { fitLine, table } from '../../lib/cli/format.ts';

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
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.integer({ min: 1, max: 30 }),
      fc.boolean(),
      (s, w, start) => {
        assert.ok(displayWidth(truncate(s, w, start ? 'start' : 'end')) <= w);
      },
    ),
    { numRuns: 2000, seed: 13 },
  );
});

/** Words made of narrow and wide characters and emoji. */
const word = fc
  .array(fc.constantFrom('a', 'b', 'z', '1', '-', '/', '日', '本', 'ｶ', '한', '😀', '🇯🇵', 'é', ':'), {
    minLength: 1,
    maxLength: 50,
  })
  .map((xs) => xs.join(''));

test('wrap: no line wider than asked; the words come back in order; continuation lines hang', () => {
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 20, max: 120 }),
      fc.integer({ min: 0, max: 30 }),
      (words, width, indent) => {
        const line = words.join(' ');
        const lines = wrap(line, width, indent);
        for (const l of lines) assert.ok(displayWidth(l) <= width, `${JSON.stringify(l)} wider than ${width}`);
        assert.equal(lines.join('').replaceAll(' ', ''), words.join(''), 'nothing lost or reordered');
        const hang = Math.min(indent, width - 10);
        for (const l of lines.slice(1)) assert.ok(l.startsWith(' '.repeat(hang)));
      },
    ),
    { numRuns: 1500, seed: 7 },
  );
  assert.deepEqual(wrap('Recovery      held until 09:00 (a reason that is long)', 30, 14), [
    'Recovery      held until 09:00',
    '              (a reason that',
    '              is long)',
  ]);
  assert.deepEqual(wrap('fits as is', 30, 4), ['fits as is']);
  assert.deepEqual(
    wrap('server:limit_line:seven_day', 20, 0),
    ['server:limit_line:', 'seven_day'],
    'a long word is cut after punctuation',
  );
});

test('fitLine hangs a status line under the text its label introduces', () => {
  const lines = fitLine('  tokens   input 71,209 · output 49,125 · cache write 169,571 · cache read 4,469,836', 40);
  assert.ok(lines.length > 1);
  for (const l of lines.slice(1)) assert.match(l, /^ {11}\S/);
  for (const l of lines) assert.ok(displayWidth(l) <= 40);
  assert.deepEqual(fitLine('short line', 40), ['short line']);
  assert.deepEqual(fitLine('x'.repeat(100), Infinity), ['x'.repeat(100)], 'no width: left whole');
});

test('table: fits its width by two-line headers, shrinking columns, or one record a row', () => {
  const header = ['session', 'project', 'started', 'cache write', 'cost', 'models'];
  const rows = [
    [
      'f3e1c0de',
      '-home-dev-src-開発-プロジェクト',
      '2026-12-06 00:36',
      '169,571',
      '$1.66',
      'claude-opus-4-5-20251101, claude-sonnet-4-5-20250929',
    ],
    ['a9b8c7d6', '-work-app', '2026-12-06 01:46', '1,571', '$0.52', 'claude-haiku-4-5-20251001'],
  ];
  const wide = table(header, rows, { right: new Set([3, 4]), shrink: { 1: 'start', 5: 'wrap' } });
  // Unbounded: one line a row, the project column as wide as its widest cell in display columns (31).
  assert.equal(
    wide.split('\n')[0],
    `session   project${' '.repeat(31 - 7)}  started           cache write   cost  models`,
  );
  assert.equal(wide.split('\n').length, 5);
  for (const width of [20, 40, 60, 80, 100, 140]) {
    const t = table(header, rows, { right: new Set([3, 4]), shrink: { 1: 'start', 5: 'wrap' }, width, indent: '  ' });
    for (const l of t.trimEnd().split('\n'))
      assert.ok(displayWidth(l) <= Math.max(width, 30), `${width}: ${JSON.stringify(l)}`);
    // Every cost is still there, whatever the layout.
    assert.match(t, /\$1\.66/);
    assert.match(t, /\$0\.52/);
  }
  const narrow = table(header, rows, { width: 40 });
  assert.match(narrow, /^f3e1c0de\n {2}project\b/m, 'too narrow for columns: one record a row');
  fc.assert(
    fc.property(
      fc.array(fc.array(word, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 30, max: 160 }),
      (cells, width) => {
        const t = table(['a', 'bb long', 'c', 'd d'], cells, { shrink: { 1: 'start', 3: 'wrap' }, width });
        for (const l of t.trimEnd().split('\n')) assert.ok(displayWidth(l) <= width, `${width}: ${JSON.stringify(l)}`);
      },
    ),
    { numRuns: 500, seed: 3 },
  );
});

test('columnsFor: COLUMNS when set, else the terminal, else no limit', () => {
  assert.equal(columnsFor({ isTTY: false }, { COLUMNS: '60' }), 60);
  assert.equal(columnsFor({ isTTY: true, columns: 100 }, { COLUMNS: '60' }), 60);
  assert.equal(columnsFor({ isTTY: true, columns: 100 }, {}), 100);
  assert.equal(columnsFor({ isTTY: false }, {}), Infinity);
  assert.equal(columnsFor({ isTTY: false }, { COLUMNS: 'wide' }), Infinity);
  assert.equal(columnsFor({ isTTY: false }, { COLUMNS: '5' }), 20, 'never under 20');
});
