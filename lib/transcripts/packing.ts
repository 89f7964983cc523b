import type { LineRecord, UsageRecord } from './line.ts';
import type { ParsedChunk } from './chunks.ts';

/**
 * A parsed chunk as it crosses from a reading thread to the one that stores it. Usage records,
 * nearly all of them, travel as one Float64Array and one joined string: structured-cloning them as
 * objects cost the storing thread several times as much. The rest (API errors,
 * limit messages, a usage record with the separator in a string) travel as they are.
 */
export interface PackedChunk {
  offset: number;
  nextOffset: number;
  bad: number;
  head: string;
  last: boolean;
  nums: Float64Array<ArrayBuffer>;
  strs: string;
  others: LineRecord[];
}

const SEP = '\n';
const PER = 7; // ts, input, output, cacheWrite5m, cacheWrite1h, cacheRead, null flags
const NO_SESSION = 1;
const NO_CWD = 2;

const packable = (r: UsageRecord): boolean =>
  !r.key.includes(SEP) &&
  !r.model.includes(SEP) &&
  (r.sessionId === null || !r.sessionId.includes(SEP)) &&
  (r.cwd === null || !r.cwd.includes(SEP));

export function packChunk(c: ParsedChunk): PackedChunk {
  const usage: UsageRecord[] = [];
  const others: LineRecord[] = [];
  for (const r of c.records) {
    if (r.kind === 'usage' && packable(r)) usage.push(r);
    else others.push(r);
  }
  const nums = new Float64Array(usage.length * PER);
  const strs: string[] = [];
  let i = 0;
  for (const r of usage) {
    nums[i++] = r.ts;
    nums[i++] = r.input;
    nums[i++] = r.output;
    nums[i++] = r.cacheWrite5m;
    nums[i++] = r.cacheWrite1h;
    nums[i++] = r.cacheRead;
    nums[i++] = (r.sessionId === null ? NO_SESSION : 0) | (r.cwd === null ? NO_CWD : 0);
    strs.push(r.key, r.sessionId ?? '', r.cwd ?? '', r.model);
  }
  return {
    offset: c.offset,
    nextOffset: c.nextOffset,
    bad: c.bad,
    head: c.head,
    last: c.last,
    nums,
    strs: strs.join(SEP),
    others,
  };
}

export function unpackChunk(p: PackedChunk): ParsedChunk {
  const records: LineRecord[] = [];
  const n = p.nums.length / PER;
  const s = n > 0 ? p.strs.split(SEP) : [];
  for (let k = 0; k < n; k++) {
    const at = k * PER;
    const flags = p.nums[at + 6]!;
    records.push({
      kind: 'usage',
      key: s[k * 4]!,
      ts: p.nums[at]!,
      sessionId: flags & NO_SESSION ? null : s[k * 4 + 1]!,
      cwd: flags & NO_CWD ? null : s[k * 4 + 2]!,
      model: s[k * 4 + 3]!,
      input: p.nums[at + 1]!,
      output: p.nums[at + 2]!,
      cacheWrite5m: p.nums[at + 3]!,
      cacheWrite1h: p.nums[at + 4]!,
      cacheRead: p.nums[at + 5]!,
    });
  }
  for (const r of p.others) records.push(r);
  return { offset: p.offset, nextOffset: p.nextOffset, bad: p.bad, head: p.head, last: p.last, records };
}
