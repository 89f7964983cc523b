#!/usr/bin/env node
// `status` and `import` have bundles of their own (fewer files to load); everything else goes through
// the full CLI.
const bundles = new Map([
  ['status', '../dist/status/lib/cli/statusMain.js'],
  ['import', '../dist/import/lib/cli/importMain.js'],
]);
await import(bundles.get(process.argv[2]) ?? '../dist/lib/cli/main.js');
