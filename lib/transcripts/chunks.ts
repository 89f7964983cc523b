import type { LineRecord, UsageRecord, parseLine } from './line.ts';
import { headHash, readChunk, HEAD_BYTES, LINE_MARKERS } from './fileBytes.ts';

export type LineParser = typeof parseLine;

/** What one read of a file gives: its records, ready to store, and where the next read starts. */
export interface ParsedChunk {
  offset: number;
  nextOffset: number;
  /** Collapsed: one record per response key (see `collapse`). */
  records: LineRecord[];
  /** Malformed and oversized lines skipped in this chunk. */
  bad: number;
  /** The identifying hash of the file's head as of this chunk (see fileBytes.ts HEAD_BYTES). */
  head: string;
  /** The last chunk the file has now: what follows `nextOffset` is at most a partial line. */
  last: boolean;
}

/**
 * Reads and parses a file from `from` to `size`, a chunk at a time. Pure with respect to state: the
 * caller decides what to store, so the import can run this on another thread. Stops early, with
 * nothing more yielded, when only a partial line is left.
 */
export function* parseChunks(
  fd: number,
  path: string,
  from: number,
  size: number,
  head: string | null,
  parse: LineParser,
  timeZone: () => string,
): Generator<ParsedChunk> {
  let offset = from;
  for (let guard = 0; guard < 1_000_000 && offset < size; guard++) {
    const chunk = readChunk(fd, offset, size, LINE_MARKERS);
    if (chunk.nextOffset === offset) return; // only a partial line is left
    const records: LineRecord[] = [];
    let bad = chunk.oversized;
    let lineNo = 0;
    for (const text of chunk.lines) {
      lineNo++;
      if (text.length === 0) continue;
      const r = parse(text, { fallbackKey: `${path}@${offset}#${lineNo}`, timeZone, latin1: true });
      if (r === 'skip') continue;
      if (r === 'bad') {
        bad++;
        continue;
      }
      for (const rec of r) records.push(rec);
    }
    // The identifying head is fixed once the file is past HEAD_BYTES; hash it only until then.
    if (offset < HEAD_BYTES || head === null) head = headHash(fd, chunk.nextOffset);
    yield { offset, nextOffset: chunk.nextOffset, records: collapse(records), bad, head, last: chunk.atEnd };
    offset = chunk.nextOffset;
  }
}

const usageTotal = (r: UsageRecord): number => r.input + r.output + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead;

/**
 * One response is written as one line per content block: collapse repeats within a chunk before
 * SQL sees them, by the same rule the table applies (first copy stands unless a later one is larger).
 */
export function collapse(records: LineRecord[]): LineRecord[] {
  const firstAt = new Map<string, number>();
  const out: LineRecord[] = [];
  for (const r of records) {
    if (r.kind !== 'usage') {
      out.push(r);
      continue;
    }
    const at = firstAt.get(r.key);
    if (at === undefined) {
      firstAt.set(r.key, out.length);
      out.push(r);
    } else if (usageTotal(r) > usageTotal(out[at] as UsageRecord)) {
      out[at] = r;
    }
  }
  return out;
}
