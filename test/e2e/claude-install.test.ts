// `ccguard install --scope local`, then the real Claude Code CLI: the hooks it wrote run.
import { removeTree } from '../helpers/tmp.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../helpers/mockApi.ts';
import { claudeMissingReason, describeRun, runClaude } from '../helpers/claude.ts';
import { ccguard } from '../helpers/cli.ts';

const missing = claudeMissingReason();

test(
  'install --scope local, then claude -p: events show PreToolUse, PostToolUse and Stop for the session',
  { timeout: 120_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard install e2e-')));
    t.after(() => removeTree(root));
    const home = join(root, 'home with space');
    const project = join(root, 'project');
    mkdirSync(home);
    mkdirSync(project);
    const env = { HOME: home };
    const inst = ccguard(['install', '--scope', 'local', '--project-dir', project], env);
    assert.equal(inst.code, 0, inst.stderr);
    assert.match(inst.stdout, /^Check it with: .* doctor --project-dir /m);
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8')) as {
      hooks: Record<string, unknown>;
      statusLine?: { command: string };
    };
    assert.equal(Object.keys(settings.hooks).length, 9);
    assert.ok(settings.hooks.Notification, 'the Notification hook');
    assert.match(settings.statusLine?.command ?? '', /statusline --ccguard$/, 'the status line, by default');
    assert.deepEqual(
      readdirSync(join(project, '.claude')),
      ['settings.local.json'],
      'nothing else in the project: no settings.json, no backups',
    );

    const marker = join(root, 'marker');
    const api = await start({
      toolUse: { name: 'Bash', input: { command: `touch '${marker}'`, description: 'touch' } },
      text: 'done',
    });
    t.after(() => api.close());
    const run = await runClaude({ cwd: project, home, prompt: 'touch the marker', baseUrl: api.url, maxRetries: 0 });
    assert.equal(run.exitCode, 0, describeRun(run));
    assert.ok(existsSync(marker));
    const sid = run.json!.session_id!;
    const ev = JSON.parse(ccguard(['events', '--json', '--session', sid], env).stdout) as {
      hook: string;
      tool: string | null;
      session_id: string;
    }[];
    const hooks = ev.map((e) => e.hook);
    for (const h of ['PreToolUse', 'PostToolUse', 'Stop']) assert.ok(hooks.includes(h), `${h} in ${hooks.join(', ')}`);
    assert.ok(ev.every((e) => e.session_id === sid));
    assert.equal(ev.find((e) => e.hook === 'PreToolUse')?.tool, 'Bash');

    const un = ccguard(['uninstall', '--scope', 'local', '--project-dir', project], env);
    assert.equal(un.code, 0, un.stderr);
    assert.equal(
      existsSync(join(project, '.claude', 'settings.local.json')),
      false,
      'install created the file, uninstall removes it',
    );
  },
);

test(
  "a prompt held by a backoff past Claude Code's 30 s default for UserPromptSubmit: the timeout install wrote lets the hook finish",
  { timeout: 180_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard timeout e2e-')));
    t.after(() => removeTree(root));
    const home = join(root, 'home');
    const project = join(root, 'project');
    mkdirSync(join(home, '.claude', 'ccguard'), { recursive: true, mode: 0o700 });
    mkdirSync(project);
    // The backoff is fired by hand from a shell with the same API key as the session: the same account.
    const env = { HOME: home, ANTHROPIC_API_KEY: 'test' };
    // A backoff of 40 s, slept out (max_sleep_seconds 45) rather than denied: longer than the 30 s
    // Claude Code gives a UserPromptSubmit hook that names no timeout.
    writeFileSync(
      join(home, '.claude', 'ccguard', 'config.yaml'),
      'recovery:\n  max_sleep_seconds: 45\n  notification: false\n  backoff:\n    base_seconds: 40\n',
    );
    assert.equal(ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import'], env).code, 0);
    const settings = JSON.parse(readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8')) as {
      hooks: Record<string, { hooks: { timeout: number }[] }[]>;
    };
    assert.equal(settings.hooks.UserPromptSubmit![0]!.hooks[0]!.timeout, 75, '45 s + 30 s');

    const api = await start({ text: 'done' });
    t.after(() => api.close());
    assert.equal(ccguard(['alert', 'rate_limit'], env).code, 0);
    const run = await runClaude({
      cwd: project,
      home,
      prompt: 'hello',
      baseUrl: api.url,
      maxRetries: 0,
      timeoutMs: 150_000,
    });
    assert.equal(run.exitCode, 0, describeRun(run));
    const ev = JSON.parse(ccguard(['events', '--json', '--session', run.json!.session_id!], env).stdout) as {
      hook: string;
      decision: string;
      sleep_ms: number;
    }[];
    const prompt = ev.find((e) => e.hook === 'UserPromptSubmit');
    assert.equal(prompt?.decision, 'delay', JSON.stringify(ev));
    assert.ok(prompt.sleep_ms > 31_000, `slept ${prompt.sleep_ms} ms: past the 30 s default`);
    // Claude Code waited for the whole sleep: it did not stop the hook at 30 s.
    assert.ok(
      run.durationMs >= prompt.sleep_ms,
      `the run took ${run.durationMs} ms, the hook slept ${prompt.sleep_ms} ms`,
    );
  },
);

test(
  "install with CLAUDE_CONFIG_DIR set runs its hooks: it writes that folder's settings.json, which claude -p reads",
  { timeout: 120_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard config dir e2e-')));
    t.after(() => removeTree(root));
    const home = join(root, 'home');
    const configDir = join(root, 'account a');
    const project = join(root, 'project');
    mkdirSync(home);
    mkdirSync(project);
    const env = { HOME: home, CLAUDE_CONFIG_DIR: configDir };
    const inst = ccguard(['install', '--no-import'], env);
    assert.equal(inst.code, 0, inst.stderr);
    assert.ok(existsSync(join(configDir, 'settings.json')), inst.stdout);
    assert.equal(
      existsSync(join(home, '.claude', 'settings.json')),
      false,
      'not ~/.claude/settings.json, which Claude Code does not read with CLAUDE_CONFIG_DIR set',
    );
    const doctor = ccguard(['doctor', '--json'], env);
    const hooks = (
      JSON.parse(doctor.stdout) as { checks: { name: string; level: string; detail: string }[] }
    ).checks.filter((c) => c.name === 'hooks');
    assert.ok(hooks.length > 0 && hooks.every((c) => c.level !== 'fail'), JSON.stringify(hooks));

    const marker = join(root, 'marker');
    const api = await start({
      toolUse: { name: 'Bash', input: { command: `touch '${marker}'`, description: 'touch' } },
      text: 'done',
    });
    t.after(() => api.close());
    const run = await runClaude({
      cwd: project,
      home,
      configDir,
      prompt: 'touch the marker',
      baseUrl: api.url,
      maxRetries: 0,
    });
    assert.equal(run.exitCode, 0, describeRun(run));
    assert.ok(existsSync(marker));
    const ev = JSON.parse(ccguard(['events', '--json', '--session', run.json!.session_id!], env).stdout) as {
      hook: string;
      tool: string | null;
    }[];
    const seen = ev.map((e) => e.hook);
    for (const h of ['PreToolUse', 'PostToolUse', 'Stop']) assert.ok(seen.includes(h), `${h} in ${seen.join(', ')}`);

    // Another account's folder: Claude Code started with it reads none of ccguard's hooks, and doctor says so.
    const other = join(root, 'account b');
    const elsewhere = ccguard(['doctor'], { ...env, CLAUDE_CONFIG_DIR: other });
    assert.equal(elsewhere.code, 1, elsewhere.stdout);
    assert.match(
      elsewhere.stdout,
      /FAIL\s+hooks\s+.*account b\/settings\.json.*ccguard's hooks are in .*account a\/settings\.json, which Claude Code does not read here/,
    );
    assert.match(elsewhere.stdout, /fix: run `.* install --config-dir '.*account b'`/);

    // --config-dir installs into several at once, and uninstall takes them out of each.
    const both = ccguard(['install', '--no-import', '--config-dir', other, '--config-dir', configDir], { HOME: home });
    assert.equal(both.code, 0, both.stderr);
    assert.ok(existsSync(join(other, 'settings.json')));
    assert.equal(
      ccguard(['doctor'], { ...env, CLAUDE_CONFIG_DIR: `${configDir},${other}` }).stdout.match(/FAIL\s+hooks/),
      null,
    );
    const un = ccguard(['uninstall', '--config-dir', `${configDir},${other}`], { HOME: home });
    assert.equal(un.code, 0, un.stderr);
    assert.equal(existsSync(join(configDir, 'settings.json')), false, un.stdout);
    assert.equal(existsSync(join(other, 'settings.json')), false, un.stdout);
  },
);
