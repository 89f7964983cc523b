// The README's example outputs, produced by the program: builds a fixed week of history (the report
// tests' generator), runs the commands a user would, and puts each output between the README's
// `<!-- example:NAME -->` and `<!-- /example:NAME -->` markers. The clock of every process is pinned
// (scripts/fixedClock.mjs), so clock times are the same on every run; the temporary home shows as `~`
// and this clone as `/path/to/ccguard`. `--check` exits 1 when the README differs from what the
// program prints now, apart from timings in ms (test/readme.test.ts runs it).
//
//   node --import tsx scripts/readme-examples.ts          # rewrite the README's examples
//   node --import tsx scripts/readme-examples.ts --check  # compare only
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const README = join(REPO, 'README.md');
const CLOCK = join(REPO, 'scripts', 'fixedClock.mjs');
/** Monday 2026-11-23, 14:20 UTC: the examples' "now". */
const FIXED_NOW = Date.UTC(2026, 10, 23, 14, 20);
const check = process.argv.includes('--check');

if (process.env.CCGUARD_FIXED_NOW === undefined) {
  // This process too must see the pinned clock: the history is laid out relative to its "now".
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      pathToFileURL(CLOCK).href,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, CCGUARD_FIXED_NOW: String(FIXED_NOW), TZ: 'UTC' },
    },
  );
  process.exit(r.status ?? 1);
}

const { makeHistory } = await import('../test/helpers/history.ts');
const { ccguard } = await import('../test/helpers/cli.ts');
const { renderPriceTable } = await import('../lib/transcripts/prices.ts');

const h = makeHistory();
let clock = FIXED_NOW;
/** Each command runs a few seconds after the one before, as a person would type them. */
const at = (): Record<string, string> => {
  clock += 3_000;
  return { NODE_OPTIONS: `--import ${pathToFileURL(CLOCK).href}`, CCGUARD_FIXED_NOW: String(clock) };
};
const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...h.env.env,
  COLUMNS: '160',
  ...at(),
  ...extra,
});
const show = (text: string): string =>
  text
    .replaceAll(h.env.home, '~')
    .replaceAll(REPO.replace(/\/$/, ''), '/path/to/ccguard')
    .replaceAll(process.execPath, 'node')
    .trimEnd();
const run = (argv: string[], input?: string, extra: Record<string, string> = {}): string => {
  const r = ccguard(argv, env(extra), input);
  if (r.code !== 0 && r.code !== 1) throw new Error(`ccguard ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  return show(r.stdout);
};
const cmd = (argv: string[], input?: string): string => `$ ccguard ${argv.join(' ')}\n${run(argv, input)}`;

const examples: Record<string, string> = {};
try {
  examples.install = run(['install']);
  const cur = h.currentSessions[0]!;
  const sec = Math.floor(clock / 1000);
  // The server's figures as Claude Code's status line hands them over: 97% of the 5-hour window with
  // 3.9 h to go, 41% of the week.
  examples.statusline = run(
    ['statusline'],
    JSON.stringify({
      session_id: cur,
      rate_limits: {
        five_hour: { used_percentage: 97, resets_at: sec + 14_040 },
        seven_day: { used_percentage: 41, resets_at: sec + 3 * 86_400 },
      },
    }),
  );
  h.env.run('PreToolUse', h.env.input('PreToolUse', cur, { tool_name: 'Bash' }), at());
  examples.status = run(['status']);
  examples.events = run(['events', '--limit', '4']);
  examples.resume = [cmd(['pause', '--minutes', '30']), cmd(['resume'])].join('\n');
  examples.alert = [cmd(['alert', 'rate_limit']), cmd(['alert', 'cost'])].join('\n');
  examples.doctor = run(['doctor']);
  examples.report = run(['report', 'blocks', '--since', '2026-11-22']);
  examples.prices = renderPriceTable();
} finally {
  h.cleanup();
}

const text = readFileSync(README, 'utf8');
let next = text;
const missing: string[] = [];
for (const [name, body] of Object.entries(examples)) {
  const re = new RegExp(`(<!-- example:${name} -->\\n)[\\s\\S]*?(\\n<!-- /example:${name} -->)`);
  if (!re.test(next)) {
    missing.push(name);
    continue;
  }
  const block = name === 'prices' ? body : '```\n' + body + '\n```';
  next = next.replace(re, (_m, a: string, b: string) => `${a}${block}${b}`);
}
if (missing.length > 0) {
  console.error(`README.md has no markers for: ${missing.join(', ')}`);
  process.exit(1);
}
/** Timings change run to run: "in 64 ms", "median 9.7 ms", "last ran 1s ago". */
const steady = (s: string): string => s.replace(/\d+(\.\d+)? ms\b/g, '# ms').replace(/\b\d+s (ago|old)\b/g, '#s $1');
if (check) {
  if (steady(next) !== steady(text)) {
    const a = steady(text).split('\n');
    const b = steady(next).split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    console.error(
      `README.md examples differ from the program's output (line ${i + 1}):\n  README:  ${a[i]}\n  program: ${b[i]}\nrun: node --import tsx scripts/readme-examples.ts`,
    );
    process.exit(1);
  }
  console.log('README.md examples match the program');
} else {
  writeFileSync(README, next);
  console.log(`README.md: ${Object.keys(examples).length} examples written`);
}
