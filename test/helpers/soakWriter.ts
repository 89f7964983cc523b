// Appends Claude Code-shaped lines to live transcripts the way Claude Code does while hooks read them:
// a user line, then one assistant line per content block of each response (same id and usage), with
// some lines written in two pieces so readers meet a partial last line.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assistantLine, userLine } from './lines.ts';

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LiveFile {
  path: string;
  session: string;
}

export class TranscriptWriter {
  private readonly pending = new Map<string, string>();
  private n = 0;
  responses = 0;
  lines = 0;
  partials = 0;

  constructor(
    readonly files: readonly LiveFile[],
    private readonly rand: () => number,
    private readonly tag: string,
  ) {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, '', { flag: 'a' });
    }
  }

  /** One write: the rest of a cut line, or a new exchange (maybe cut). `ts` dates the response. */
  step(ts: number): void {
    const f = this.files[Math.floor(this.rand() * this.files.length)]!;
    const rest = this.pending.get(f.path);
    if (rest !== undefined) {
      appendFileSync(f.path, rest);
      this.pending.delete(f.path);
      return;
    }
    const id = `msg_${this.tag}_${this.n++}`;
    const a = assistantLine({
      ts,
      msgId: id,
      session: f.session,
      input: 1 + Math.floor(this.rand() * 500),
      output: 1 + Math.floor(this.rand() * 300),
      cacheWrite: Math.floor(this.rand() * 2000),
      cacheRead: Math.floor(this.rand() * 9000),
      model: this.rand() < 0.2 ? 'claude-opus-4-5-20251101' : 'claude-sonnet-4-5-20250929',
    });
    const text = [userLine(ts - 1000, `please go on (${id})`, f.session), a, a].join('\n') + '\n';
    this.responses++;
    this.lines += 3;
    if (this.rand() < 0.35) {
      const cut = text.length - 1 - Math.floor(this.rand() * Math.min(a.length, text.length - 1));
      appendFileSync(f.path, text.slice(0, cut));
      this.pending.set(f.path, text.slice(cut));
      this.partials++;
    } else {
      appendFileSync(f.path, text);
    }
  }

  /** Completes every cut line. */
  finish(): void {
    for (const [p, rest] of this.pending) appendFileSync(p, rest);
    this.pending.clear();
  }
}
