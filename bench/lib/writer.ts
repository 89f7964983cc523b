// Buffered, streaming JSONL writer: lines are collected up to ~1 MiB and then written, so a
// multi-gigabyte history never sits in memory.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const FLUSH_AT = 1 << 20;

export class LineWriter {
  private fh: FileHandle | undefined;
  private chunks: (string | Buffer)[] = [];
  private pending = 0;
  /** Bytes written to disk so far (exact, after flush). */
  bytes = 0;
  /** Characters/bytes queued since the last flush (approximate byte count for budgeting). */
  approx = 0;
  lines = 0;

  private constructor(readonly path: string) {}

  static async create(path: string): Promise<LineWriter> {
    await mkdir(dirname(path), { recursive: true });
    const w = new LineWriter(path);
    w.fh = await open(path, 'w');
    return w;
  }

  /** Queues a complete line (a newline is appended). */
  async line(s: string): Promise<void> {
    this.chunks.push(s, '\n');
    this.pending += s.length + 1;
    this.approx += s.length + 1;
    this.lines++;
    if (this.pending >= FLUSH_AT) await this.flush();
  }

  /** Queues raw bytes or text exactly as given (no newline added). */
  async raw(data: string | Buffer, countsAsLine: boolean): Promise<void> {
    this.chunks.push(data);
    this.pending += data.length;
    this.approx += data.length;
    if (countsAsLine) this.lines++;
    if (this.pending >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunks.length === 0 || !this.fh) return;
    const bufs: Buffer[] = [];
    let run: string[] = [];
    for (const c of this.chunks) {
      if (typeof c === 'string') run.push(c);
      else {
        if (run.length > 0) bufs.push(Buffer.from(run.join(''), 'utf8'));
        run = [];
        bufs.push(c);
      }
    }
    if (run.length > 0) bufs.push(Buffer.from(run.join(''), 'utf8'));
    const buf = bufs.length === 1 && bufs[0] ? bufs[0] : Buffer.concat(bufs);
    this.chunks = [];
    this.pending = 0;
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    this.bytes += buf.length;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh?.close();
    this.fh = undefined;
  }
}
