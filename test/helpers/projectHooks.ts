import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli.ts';
import { HOOK_EVENTS } from '../../lib/policy/types.ts';
import { hookCommand, MATCHER_EVENTS } from '../../lib/settings/hookCommand.ts';

/**
 * ccguard's built hooks in a project's .claude/settings.json, with the commands install writes, for
 * tests that predate or bypass `ccguard install`.
 */
export function writeProjectHooks(project: string, timeout = 120): void {
  const hooks: Record<string, unknown[]> = {};
  for (const event of HOOK_EVENTS) {
    const h = { type: 'command', command: hookCommand(process.execPath, REPO, event), timeout };
    hooks[event] = [MATCHER_EVENTS.has(event) ? { matcher: '*', hooks: [h] } : { hooks: [h] }];
  }
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(join(project, '.claude', 'settings.json'), JSON.stringify({ hooks }, null, 2));
}
