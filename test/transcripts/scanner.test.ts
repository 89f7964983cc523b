import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpDir } from '../helpers/tmp.ts';
import fc from 'fast-check';
import { LINE_MARKERS, markedLines, scannedLines, wasmScanner, type Scanner } from '../../lib/transcripts/fileBytes.ts';
import { generateHistory } from '../../bench/generate.ts';
import { walkTranscripts } from '../../lib/transcripts/discover.ts';

function scanner(): Scanner {
  const sc = wasmScanner();
  assert.ok(sc, 'WebAssembly SIMD is available on Node 20');
  return sc;
}

/** Both ways over the same bytes: the scanner's lines and Buffer.indexOf's. */
function both(data: Buffer, end = data.lastIndexOf(0x0a)): { wasm: string[]; indexOf: string[] } {
  const sc = scanner();
  assert.ok(data.length <= sc.input.length);
  data.copy(sc.input, 0);
  // Whatever lies past the end (an earlier chunk's bytes) must not count: fill it with markers.
  sc.input.fill('"usage""api_error"', data.length, Math.min(sc.input.length, data.length + 4096));
  return { wasm: scannedLines(sc, end), indexOf: markedLines(sc.input, end, LINE_MARKERS) };
}

test('the committed scanner is what scanner.wat compiles to', () => {
  const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the scanner finds the same lines as Buffer.indexOf in a generated history', async (t) => {
  const root = tmpDir(t, 'ccguard-scan-');
  await generateHistory({ root, targetBytes: 2_000_000, seed: 3, start: new Date('2026-09-01T00:00:00Z'), days: 2 });
  let lines = 0;
  for (const f of walkTranscripts([root])) {
    const { wasm, indexOf } = both(readFileSync(f.path));
    assert.deepEqual(wasm, indexOf, f.path);
    lines += wasm.length;
  }
  assert.ok(lines > 300, `lines found: ${lines}`);
});

test('the scanner agrees at the edges: chunk ends, lines of many markers, more matches than one call holds', () => {
  const cases: [string, Buffer][] = [
    ['marker at the very start', Buffer.from('"usage"\nplain\n')],
    ['marker ending exactly at the end', Buffer.from('x\n{"a":"usage"\n')],
    ['marker cut by the end', Buffer.from('x\n"usa\nge"\n', 'latin1')],
    ['api_error at the end', Buffer.from('{"subtype":"api_error"}\n"api_error"\n')],
    ['overlaps', Buffer.from('"usage"usage"usage"\n"api_error"api_error"\n""usage""\n')],
    ['near misses', Buffer.from('"usagE" "usag" usage "Usage" "api-error" "api_erro" _usage_\n')],
    [
      'high bytes',
      Buffer.concat([Buffer.from([0xff, 0x75, 0xc3, 0xa9]), Buffer.from('"usage"\n'), Buffer.from([0x80, 0x22, 0x0a])]),
    ],
    ['no newline at all', Buffer.from('"usage"')],
    ['one line of 40,000 markers', Buffer.from('"usage"'.repeat(40_000) + '\n')],
    ['40,000 lines of one marker', Buffer.from('{"usage":1}\n'.repeat(40_000))],
    ['markers and plain lines interleaved', Buffer.from('a\n"api_error"\nb\n"usage"\n'.repeat(20_000))],
  ];
  for (const [name, data] of cases) {
    const { wasm, indexOf } = both(data);
    assert.deepEqual(wasm, indexOf, name);
  }
  // Every place a chunk can end (at a newline: the scan works 16 bytes at a time, ends fall anywhere).
  const data = Buffer.from('{"x":"usage"}\n"api_error"\n"usage""usage"\n\n"api_error""usage"\n\n\n\n"usage"\n');
  for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, end + 1)) {
    const { wasm, indexOf } = both(data, end);
    assert.deepEqual(wasm, indexOf, `end ${end}`);
  }
});

test('the scanner agrees with Buffer.indexOf on arbitrary bytes built from marker fragments', () => {
  const piece = fc.constantFrom(
    '"usage"',
    '"api_error"',
    '"usa',
    'ge"',
    '"api_',
    'error"',
    'u',
    'g',
    '_',
    'r',
    '"',
    '\n',
    '\n',
    'é',
    ' ',
    '{"k":',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), (pieces, noise) => {
      const data = Buffer.concat([Buffer.from(pieces.join('')), Buffer.from(noise), Buffer.from('\n')]);
      const { wasm, indexOf } = both(data);
      assert.deepEqual(wasm, indexOf);
    }),
    { numRuns: 2000, seed: 42 },
  );
});
