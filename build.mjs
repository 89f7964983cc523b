// Bundles each hook entrypoint and the CLI into dist/ as plain ESM JavaScript.
// Bundling matters for speed: a hook pays Node's module resolution on every tool call,
// and one pre-resolved file loads measurably faster than a tree of node_modules imports.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const hookEntries = readdirSync('hooks')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join('hooks', f));

rmSync('dist', { recursive: true, force: true });

const common = {
  outbase: '.',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Native addon and a package that ships its own helper binaries stay outside the bundle.
  external: ['better-sqlite3', 'node-notifier'],
  banner: {
    js: "import { createRequire as __ccgCreateRequire } from 'node:module'; const require = __ccgCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [...hookEntries, 'lib/cli/main.ts', 'lib/notify/worker.ts', 'lib/monitor/refresh.ts'],
  outdir: 'dist',
});

// `ccguard status` alone: built apart so that everything it always needs lands in one file (shared
// chunks are made per build, and the hooks would otherwise split its graph into a dozen); what it
// needs only sometimes (the line parser, when there is something new to read) stays a chunk.
await build({
  ...common,
  entryPoints: ['lib/cli/statusMain.ts'],
  outdir: 'dist/status',
});
