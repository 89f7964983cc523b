import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../helpers/sqlite.ts';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';
import { statusInput } from '../helpers/statusInput.ts';
import { installMonitorStub } from '../helpers/monitorStub.ts';

interface Doc {
  ok: boolean;
  checks: { name: string; level: string; detail: string; fix?: string }[];
}

const byName = (d: Doc, name: string) => d.checks.filter((c) => c.name === name);

test('doctor before install: hooks fail with a fix, exit 1', (t) => {
  const e = hookEnv(t);
  const r = ccguard(['doctor', '--json', '--project-dir', e.home], e.env);
  assert.equal(r.code, 1, r.stderr);
  const d = JSON.parse(r.stdout) as Doc;
  assert.equal(d.ok, false);
  assert.equal(byName(d, 'hooks')[0]!.level, 'fail');
  assert.match(
    byName(d, 'hooks')[0]!.fix ?? '',
    /^run `\S*node \S+ccguard\.js install` \(or `\S*node \S+ccguard\.js install --scope local --project-dir \S+` for this project only\)$/,
  );
  const fig = byName(d, 'server figures')[0]!;
  assert.equal(fig.level, 'warn', 'a warning, never a failure');
  assert.match(fig.detail, /^status line not installed; no server reading has arrived/);
});

test('doctor after install and a few hook runs: hooks resolve, database sound, latency figures, notifier found', (t) => {
  const e = hookEnv(t, 'plan: 1000000\n');
  const project = join(e.home, 'proj');
  mkdirSync(project);
  const inst = ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import'], e.env);
  assert.equal(inst.code, 0, inst.stderr);
  e.usage('s1', [{ ts: Date.now() - 60_000 }]);
  for (let i = 0; i < 3; i++) e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
  e.run('Stop', e.input('Stop', 's1'));
  const r = ccguard(['doctor', '--json', '--project-dir', project], e.env);
  const d = JSON.parse(r.stdout) as Doc;
  assert.equal(r.code, 0, JSON.stringify(d.checks.filter((c) => c.level === 'fail')));
  assert.equal(byName(d, 'hooks')[0]!.level, 'ok');
  assert.match(byName(d, 'hooks')[0]!.detail, /9 hook entries, commands resolve; status line installed/);
  assert.equal(byName(d, 'hooks').length, 1, 'every event has its hook: no warning about missing ones');
  assert.match(byName(d, 'database')[0]!.detail, /integrity ok, mode 600 in a 700 folder/);
  assert.match(byName(d, 'hook PreToolUse')[0]!.detail, /median [\d.]+ ms, p95 [\d.]+ ms over 3 runs/);
  // Some events are rare (StopFailure, SubagentStop): not having run is no warning once others have.
  assert.equal(byName(d, 'hook SessionEnd')[0]!.level, 'ok');
  assert.match(byName(d, 'hook SessionEnd')[0]!.detail, /has not run yet/);
  assert.equal(byName(d, 'notifier')[0]!.level, 'ok');
  assert.match(byName(d, 'claude-monitor')[0]!.detail, /not found/);
  const text = ccguard(['doctor', '--project-dir', project], e.env);
  assert.match(text.stdout, /^ok +hooks +.*9 hook entries/m);
  assert.match(text.stdout, /\d+ failed, \d+ warnings, \d+ ok/);
});

test('doctor: a hook command pointing at a missing file fails; no notify-send is a warning', (t) => {
  const e = hookEnv(t);
  const project = join(e.home, 'proj');
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(
    join(project, '.claude', 'settings.json'),
    JSON.stringify({
      hooks: {
        Stop: [{ hooks: [{ type: 'command', command: '"/nonexistent/node" "/gone/dist/hooks/stop.js" --ccguard' }] }],
      },
    }),
  );
  const r = ccguard(['doctor', '--json', '--project-dir', project], { ...e.env, PATH: '/usr/bin:/bin' });
  const d = JSON.parse(r.stdout) as Doc;
  assert.equal(r.code, 1);
  assert.match(byName(d, 'hooks')[0]!.detail, /commands point at missing files/);
  assert.equal(byName(d, 'notifier')[0]!.level, 'warn');
});

test('doctor "server figures": not installed, installed without a reading, a fresh reading, only stale ones; never a failure', (t) => {
  const e = hookEnv(t);
  const project = join(e.home, 'proj');
  mkdirSync(project);
  const install = (...extra: string[]) => {
    const r = ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import', ...extra], e.env);
    assert.equal(r.code, 0, r.stderr);
  };
  const figures = () => {
    const r = ccguard(['doctor', '--json', '--project-dir', project], e.env);
    const d = JSON.parse(r.stdout) as Doc;
    assert.equal(r.code, 0, JSON.stringify(d.checks.filter((c) => c.level === 'fail')));
    return byName(d, 'server figures')[0]!;
  };

  // Not installed: say so, and how to fix it.
  install('--no-statusline');
  let c = figures();
  assert.equal(c.level, 'warn');
  assert.match(
    c.detail,
    /^status line not installed; no server reading has arrived: Claude Code hands the server's usage figures only to the status line command$/,
  );
  assert.match(c.fix ?? '', /^run `\S*node \S+ccguard\.js install`/);

  // Installed, nothing yet: why, in plain words; nothing to fix.
  install();
  c = figures();
  assert.equal(c.level, 'ok');
  assert.match(
    c.detail,
    /^status line installed \(~\/proj\/\.claude\/settings\.local\.json\); no server reading yet: the status line runs only in interactive sessions of claude\.ai subscribers, after the first response; API-key users never get one/,
  );

  // The status line passes a subscriber's figures: when, how much, fresh.
  const reset5 = Math.floor(Date.now() / 1000) + 3600;
  const reset7 = Math.floor(Date.now() / 1000) + 3 * 86_400;
  const sl = ccguard(['statusline'], e.env, statusInput('s1', 42, reset5, { pct: 17, resetsAtSec: reset7 }));
  assert.equal(sl.code, 0, sl.stderr);
  c = figures();
  assert.equal(c.level, 'ok');
  assert.match(
    c.detail,
    /^status line installed \(~\/proj\/\.claude\/settings\.local\.json\); 5-hour 42% \d+s ago, fresh; weekly 17% \d+s ago, fresh$/,
  );

  // Three hours later (readings moved back in time): stale, and how old.
  const db = openSqlite(join(e.stateDir, 'state.db'));
  db.prepare('UPDATE rate_limits SET first_seen = first_seen - ?, last_seen = last_seen - ?').run(
    3 * 3_600_000,
    3 * 3_600_000,
  );
  db.close();
  c = figures();
  assert.equal(c.level, 'ok', 'installed: stale between sessions is normal');
  assert.match(
    c.detail,
    /; no fresh server reading, the newest is 3\.0 h old: 5-hour 42% 3\.0 h ago, stale \(older than 10 min, limits\.server_fresh_seconds\); weekly 17% 3\.0 h ago, stale .*; the status line runs only in interactive sessions of claude\.ai subscribers, so figures go stale between them/,
  );

  // Stale and the status line taken out: none will come, a warning with the fix.
  install('--no-statusline');
  c = figures();
  assert.equal(c.level, 'warn');
  assert.match(
    c.detail,
    /^status line not installed; no fresh server reading, the newest is 3\.0 h old: .*and none will come without ccguard's status line$/,
  );
  assert.match(c.fix ?? '', /^run `\S*node \S+ccguard\.js install`/);
});

test('doctor "server figures": ccguard\'s status line overridden by another in a later settings file', (t) => {
  const e = hookEnv(t);
  const project = join(e.home, 'proj');
  mkdirSync(join(project, '.claude'), { recursive: true });
  assert.equal(ccguard(['install', '--no-import'], e.env).code, 0);
  writeFileSync(
    join(project, '.claude', 'settings.local.json'),
    JSON.stringify({ statusLine: { type: 'command', command: 'echo mine' } }),
  );
  const d = JSON.parse(ccguard(['doctor', '--json', '--project-dir', project], e.env).stdout) as Doc;
  const c = byName(d, 'server figures')[0]!;
  assert.equal(c.level, 'warn');
  assert.match(
    c.detail,
    /^ccguard's status line in ~\/\.claude\/settings\.json is overridden by the status line in ~\/proj\/\.claude\/settings\.local\.json/,
  );
  assert.match(
    c.fix ?? '',
    /^run `\S*node \S+ccguard\.js install --scope local --project-dir \S+proj`: ccguard's status line then runs yours there$/,
  );
});

test('doctor: an install from before the Notification hook is a warning to re-run install, not a failure', (t) => {
  const e = hookEnv(t);
  const project = join(e.home, 'proj');
  mkdirSync(project);
  assert.equal(ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import'], e.env).code, 0);
  const file = join(project, '.claude', 'settings.local.json');
  const s = JSON.parse(readFileSync(file, 'utf8')) as { hooks: Record<string, unknown> };
  delete s.hooks.Notification;
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n');
  const r = ccguard(['doctor', '--json', '--project-dir', project], e.env);
  const d = JSON.parse(r.stdout) as Doc;
  assert.equal(r.code, 0, JSON.stringify(d.checks.filter((c) => c.level === 'fail')));
  const [file1, missing] = byName(d, 'hooks');
  assert.equal(file1!.level, 'ok');
  assert.match(file1!.detail, /8 hook entries, commands resolve/);
  assert.equal(missing!.level, 'warn');
  assert.match(
    missing!.detail,
    /^events without a ccguard hook: Notification \(an install made before ccguard handled it; the other hooks work\)$/,
  );
  assert.match(
    missing!.fix ?? '',
    /^re-run `\S*node \S+ccguard\.js install --scope local --project-dir \S+proj` to add them$/,
  );
  // Re-running install adds it, and the warning goes.
  assert.equal(ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import'], e.env).code, 0);
  const again = JSON.parse(ccguard(['doctor', '--json', '--project-dir', project], e.env).stdout) as Doc;
  assert.deepEqual(
    byName(again, 'hooks').map((c) => c.level),
    ['ok'],
  );
});

test('doctor: hook timeouts shorter than recovery.max_sleep_seconds needs are flagged, with the install that fixes them', (t) => {
  const e = hookEnv(t);
  const project = join(e.home, 'proj');
  mkdirSync(project);
  assert.equal(ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import'], e.env).code, 0);
  const config = (v: number): void =>
    writeFileSync(join(e.stateDir, 'config.yaml'), `recovery:\n  max_sleep_seconds: ${v}\n`);
  const doctor = () => {
    const r = ccguard(['doctor', '--json', '--project-dir', project], e.env);
    return { code: r.code, hooks: byName(JSON.parse(r.stdout) as Doc, 'hooks') };
  };
  assert.deepEqual(
    doctor().hooks.map((c) => c.level),
    ['ok'],
    'installed with the default 20 s: 60 s covers it',
  );

  // Raised past what the installed timeouts cover: Claude Code would stop the sleeping hook.
  config(100);
  let d = doctor();
  assert.equal(d.code, 1);
  const [, short] = d.hooks;
  assert.equal(short!.level, 'fail');
  assert.match(
    short!.detail,
    /settings\.local\.json: hook timeout PreToolUse 60 s, UserPromptSubmit 60 s but recovery\.max_sleep_seconds is 100: Claude Code stops the hook before a sleep that long ends/,
  );
  assert.match(
    short!.fix ?? '',
    /^run `(\S*node \S+ccguard\.js install --scope local --project-dir \S+proj)` again: it writes 130 s$/,
  );
  // The fix, run as printed, clears it.
  const fix = /`([^`]+)`/.exec(short!.fix!)![1]!;
  const r = spawnSync('/bin/sh', ['-c', fix], { cwd: '/', encoding: 'utf8', env: e.env });
  assert.equal(r.status, 0, r.stderr);
  d = doctor();
  assert.equal(d.code, 0);
  assert.deepEqual(
    d.hooks.map((c) => c.level),
    ['ok'],
  );

  // Lowered again: the longer timeouts (130 s) do no harm, nothing to say.
  for (const v of [20, 45]) {
    config(v);
    assert.deepEqual(
      doctor().hooks.map((c) => c.level),
      ['ok'],
      `${v}`,
    );
  }

  // Longer than the sleep but short of the margin for the hook's own work: a warning.
  config(120);
  assert.equal(ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import'], e.env).code, 0);
  config(130);
  d = doctor();
  assert.equal(d.hooks[1]!.level, 'warn');
  assert.match(
    d.hooks[1]!.detail,
    /hook timeout PreToolUse 150 s, UserPromptSubmit 150 s but recovery\.max_sleep_seconds is 130: less than the sleep and 30 s for the hook's own work/,
  );

  // No timeout on the prompt hook: Claude Code gives UserPromptSubmit 30 s, too short for a 45 s sleep.
  config(45);
  const file = join(project, '.claude', 'settings.local.json');
  const s = JSON.parse(readFileSync(file, 'utf8')) as { hooks: Record<string, { hooks: Record<string, unknown>[] }[]> };
  delete s.hooks.UserPromptSubmit![0]!.hooks[0]!.timeout;
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n');
  d = doctor();
  assert.equal(d.code, 1);
  assert.match(
    d.hooks[1]!.detail,
    /hook timeout UserPromptSubmit 30 s \(none written: Claude Code's default for UserPromptSubmit\) but recovery\.max_sleep_seconds is 45/,
  );
});

test("doctor: ccguard's hooks in a project's settings.json (an earlier install) are a warning, with the move to local scope", (t) => {
  const e = hookEnv(t);
  const project = join(e.home, 'proj');
  mkdirSync(project);
  assert.equal(ccguard(['install', '--scope', 'local', '--project-dir', project, '--no-import'], e.env).code, 0);
  const local = join(project, '.claude', 'settings.local.json');
  const shared = join(project, '.claude', 'settings.json');
  writeFileSync(shared, readFileSync(local, 'utf8'));
  rmSync(local);
  const r = ccguard(['doctor', '--json', '--project-dir', project], e.env);
  const hooks = byName(JSON.parse(r.stdout) as Doc, 'hooks');
  assert.equal(r.code, 0);
  assert.deepEqual(
    hooks.map((c) => c.level),
    ['ok', 'warn'],
  );
  assert.match(
    hooks[1]!.detail,
    /settings\.json is the settings file a team commits, and ccguard's entries in it name this machine's node and ccguard's folder/,
  );
  assert.match(
    hooks[1]!.fix ?? '',
    /^move them to local scope: `\S*node \S+ uninstall --scope project --project-dir \S+proj`, then `\S*node \S+ install --scope local --project-dir \S+proj`$/,
  );
});

test('doctor: a --project-dir that does not exist is refused, never reported healthy', (t) => {
  const e = hookEnv(t);
  assert.equal(ccguard(['install', '--no-import'], e.env).code, 0);
  const gone = join(e.home, 'no such project');
  const r = ccguard(['doctor', '--project-dir', gone], e.env);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `ccguard doctor: --project-dir: the project folder ${gone} does not exist; give the folder of an existing project\n`,
  );
  // With a state that does not open (the state directory is a file), the report still comes, with
  // the folder failing in it. (A broken config no longer stops the state opening: it falls back.)
  const notDir = join(e.home, 'state-is-a-file');
  writeFileSync(notDir, '');
  const broken = ccguard(['doctor', '--json', '--project-dir', gone], { ...e.env, CCGUARD_HOME: notDir });
  assert.equal(broken.code, 1);
  const d = JSON.parse(broken.stdout) as Doc;
  assert.match(byName(d, 'database')[0]!.detail, /is not a directory/);
  assert.equal(byName(d, 'hooks')[0]!.level, 'fail');
  assert.match(byName(d, 'hooks')[0]!.detail, /^--project-dir: the project folder .* does not exist$/);
});

test('doctor runs claude-monitor as configured: its command, its arguments and the plan, read by the same protocol as the refresh', (t) => {
  const e = hookEnv(
    t,
    'plan: max5\nintegrations:\n  claude_monitor:\n    args: [--once, --output, json, --view, realtime, --timezone, UTC]\n',
  );
  const stub = installMonitorStub(join(e.home, 'bin'));
  stub.setMode({ mode: 'ok', pct: 41.2 });
  const check = () =>
    byName(
      JSON.parse(ccguard(['doctor', '--json', '--project-dir', e.home], e.env).stdout) as Doc,
      'claude-monitor',
    )[0]!;
  const ok = check();
  assert.equal(ok.level, 'ok', ok.detail);
  assert.equal(ok.detail, '4.0.2, JSON snapshots available');
  assert.deepEqual(stub.calls(), [
    ['--version'],
    ['--once', '--output', 'json', '--view', 'realtime', '--timezone', 'UTC', '--plan', 'max5'],
  ]);
  stub.setMode({ mode: 'v3' });
  const v3 = check();
  assert.equal(v3.level, 'warn');
  assert.match(v3.detail, /no JSON output \(v3\?\)/);
  stub.setMode({ mode: 'fail' });
  const failed = check();
  assert.equal(failed.level, 'warn');
  assert.match(
    failed.detail,
    /`claude-monitor --once --output json --view realtime --timezone UTC --plan max5` gave no snapshot: exit 1: Traceback/,
  );
});

test('doctor reads the log the config names: with logging.file set, notifier failures are found there', (t) => {
  const e = hookEnv(t, 'logging:\n  file: elsewhere.log\n');
  const failure = JSON.stringify({
    ts: new Date().toISOString(),
    level: 'warn',
    msg: 'desktop notification not delivered: no bus',
  });
  // The default file says nothing: a doctor reading it would see no failure.
  writeFileSync(join(e.stateDir, 'ccguard.log'), '');
  writeFileSync(join(e.stateDir, 'elsewhere.log'), failure + '\n');
  const r = ccguard(['doctor', '--json', '--project-dir', e.home], e.env);
  const notifier = byName(JSON.parse(r.stdout) as Doc, 'notifier')[0]!;
  assert.equal(notifier.level, 'warn');
  assert.match(notifier.detail, /recent failures: .*desktop notification not delivered: no bus/);
});

test('doctor checks the settings.json Claude Code reads: hooks in another config folder fail, with the install that fixes it', (t) => {
  const e = hookEnv(t);
  const a = join(e.home, 'account-a');
  const b = join(e.home, 'account-b');
  const proj = join(e.home, 'proj');
  mkdirSync(proj);
  // Installed for ~/.claude, then Claude Code is started with CLAUDE_CONFIG_DIR: it reads a/settings.json only.
  assert.equal(ccguard(['install', '--no-import'], e.env).code, 0);
  const r = ccguard(['doctor', '--json', '--project-dir', proj], { ...e.env, CLAUDE_CONFIG_DIR: a });
  assert.equal(r.code, 1, r.stdout);
  const [hooks] = byName(JSON.parse(r.stdout) as Doc, 'hooks');
  assert.equal(hooks!.level, 'fail');
  assert.match(
    hooks!.detail,
    new RegExp(
      `CLAUDE_CONFIG_DIR=${a} reads ${a}/settings\\.json\\).*ccguard's hooks are in ${e.home}/\\.claude/settings\\.json, which Claude Code does not read here`,
    ),
  );
  assert.match(hooks!.fix ?? '', new RegExp(`install --config-dir ${a}\``));

  // Installed with --config-dir b (the record says where): doctor for ~/.claude and a passes, for b too; for a,b only a fails.
  assert.equal(ccguard(['install', '--no-import', '--config-dir', `${a},${b}`], e.env).code, 0);
  assert.equal(ccguard(['uninstall'], e.env).code, 0);
  const home = JSON.parse(ccguard(['doctor', '--json', '--project-dir', proj], e.env).stdout) as Doc;
  assert.equal(byName(home, 'hooks')[0]!.level, 'fail');
  assert.match(
    byName(home, 'hooks')[0]!.detail,
    new RegExp(
      `ccguard's hooks are in ${a}/settings\\.json, ${b}/settings\\.json, which Claude Code does not read here`,
    ),
  );
  const both = JSON.parse(
    ccguard(['doctor', '--json', '--project-dir', proj, '--config-dir', `${a},${b}`], e.env).stdout,
  ) as Doc;
  assert.ok(
    byName(both, 'hooks').every((c) => c.level !== 'fail'),
    JSON.stringify(byName(both, 'hooks')),
  );
  assert.equal(ccguard(['uninstall', '--config-dir', b], e.env).code, 0);
  const one = JSON.parse(
    ccguard(['doctor', '--json', '--project-dir', proj], { ...e.env, CLAUDE_CONFIG_DIR: `${a},${b}` }).stdout,
  ) as Doc;
  const failed = byName(one, 'hooks').filter((c) => c.level === 'fail');
  assert.equal(failed.length, 1, JSON.stringify(failed));
  assert.match(
    failed[0]!.detail,
    new RegExp(
      `^Claude Code started with CLAUDE_CONFIG_DIR=${b} reads ${b}/settings\\.json, which holds no ccguard hooks`,
    ),
  );
});
