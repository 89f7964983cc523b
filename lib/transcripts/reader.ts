import { closeSync, openSync, readSync } from 'node:fs';
import { crypto } from '../util/builtins.ts';

/**
 * Byte strings one of which stands in every line that can yield a record. Claude Code writes API
 * errors and limit messages as synthetic assistant lines that carry a (zero) usage, and retries as
 * `"subtype":"api_error"` system lines; a JSON-escaped `\"usage\"` inside a tool result does not match.
 */
export const LINE_MARKERS: readonly Buffer[] = ['"usage"', '"api_error"'].map((m) => Buffer.from(m));

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
}

const CHUNK = 8 * 1024 * 1024;
let shared: Buffer | null = null;
/** One read buffer for the whole import: a fresh 8 MB per chunk costs page faults on every read. */
function chunkBuffer(): Buffer {
  shared ??= Buffer.allocUnsafe(CHUNK);
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
    if (lastNl >= 0) {
      return { lines: markedLines(data, lastNl, markers), nextOffset: start + lastNl + 1, oversized };
    }
    if (start + got >= size) return { lines: [], nextOffset: start, oversized };
    // No newline in the whole window: a very long line. Grow the window, up to MAX_LINE.
    if (want >= MAX_LINE) {
      const skipTo = skipPastNewline(fd, start + got, size);
      if (skipTo === null) return { lines: [], nextOffset: start, oversized };
      oversized++;
      start = skipTo;
      want = Math.min(CHUNK, size - start);
      continue;
    }
    want = Math.min(want * 4, MAX_LINE, size - start);
  }
  return { lines: [], nextOffset: start, oversized };
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
