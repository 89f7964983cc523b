import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonText, toValue } from '../../lib/settings/jsonText.ts';
import { SettingsError } from '../../lib/settings/errors.ts';

const F = '/home/u/.claude/settings.json';

const SAMPLES = [
  '',
  '\n',
  '{}',
  '{}\n',
  '{\n  "a": 1\n}\n',
  '{\n\t"a": [1, 2.50, -0.0e+1],\n\t"b": "\\u00e9\\n"\n}',
  '\ufeff{ "x" : { "y" : [ ] } }\r\n',
  '{"compact":true,"list":[1,{"k":null}]}',
];

test('an unedited document gives its text back byte for byte', () => {
  for (const s of SAMPLES) assert.equal(new JsonText(s, F).text, s, JSON.stringify(s));
});

test('values read as JSON.parse reads them, keys in source order even when they look like integers', () => {
  const doc = new JsonText('{"b": 1, "10": [true, false, null], "a": {"__proto__": "x"}, "c": 2}', F);
  const v = toValue(doc.root!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(v).sort(), ['10', 'a', 'b', 'c']);
  assert.deepEqual(v['10'], [true, false, null]);
  assert.equal(Object.getPrototypeOf(v.a), Object.prototype);
  assert.equal((v.a as Record<string, unknown>)['__proto__'], 'x');
  assert.equal(
    (toValue(new JsonText('{"b": 1, "b": 2}', F).root!) as Record<string, unknown>).b,
    2,
    'a repeated key keeps its last value',
  );
  // JSON.parse would have moved "10" first; an edit must not.
  doc.set(['d'], 3);
  assert.deepEqual(Object.keys(JSON.parse(doc.text) as object).sort(), ['10', 'a', 'b', 'c', 'd']);
  assert.deepEqual(
    doc.text
      .split('\n')
      .filter((l) => /^ {2}"/.test(l))
      .map((l) => l.trim().split(':')[0]),
    ['"b"', '"10"', '"a"', '"c"', '"d"'],
  );
});

test('agrees with JSON.parse on values', () => {
  const samples = [
    { a: [1, 2, { b: 'c\u2028"\\' }], n: -1.5e-7, t: true, z: null, e: {}, l: [] },
    [1, 'two', [3]],
    'just a string',
    42,
  ];
  for (const v of samples) {
    for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2), JSON.stringify(v, null, '\t')]) {
      assert.deepEqual(toValue(new JsonText(text, F).root!), JSON.parse(text));
    }
  }
});

test("an edit changes only the lines it touches, with the file's indent; removing it gives the bytes back", () => {
  const text = '{\n    "keep": [1,2,3],\n    "list": [\n        "a"\n    ]\n}\n';
  const doc = new JsonText(text, F);
  doc.set(['list', -1], 'b');
  assert.equal(doc.text, '{\n    "keep": [1,2,3],\n    "list": [\n        "a",\n        "b"\n    ]\n}\n');
  doc.remove(['list', 1]);
  assert.equal(doc.text, text);
  doc.remove(['list']);
  assert.equal(doc.text, '{\n    "keep": [1,2,3]\n}\n');
});

test('indentation and line ends: tabs, two and four spaces, two by default; CRLF stays CRLF', () => {
  const added = (text: string): string => {
    const doc = new JsonText(text, F);
    doc.set(['n'], { m: 1 });
    return doc.text;
  };
  assert.equal(added('{\n\t"a": 1\n}'), '{\n\t"a": 1,\n\t"n": {\n\t\t"m": 1\n\t}\n}');
  assert.equal(added('{\n    "a": 1\n}'), '{\n    "a": 1,\n    "n": {\n        "m": 1\n    }\n}');
  assert.equal(added('{\n  "a": 1\n}'), '{\n  "a": 1,\n  "n": {\n    "m": 1\n  }\n}');
  assert.equal(added('{}'), '{\n  "n": {\n    "m": 1\n  }\n}');
  assert.equal(added('{\r\n  "a": 1\r\n}\r\n'), '{\r\n  "a": 1,\r\n  "n": {\r\n    "m": 1\r\n  }\r\n}\r\n');
  assert.equal(
    added('\ufeff{\n  "a": 1\n}\n'),
    '\ufeff{\n  "a": 1,\n  "n": {\n    "m": 1\n  }\n}\n',
    'a byte-order mark stays in front',
  );
});

test('removal takes out the item and its comma only, and an emptied container becomes {} or []', () => {
  // jsonc-parser's own removal turns [1, 2] into [12] and leaves "{\n}": these are done by hand.
  const doc = new JsonText('{"a": [1, 2], "b": {"c": 1, "d": 2}}', F);
  doc.remove(['a', 1]);
  assert.equal(doc.text, '{"a": [1], "b": {"c": 1, "d": 2}}');
  doc.remove(['b', 'c']);
  assert.equal(doc.text, '{"a": [1], "b": {"d": 2}}');
  doc.remove(['a', 0]);
  doc.remove(['b', 'd']);
  assert.equal(doc.text, '{"a": [], "b": {}}');
  doc.remove(['a']);
  doc.remove(['b']);
  assert.equal(doc.text, '{}');
  const nested = new JsonText('{\n  "hooks": {\n    "Stop": []\n  }\n}\n', F);
  nested.remove(['hooks', 'Stop']);
  assert.equal(nested.text, '{\n  "hooks": {}\n}\n');
});

test('an empty (or blank) file becomes an empty object ending in a line break', () => {
  for (const [text, want] of [
    ['', '{}\n'],
    ['\n', '{}\n'],
    ['\ufeff', '\ufeff{}\n'],
  ] as const) {
    const doc = new JsonText(text, F);
    assert.equal(doc.root, undefined);
    doc.startObject();
    assert.equal(doc.text, want, JSON.stringify(text));
  }
});

test('not JSON (comments and trailing commas included): one line with the file, the problem, its line and column', () => {
  const cases: [string, string][] = [
    ['{\n  "a": 1,\n}', 'unexpected "}" where a quoted key should be at line 3:1'],
    ['{\n  "a": ["x",]\n}', 'unexpected "]" where a value should start at line 2:13'],
    ['{\n  "a": 1\n  "b": 2\n}', 'unexpected "\\"" where "," should be at line 3:3'],
    ['{"a": tru}', 'unexpected "t" at line 1:7'],
    ['{"a": 1} x', 'unexpected "x" at line 1:10'],
    ['{"a": 1}\n{}', 'unexpected "{" after the end of the JSON value at line 2:1'],
    ['{"a": "b', 'unterminated string at line 1:7'],
    ['{"a": [1, 2}', 'unexpected "}" where "," should be at line 1:12'],
    ['// comment\n{}', 'unexpected "/" (a comment: settings files are plain JSON) at line 1:1'],
    ['{"a": /* c */ 1}', 'unexpected "/" (a comment: settings files are plain JSON) at line 1:7'],
    ['{"a": 01}', 'unexpected "1" where "," should be at line 1:8'],
    ['{"a" 1}', 'unexpected "1" where ":" should be at line 1:6'],
    ['{"a": "\\x"}', 'bad escape in a string at line 1:7'],
    ['{"a": 1.}', 'bad number at line 1:7'],
    ['{', 'unexpected end of file where "}" should be at line 1:2'],
  ];
  for (const [text, detail] of cases) {
    assert.throws(
      () => new JsonText(text, F),
      (e: unknown) =>
        e instanceof SettingsError && e.message === `${F} is not valid JSON: ${detail}; left it untouched`,
      JSON.stringify(text),
    );
    assert.throws(() => JSON.parse(text), SyntaxError, 'the built-in parser agrees it is not JSON');
  }
  assert.throws(
    () => new JsonText('['.repeat(100_000), F),
    (e: unknown) => e instanceof SettingsError && /nested too deeply/.test(e.message),
  );
});

test('a key written twice on the way to an edit is refused: Claude Code reads the last, an edit would change the first', () => {
  const doc = new JsonText('{"hooks": {}, "model": "x", "hooks": {"Stop": []}}', F);
  assert.throws(
    () => doc.at(['hooks', 'Stop']),
    (e: unknown) => e instanceof SettingsError && e.message.includes('"hooks" appears twice in the top level'),
  );
  assert.throws(() => doc.set(['hooks', 'Stop'], []), SettingsError);
  assert.equal(doc.at(['model'])?.value, 'x', 'keys written once read as usual');
});
