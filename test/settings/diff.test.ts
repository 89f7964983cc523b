import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../lib/settings/install.ts';

test('equal texts: no diff', () => {
  assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y'), '');
});

test('hunks with three lines of context, removals before additions, line numbers as diff -u prints them', () => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].join('\n') + '\n';
  const b = ['1', '2', '3', '4', 'five', '6', '7', '8', '9', '10', '11', '12', '13'].join('\n') + '\n';
  assert.equal(
    unifiedDiff(a, b, 'a/f', 'b/f'),
    [
      '--- a/f',
      '+++ b/f',
      '@@ -2,7 +2,7 @@',
      ' 2',
      ' 3',
      ' 4',
      '-5',
      '+five',
      ' 6',
      ' 7',
      ' 8',
      '@@ -10,3 +10,4 @@',
      ' 10',
      ' 11',
      ' 12',
      '+13',
      '',
    ].join('\n'),
  );
});

test('a new file diffs against nothing', () => {
  assert.equal(unifiedDiff('', '{\n}\n', '/dev/null', 'f'), '--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+{\n+}\n');
});

test("applying the diff's lines gives the new text back", () => {
  const a = Array.from({ length: 40 }, (_, i) => `line ${i}`);
  const b = [...a];
  b.splice(5, 2, 'x', 'y', 'z');
  b.splice(30, 0, 'inserted');
  b.pop();
  const d = unifiedDiff(a.join('\n') + '\n', b.join('\n') + '\n', 'a', 'b')
    .split('\n')
    .slice(2, -1);
  // Rebuild b from a and the hunks.
  const out: string[] = [];
  let ai = 0;
  for (const line of d) {
    const m = /^@@ -(\d+),(\d+) /.exec(line);
    if (m) {
      const start = Number(m[1]) - 1;
      while (ai < start) out.push(a[ai++]!);
      continue;
    }
    if (line.startsWith(' ')) {
      assert.equal(line.slice(1), a[ai]);
      out.push(a[ai++]!);
    } else if (line.startsWith('-')) {
      assert.equal(line.slice(1), a[ai]);
      ai++;
    } else if (line.startsWith('+')) out.push(line.slice(1));
  }
  while (ai < a.length) out.push(a[ai++]!);
  assert.deepEqual(out, b);
});
