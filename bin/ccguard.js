#!/usr/bin/env node
// `status` has a bundle of its own (one file to load); everything else goes through the full CLI.
await import(process.argv[2] === 'status' ? '../dist/status/lib/cli/statusMain.js' : '../dist/lib/cli/main.js');
