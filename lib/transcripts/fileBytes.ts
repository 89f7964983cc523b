import { closeSync, openSync, readSync } from 'node:fs';
import { crypto } from '../util/builtins.ts';
import { SCANNER_WASM } from './scannerWasm.ts';
import { RECORD_MARKERS } from './markers.ts';

/** RECORD_MARKERS as bytes: one of them stands in every line that can yield a record. */
export const LINE_MARKERS: readonly Buffer[] = RECORD_MARKERS.map((m) => Buffer.from(m));

/** How much of a file's start identifies it: a file replaced by another differs here. */
export const HEAD_BYTES = 4096;

export function headHash(fd: number, upTo: number): string {
  const len = Math.min(HEAD_BYTES, upTo);
  const buf = Buffer.allocUnsafe(len);
  const n = len > 0 ? readSync(fd, buf, 0, len, 0) : 0;
  return crypto().createHash('sha1').update(buf.subarray(0, n)).digest('hex');
}

export interface Chunk {
  /**
   * The complete lines that contain a marker, without their newline, decoded as latin1 (one char per
   * byte); every other line is passed over undecoded.
   */
  lines: string[];
  /** Where the next read starts: just past the last complete line. */
  nextOffset: number;
  /** Lines longer than the reader will hold, skipped whole. */
  oversized: number;
  /** The read reached the end of the file (its size as given, or where it really ends if shorter). */
  atEnd: boolean;
}

const CHUNK = 8 * 1024 * 1024;

/**
 * The marker scan in WebAssembly (scanner.wat), with its memory: found positions at OUT, the read
 * buffer at IN, then padding the scan may read past the end. One per thread, made on first use.
 */
export interface Scanner {
  /** The read buffer: CHUNK bytes of the scanner's memory. */
  input: Buffer;
  scan: (start: number, end: number, out: number, cap: number) => number;
  memory: WasmMemory;
}
// The few WebAssembly names used here (this project's TypeScript libs declare none).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const OUT = 0;
const OUT_CAP = 16 * 1024;
const IN = OUT_CAP * 4;
const PAD = 64;
let scanner: Scanner | null | undefined;

export function wasmScanner(): Scanner | null {
  if (scanner !== undefined) return scanner;
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) throw new Error('no WebAssembly');
    const inst = new wasm.Instance(new wasm.Module(Buffer.from(SCANNER_WASM, 'base64')), {});
    const memory = inst.exports.memory as WasmMemory;
    const need = Math.ceil((IN + CHUNK + PAD) / 65536);
    if (memory.buffer.byteLength < need * 65536) memory.grow(need - memory.buffer.byteLength / 65536);
    const scan = inst.exports.scan as Scanner['scan'];
    scanner = { input: Buffer.from(memory.buffer, IN, CHUNK), scan, memory };
  } catch {
    scanner = null; // no WebAssembly SIMD here: Buffer.indexOf does the same, more slowly
  }
  return scanner;
}

let shared: Buffer | null = null;
/** One read buffer for the whole import: a fresh 8 MB per chunk costs page faults on every read. */
function chunkBuffer(): Buffer {
  shared ??= wasmScanner()?.input ?? Buffer.allocUnsafe(CHUNK);
  return shared;
}
/** A longer line is skipped: no transcript record worth counting is this large. */
export const MAX_LINE = 64 * 1024 * 1024;

/**
 * Reads complete lines from `offset` on, about CHUNK bytes at a time. A partial last line (the writer
 * is mid-line) is left for the next read.
 */
export function readChunk(fd: number, offset: number, size: number, markers: readonly Buffer[]): Chunk {
  let want = Math.min(CHUNK, size - offset);
  let oversized = 0;
  let start = offset;
  while (want > 0) {
    const buf = want <= CHUNK ? chunkBuffer() : Buffer.allocUnsafe(want);
    const got = readSync(fd, buf, 0, want, start);
    const data = buf.subarray(0, got);
    const lastNl = data.lastIndexOf(0x0a);
    // Fewer bytes than asked: the file is shorter than its size said (cut since it was looked at).
    const atEnd = start + got >= size || got < want;
    if (lastNl >= 0) {
      const sc = buf === scanner?.input && markers === LINE_MARKERS ? scanner : null;
      const lines = sc ? scannedLines(sc, lastNl) : markedLines(data, lastNl, markers);
      return { lines, nextOffset: start + lastNl + 1, oversized, atEnd };
    }
    if (atEnd) return { lines: [], nextOffset: start, oversized, atEnd };
    // No newline in the whole window: a very long line. Grow the window, up to MAX_LINE.
    if (want >= MAX_LINE) {
      const skipTo = skipPastNewline(fd, start + got, size);
      if (skipTo === null) return { lines: [], nextOffset: start, oversized, atEnd: true };
      oversized++;
      start = skipTo;
      want = Math.min(CHUNK, size - start);
      continue;
    }
    want = Math.min(want * 4, MAX_LINE, size - start);
  }
  return { lines: [], nextOffset: start, oversized, atEnd: true };
}

/**
 * The lines of `buf[0, end)` that contain any marker, decoded as latin1; the rest are never turned into strings.
 * Most of a transcript's bytes are prompts and tool output that carry no usage: searching the raw
 * bytes for the few markers a record needs is several times faster than decoding and splitting it all.
 */
export function markedLines(buf: Buffer, end: number, markers: readonly Buffer[]): string[] {
  const starts = new Set<number>();
  const spans: [number, number][] = [];
  for (const m of markers) {
    let pos = buf.indexOf(m, 0);
    while (pos !== -1 && pos < end) {
      const s = buf.lastIndexOf(0x0a, pos) + 1;
      let e = buf.indexOf(0x0a, pos);
      if (e === -1 || e > end) e = end;
      if (!starts.has(s)) {
        starts.add(s);
        spans.push([s, e]);
      }
      pos = buf.indexOf(m, e + 1);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  // latin1: a plain byte copy into a one-byte string (see ParseContext.latin1 for how it is read).
  return spans.map(([s, e]) => buf.toString('latin1', s, e));
}

/** markedLines for LINE_MARKERS, with the scanner: the same lines, found in one pass. */
export function scannedLines(sc: Scanner, end: number): string[] {
  const buf = sc.input;
  const lines: string[] = [];
  let lineEnd = -1;
  let from = IN;
  for (;;) {
    const n = sc.scan(from, IN + end, OUT, OUT_CAP);
    // Positions come in order: one past the current line's end starts a new line.
    const found = new Int32Array(sc.memory.buffer, OUT, n);
    for (let k = 0; k < n; k++) {
      const pos = found[k]! - IN;
      if (pos < lineEnd) continue;
      const s = buf.lastIndexOf(0x0a, pos) + 1;
      let e = buf.indexOf(0x0a, pos);
      if (e === -1 || e > end) e = end;
      lines.push(buf.toString('latin1', s, e));
      lineEnd = e;
    }
    if (n < OUT_CAP) return lines;
    from = found[n - 1]! + 1;
  }
}

function skipPastNewline(fd: number, from: number, size: number): number | null {
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let pos = from;
  while (pos < size) {
    const got = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (got <= 0) return null;
    const nl = buf.subarray(0, got).indexOf(0x0a);
    if (nl >= 0) return pos + nl + 1;
    pos += got;
  }
  return null;
}

export function withFd<T>(path: string, fn: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}
