#!/usr/bin/env node
// CommonJS (bin/package.json): `ccguard status`, run again and again, loads its CommonJS bundle with
// `require` and never starts Node's ES module loader. `import` has a bundle of its own too (fewer files
// to load); everything else goes through the full CLI.
const command = process.argv[2];
if (command === 'status') {
  require('../dist/status/main.cjs')
    .statusMain(process.argv.slice(2), process.env)
    .then((code) => {
      process.exitCode = code;
    });
} else {
  void import(command === 'import' ? '../dist/import/lib/cli/importMain.js' : '../dist/lib/cli/main.js');
}
