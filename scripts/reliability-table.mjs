// The README's Reliability table, from the figures the reliability tests wrote as they ran
// (bench/out/reliability/<suite>.json, one per test file): merges them into
// bench/out/reliability.json, prints the Markdown table, and puts it between the README's
// `<!-- reliability:start -->` and `<!-- reliability:end -->` markers (added at the end if absent).
//
//   node build.mjs && node scripts/run-tests.mjs test/reliability/*.test.ts && node scripts/reliability-table.mjs
//   node scripts/reliability-table.mjs --no-readme     # print and write the JSON only
import { existsSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(REPO, 'bench', 'out', 'reliability');
const OUT = join(REPO, 'bench', 'out', 'reliability.json');
const README = join(REPO, 'README.md');
const START = '<!-- reliability:start -->';
const END = '<!-- reliability:end -->';
const AREAS = ['Load', 'Faults', 'Bad input', 'Config', 'Security'];
/** The suites the tests write; a missing one is named under the table rather than silently left out. */
const SUITES = ['soak', 'faults-db', 'faults-transcripts', 'bad-input', 'config', 'privacy'];

function load() {
  if (!existsSync(DIR)) throw new Error(`no figures in ${DIR}: run the reliability tests first`);
  const docs = readdirSync(DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => JSON.parse(readFileSync(join(DIR, n), 'utf8')));
  if (docs.length === 0) throw new Error(`no figures in ${DIR}: run the reliability tests first`);
  const figures = docs
    .flatMap((d) => d.figures.map((f) => ({ suite: d.suite, updated: d.updated, ...f })))
    .sort(
      (a, b) =>
        AREAS.indexOf(a.area) - AREAS.indexOf(b.area) ||
        SUITES.indexOf(a.suite) - SUITES.indexOf(b.suite) ||
        Number(a.run === 'long') - Number(b.run === 'long'),
    );
  const updated = docs.map((d) => d.updated).sort();
  return {
    generated: new Date().toISOString(),
    machine: docs.at(-1).machine,
    runs: { from: updated[0], to: updated.at(-1) },
    missing: SUITES.filter((s) => !docs.some((d) => d.suite === s)),
    figures,
  };
}

const int = (n) => (n === null || n === undefined ? '–' : String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ','));
const ms = (n) =>
  n === null || n === undefined
    ? '–'
    : n >= 1000
      ? `${(n / 1000).toFixed(2).replace(/\.?0+$/, '')} s`
      : `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function table(doc) {
  const rows = [
    '| Area | What was tried | Cases | Processes | Hook calls | Faults | Hook latency median / max | Result: what held |',
    '|---|---|--:|--:|--:|--:|--:|---|',
  ];
  for (const f of doc.figures) {
    const lat = f.medianMs === null ? '–' : `${ms(f.medianMs)} / ${ms(f.maxMs)}`;
    rows.push(
      `| ${cell(f.area)} | ${cell(f.case)}${f.run === 'long' ? ' (`CCGUARD_SOAK=long`)' : ''} | ${int(f.cases)} | ${int(f.processes)} | ${int(f.calls)} | ${int(f.faults)} | ${lat} | ${f.result === 'held' ? '**held**: ' : '**FAILED**: '}${cell(f.held.replace(/^FAILED: /, ''))} |`,
    );
  }
  const sum = (k) => doc.figures.reduce((a, f) => a + (f[k] ?? 0), 0);
  const failed = doc.figures.filter((f) => f.result !== 'held').length;
  rows.push(
    `| **All** | ${doc.figures.length} cases | ${int(sum('cases'))} | ${int(sum('processes'))} | ${int(sum('calls'))} | ${int(sum('faults'))} | | ${failed === 0 ? '**all held**' : `**${failed} failed**`} |`,
  );
  const m = doc.machine ?? {};
  const lines = [
    rows.join('\n'),
    '',
    `Produced by the test run, not by hand: \`node build.mjs && node scripts/run-tests.mjs test/reliability/*.test.ts && node scripts/reliability-table.mjs\` ` +
      `(each test writes its figures to \`bench/out/reliability/\`; this table is made from them). ` +
      `${m.cpus ?? '?'} × ${m.cpu ?? '?'}, Node ${m.node ?? '?'}, ${m.platform ?? '?'}; run ${String(doc.runs.to).slice(0, 10)}. ` +
      `Latency is each hook's wall time from spawn to exit (in-process rows: the call alone). ` +
      `\`CCGUARD_SOAK=long\` runs the load case 10× and the generated cases 4–8× longer.`,
  ];
  if (doc.missing.length > 0) lines.push('', `Not in this run: ${doc.missing.join(', ')}.`);
  return lines.join('\n');
}

function writeReadme(md) {
  const text = existsSync(README) ? readFileSync(README, 'utf8') : '';
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next =
    a !== -1 && b > a
      ? `${text.slice(0, a + START.length)}\n${md}\n${text.slice(b)}`
      : `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}\n${START}\n${md}\n${END}\n`;
  const tmp = `${README}.${process.pid}.tmp`;
  writeFileSync(tmp, next);
  renameSync(tmp, README);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = load();
  writeFileSync(OUT, JSON.stringify(doc, null, 2) + '\n');
  const md = table(doc);
  process.stdout.write(md + '\n');
  if (!process.argv.includes('--no-readme')) {
    writeReadme(md);
    process.stderr.write(`README.md: reliability table updated (${doc.figures.length} cases)\n`);
  }
}
