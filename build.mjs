// Bundles each hook entrypoint and the CLI into dist/ as plain ESM JavaScript.
// Bundling matters for speed: a hook pays Node's module resolution on every tool call,
// and one pre-resolved file loads measurably faster than a tree of node_modules imports.
import { build } from 'esbuild';
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// better-sqlite3 is an optional dependency: npm drops it when its addon cannot be built (no headers
// for this Node offline, no compiler), and the store then runs on node:sqlite. Its JavaScript is
// bundled when it is installed; when it is not, `require('better-sqlite3')` is left for run time,
// where it fails and the store takes node:sqlite.
const sqliteExternal = existsSync(join('node_modules', 'better-sqlite3', 'package.json')) ? [] : ['better-sqlite3'];
if (sqliteExternal.length > 0)
  console.warn('build: better-sqlite3 is not installed; the store will use node:sqlite (Node 22.16 or newer)');

const hookEntries = readdirSync('hooks')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join('hooks', f));

// Built beside dist/ and swapped in at the end: hooks of a live install run from dist/ on every tool
// call, and a build that emptied it first (npm's prepare runs this) made them fail while it ran.
const OUT = `dist.next-${process.pid}`;
rmSync(OUT, { recursive: true, force: true });

const common = {
  outbase: '.',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // better-sqlite3's JavaScript is bundled (lib/store/driver.ts says why) and its compiled addon loaded by
  // path; `bindings` (its fallback addon finder) and node-notifier (which ships helper binaries) stay out,
  // and so does node:sqlite (the store's fallback, asked of the running Node only when needed).
  external: ['bindings', 'node-notifier', 'node:sqlite', ...sqliteExternal],
  // jsonc-parser's "main" is a UMD build whose require('./impl/...') calls esbuild cannot follow (they
  // would run against dist/ and fail): its ES module build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  banner: {
    js: "import { createRequire as __ccgCreateRequire } from 'node:module'; const require = __ccgCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  // Linked maps cost the hooks nothing (Node reads them only under --enable-source-maps) and let
  // coverage of the built hooks, which the tests run as processes, count against lib/. They stay out
  // of the packed tarball (package.json "files").
  sourcemap: 'linked',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['lib/cli/main.ts', 'lib/notify/worker.ts', 'lib/monitor/refresh.ts', 'lib/usage/usageApiRefresh.ts'],
  outdir: OUT,
});

// The CommonJS bundles: the hooks, their full check and `ccguard status`.
const cjs = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  // Libraries needed only sometimes (validating a changed config, a detached refresh) load from
  // node_modules when first asked for, rather than being compiled into every run.
  external: [
    'bindings',
    'node-notifier',
    'node:sqlite',
    ...sqliteExternal,
    'zod',
    'yaml',
    'execa',
    'jsonc-parser',
    'diff',
  ],
  sourcemap: 'linked',
  define: { 'import.meta.url': '__ccgModuleUrl' },
  banner: { js: "const __ccgModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  logLevel: 'warning',
};

// The hooks' full check built apart, as one CommonJS file (dist/full/main.cjs) that the hook loads
// like `require`: Node's ES module loader (its start, and compiling the entry and its chunks as
// modules) cost the full check more, and what it needs only sometimes (the line parser) costs
// next to nothing bundled in, since V8 compiles a function only when it first runs.
await build({ ...cjs, entryPoints: { main: 'lib/hook/fullCheck.ts' }, outdir: join(OUT, 'full') });

// Each hook as one CommonJS file holding the fast path and nothing else; the full check
// (dist/full/main.cjs) is required only when the lease does not answer. On the fast path an ESM
// entry and the chunks it imports cost more than one CommonJS file, which costs next to nothing over
// `node -e 0` (the benchmark's fast-path rows hold the figures).
const fullCheckExternal = {
  name: 'full-check-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/fullCheck\.ts$/ }, (a) =>
      a.importer.endsWith(join('lib', 'hook', 'entry.ts')) ? { path: '../full/main.cjs', external: true } : undefined,
    );
  },
};
await build({
  ...cjs,
  outExtension: {},
  entryPoints: hookEntries,
  outdir: join(OUT, 'hooks'),
  plugins: [fullCheckExternal],
});
// package.json says "type": "module"; the hooks' folder says otherwise for its own files.
writeFileSync(join(OUT, 'hooks', 'package.json'), '{ "type": "commonjs" }\n');

// `ccguard status` alone, as two CommonJS files bin/ccguard.js requires (Node's ES module loader would
// add its own start-up): dist/status/main.cjs holds the snapshot path, all a status with nothing
// new runs; dist/status/full.cjs the full command, required only when the snapshot does not answer.
await build({
  ...cjs,
  entryPoints: { main: 'lib/cli/statusMain.ts' },
  outdir: join(OUT, 'status'),
  plugins: [
    {
      name: 'status-full-external',
      setup(b) {
        b.onResolve({ filter: /^\.\/statusFull\.ts$/ }, () => ({ path: './full.cjs', external: true }));
      },
    },
  ],
});
await build({ ...cjs, entryPoints: { full: 'lib/cli/statusFull.ts' }, outdir: join(OUT, 'status') });

// `ccguard import` built apart for the same reason; its reading thread as one file with nothing
// shared, so that it loads only the reader (28 KB) before it can start.
await build({
  ...common,
  entryPoints: ['lib/cli/importMain.ts'],
  outdir: join(OUT, 'import'),
});
await build({
  ...common,
  splitting: false,
  entryPoints: ['lib/transcripts/parseWorker.ts'],
  outdir: join(OUT, 'import'),
});

// The documented defaults, validated once here: with no user config, a first run reads this JSON
// instead of loading the YAML parser and zod (lib/config/cached.ts checks it still matches config.yaml).
{
  const tmp = join(OUT, '.defaults-build.mjs');
  await build({
    stdin: {
      contents:
        "import { loadConfig } from './lib/config/load.ts';\n" +
        "import { prebuiltDefaultsJson } from './lib/config/cached.ts';\n" +
        "import { readFileSync, writeFileSync } from 'node:fs';\n" +
        "const loaded = loadConfig('/nonexistent/ccguard-user-config.yaml', 'config.yaml');\n" +
        `writeFileSync(${JSON.stringify(join(OUT, 'config.defaults.json'))}, prebuiltDefaultsJson(readFileSync('config.yaml', 'utf8'), loaded.config));\n`,
      resolveDir: '.',
      loader: 'ts',
    },
    outfile: tmp,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: common.banner,
    logLevel: 'warning',
  });
  await import(pathToFileURL(join(process.cwd(), tmp)).href);
  rmSync(tmp, { force: true });
}

// The swap: two renames, so dist/ is missing for a moment only, never half written.
const old = `dist.old-${process.pid}`;
if (existsSync('dist')) renameSync('dist', old);
renameSync(OUT, 'dist');
rmSync(old, { recursive: true, force: true });
