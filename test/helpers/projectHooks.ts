import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli.ts';

const EVENTS: [string, string, boolean][] = [
  ['PreToolUse', 'pre-tool-use', true],
  ['PostToolUse', 'post-tool-use', true],
  ['UserPromptSubmit', 'user-prompt-submit', false],
  ['Stop', 'stop', false],
  ['StopFailure', 'stop-failure', false],
  ['SubagentStop', 'subagent-stop', false],
  ['SessionStart', 'session-start', false],
  ['SessionEnd', 'session-end', false],
];

const q = (s: string): string => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;

/** ccguard's built hooks in a project's .claude/settings.json, as an install would write them. */
export function writeProjectHooks(project: string, timeout = 120): void {
  const hooks: Record<string, unknown[]> = {};
  for (const [event, file, matcher] of EVENTS) {
    const h = { type: 'command', command: `${q(process.execPath)} ${q(join(REPO, 'dist', 'hooks', `${file}.js`))}`, timeout };
    hooks[event] = [matcher ? { matcher: '*', hooks: [h] } : { hooks: [h] }];
  }
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(join(project, '.claude', 'settings.json'), JSON.stringify({ hooks }, null, 2));
}
