import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectIndent, getKey, parseDoc, printDoc, pushItem, setKey, deleteKey, toValue, JsonSyntaxError, type JArray, type JObject } from '../../lib/settings/json.ts';

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

test('an unedited document prints back byte for byte', () => {
  for (const s of SAMPLES) assert.equal(printDoc(parseDoc(s)), s, JSON.stringify(s));
});

test('values read as JSON.parse reads them, keys in source order even when they look like integers', () => {
  const doc = parseDoc('{"b": 1, "10": [true, false, null], "a": {"__proto__": "x"}, "b": 2}');
  const v = toValue(doc.root!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(v).sort(), ['10', 'a', 'b']);
  assert.equal(v.b, 2, 'a repeated key keeps its last value');
  assert.deepEqual(v['10'], [true, false, null]);
  assert.equal(Object.getPrototypeOf(v.a), Object.prototype);
  assert.equal((v.a as Record<string, unknown>)['__proto__'], 'x');
  // JSON.parse would have moved "10" first; an edit must not.
  setKey(doc.root as JObject, 'c', 3);
  assert.deepEqual(
    printDoc(doc).split('\n').map((l) => l.trim().split(':')[0]),
    ['{', '"b"', '"10"', '"a"', '"b"', '"c"', '}'],
  );
});

test('an edit re-lays out only the containers on its path, with the file\'s indent', () => {
  const text = '{\n    "keep": [1,2,3],\n    "list": [\n        "a"\n    ]\n}\n';
  const doc = parseDoc(text);
  assert.equal(doc.indent, '    ');
  pushItem(getKey(doc.root as JObject, 'list') as JArray, 'b');
  assert.equal(printDoc(doc), '{\n    "keep": [1,2,3],\n    "list": [\n        "a",\n        "b"\n    ]\n}\n');
  deleteKey(doc.root as JObject, 'list');
  assert.equal(printDoc(doc), '{\n    "keep": [1,2,3]\n}\n');
});

test('indentation: tabs, two and four spaces, two by default', () => {
  assert.equal(detectIndent('{\n\t"a": 1\n}'), '\t');
  assert.equal(detectIndent('{\n  "a": 1\n}'), '  ');
  assert.equal(detectIndent('{\n    "a": 1\n}'), '    ');
  assert.equal(detectIndent('{"a": 1}'), '  ');
});

test('syntax errors carry the line and column of the offending character', () => {
  const cases: [string, number, number, RegExp][] = [
    ['{\n  "a": 1,\n}', 3, 1, /where a quoted key should be/],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, /"," or "}"/],
    ['{"a": tru}', 1, 7, /where a value should start/],
    ['{"a": 1} x', 1, 10, /after the end/],
    ['{"a": "b', 1, 7, /unterminated string/],
    ['{"a": [1, 2}', 1, 12, /"," or "]"/],
    ['// comment\n{}', 1, 1, /where a value should start/],
    ['{"a": 01}', 1, 8, /"," or "}"/],
  ];
  for (const [text, line, column, re] of cases) {
    assert.throws(
      () => parseDoc(text),
      (e: unknown) => e instanceof JsonSyntaxError && e.line === line && e.column === column && re.test(e.detail),
      JSON.stringify(text),
    );
    assert.throws(() => JSON.parse(text), SyntaxError, 'the built-in parser agrees it is not JSON');
  }
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
      assert.deepEqual(toValue(parseDoc(text).root!), JSON.parse(text));
    }
  }
});
