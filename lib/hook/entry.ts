import { readStdinBounded, salvage } from './stdin.ts';
import { leaseAllows, parseFastInput } from './fast.ts';
import { appendJournal } from './journal.ts';
import { join } from 'node:path';
import { resolvePaths } from '../util/paths.ts';
import type { HookEvent } from '../policy/types.ts';

/**
 * The whole life of a hook process: stdin in, verdict out, always exit 0 (a ccguard failure must
 * never block Claude Code). Tool-call hooks first try the session's lease (lib/hook/lease.ts);
 * everything else, and any call the lease does not cover, loads the full check.
 */
export async function hookEntry(event: HookEvent): Promise<void> {
  process.exitCode = 0;
  if (process.env.CCGUARD_DISABLE === '1') return;
  let stdout: string;
  try {
    const started = performance.now();
    const { text: raw, truncated } = readStdinBounded();
    const text = truncated ? salvage(raw) : raw;
    if (event === 'PreToolUse' || event === 'PostToolUse') {
      const input = parseFastInput(text);
      const paths = resolvePaths(process.env);
      const state = input
        ? leaseAllows(paths.stateDir, paths.userConfigFile, input.session_id, Date.now(), input.transcript_path)
        : null;
      if (input && state !== null) {
        try {
          appendJournal(paths.stateDir, {
            ts: Date.now(),
            session_id: input.session_id,
            hook: event,
            tool: input.tool_name,
            duration_ms: Math.round((performance.now() - started) * 100) / 100,
            ...(state !== 'normal' ? { state } : {}),
          });
        } catch {
          // the journal is a record, not a gate
        }
        return;
      }
    }
    // The built hook is CommonJS and so is the full check (dist/full/main.cjs): loading it like
    // `require` keeps Node's ES module loader (its start, and compiling as modules) out of every full check,
    // and V8's code cache (codeCache.ts) saves compiling it. From source (tsx) it is imported.
    if (typeof require === 'function') {
      // Required here, not imported above: the fast path never loads node:vm.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild's lazy require in the bundle
      const { cacheFileFor, requireCached } = require('./codeCache.ts') as typeof import('./codeCache.ts');
      const paths = resolvePaths(process.env);
      const full = requireCached<typeof import('./fullCheck.ts')>(
        join(__dirname, '..', 'full', 'main.cjs'),
        cacheFileFor(paths.stateDir),
      );
      stdout = await full.exports.runFull(event, text);
      full.save();
    } else {
      stdout = await (await import('./fullCheck.ts')).runFull(event, text);
    }
  } catch {
    // runHook fails open on its own; this guards against anything escaping it.
    stdout = '';
  }
  if (stdout) process.stdout.write(stdout + '\n');
}
