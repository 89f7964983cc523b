// `ccguard install --scope project`, then the real Claude Code CLI: the hooks it wrote run.
import { removeTree } from '../helpers/tmp.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../helpers/mockApi.ts';
import { claudeMissingReason, describeRun, runClaude } from '../helpers/claude.ts';
import { ccguard } from '../helpers/cli.ts';

const missing = claudeMissingReason();

test('install --scope project, then claude -p: events show PreToolUse, PostToolUse and Stop for the session', { timeout: 120_000 }, async (t) => {
  if (missing) return t.skip(missing);
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard install e2e-')));
  t.after(() => removeTree(root));
  const home = join(root, 'home with space');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
  const env = { HOME: home };
  const inst = ccguard(['install', '--scope', 'project', '--project-dir', project], env);
  assert.equal(inst.code, 0, inst.stderr);
  assert.match(inst.stdout, /ccguard doctor/);
  const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.json'), 'utf8')) as { hooks: Record<string, unknown>; statusLine?: { command: string } };
  assert.equal(Object.keys(settings.hooks).length, 9);
  assert.ok(settings.hooks.Notification, 'the Notification hook');
  assert.match(settings.statusLine?.command ?? '', /statusline --ccguard$/, 'the status line, by default');

  const marker = join(root, 'marker');
  const api = await start({ toolUse: { name: 'Bash', input: { command: `touch '${marker}'`, description: 'touch' } }, text: 'done' });
  t.after(() => api.close());
  const run = await runClaude({ cwd: project, home, prompt: 'touch the marker', baseUrl: api.url, maxRetries: 0 });
  assert.equal(run.exitCode, 0, describeRun(run));
  assert.ok(existsSync(marker));
  const sid = run.json!.session_id!;
  const ev = JSON.parse(ccguard(['events', '--json', '--session', sid], env).stdout) as { hook: string; tool: string | null; session_id: string }[];
  const hooks = ev.map((e) => e.hook);
  for (const h of ['PreToolUse', 'PostToolUse', 'Stop']) assert.ok(hooks.includes(h), `${h} in ${hooks.join(', ')}`);
  assert.ok(ev.every((e) => e.session_id === sid));
  assert.equal(ev.find((e) => e.hook === 'PreToolUse')?.tool, 'Bash');

  const un = ccguard(['uninstall', '--scope', 'project', '--project-dir', project], env);
  assert.equal(un.code, 0, un.stderr);
  assert.equal(existsSync(join(project, '.claude', 'settings.json')), false, 'install created the file, uninstall removes it');
});
