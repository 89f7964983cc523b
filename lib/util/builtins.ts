import { createRequire } from 'node:module';

// Node built-ins that are not in its start-up snapshot (crypto, child_process) cost a process
// milliseconds to load. A status or a hook with nothing to do never needs them, so the modules that
// use them only now and then ask for them here, at the moment of use.
const load = createRequire(import.meta.url);

export const crypto = (): typeof import('node:crypto') => load('node:crypto') as typeof import('node:crypto');
export const childProcess = (): typeof import('node:child_process') =>
  load('node:child_process') as typeof import('node:child_process');
