// A separate writer process for the soak test: appends to the given transcripts every few ms until the
// stop file appears, completes its cut lines, and prints how many responses it wrote.
//   node --import tsx test/helpers/soakWriterProc.ts STOPFILE SEED TAG PATH=SESSION...
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TranscriptWriter, rng } from './soakWriter.ts';

const [stop, seed, tag, ...specs] = process.argv.slice(2);
if (!stop || !seed || !tag || specs.length === 0) throw new Error('usage: STOPFILE SEED TAG PATH=SESSION...');
const files = specs.map((s) => {
  const i = s.lastIndexOf('=');
  return { path: s.slice(0, i), session: s.slice(i + 1) };
});
const w = new TranscriptWriter(files, rng(Number(seed)), tag);
while (!existsSync(stop)) {
  w.step(Date.now() - 30_000);
  await sleep(Number(process.env.SOAK_WRITE_EVERY_MS ?? 25));
}
w.finish();
process.stdout.write(JSON.stringify({ responses: w.responses, lines: w.lines, partials: w.partials }) + '\n');
