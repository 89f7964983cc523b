import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ccguard, REPO } from '../helpers/cli.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { assistantLine } from '../helpers/lines.ts';
import { shellWord } from '../../lib/util/invocation.ts';

type J = Record<string, any>;

const esc = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** How this package's script appears in a printed command. */
const SCRIPT = shellWord(join(REPO, 'bin', 'ccguard.js'));

const EVENTS = [
  'PreToolUse',
  'PostToolUse',
  'UserPromptSubmit',
  'Stop',
  'StopFailure',
  'SubagentStop',
  'SessionStart',
  'SessionEnd',
  'Notification',
];

/** ccguard's own status line command, chaining to `then` when given. */
const ourStatusLine = (then?: string): string =>
  `"${process.execPath}" "${join(REPO, 'dist', 'lib', 'cli', 'main.js')}" statusline --ccguard` +
  (then === undefined ? '' : ` --then ${JSON.stringify(then).replace(/\$/g, '\\$').replace(/`/g, '\\`')}`);

const OTHERS = {
  permissions: { allow: ['Bash(npm test)'] },
  hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'other-guard --check' }] }] },
  statusLine: { type: 'command', command: 'printf "user line %s" "$(cat | wc -c | tr -d \' \')"' },
  env: { FOO: 'bar' },
};

function setup(t: TestContext, prefix = 'ccguard-install-') {
  const h = tmpHome(t, prefix);
  const claude = join(h.home, '.claude');
  const settings = join(claude, 'settings.json');
  const env = { HOME: h.home };
  return {
    ...h,
    claude,
    settings,
    env,
    run: (...args: string[]) => ccguard(args, env),
    read: (): string => readFileSync(settings, 'utf8'),
    json: (): J => JSON.parse(readFileSync(settings, 'utf8')) as J,
    /** Backups in the state directory's backups folder, by name (oldest first for one settings file). */
    backups: (): string[] =>
      existsSync(join(h.stateDir, 'backups')) ? readdirSync(join(h.stateDir, 'backups')).sort() : [],
    backup: (name: string): string => readFileSync(join(h.stateDir, 'backups', name), 'utf8'),
    /** Anything ccguard left beside the user settings file (backups used to go there). */
    beside: (): string[] => (existsSync(claude) ? readdirSync(claude).filter((n) => n.includes('ccguard-backup')) : []),
    records: (): string[] =>
      existsSync(h.stateDir) ? readdirSync(h.stateDir).filter((n) => /^install-[0-9a-f]+\.json$/.test(n)) : [],
  };
}

/** The command after `label` on its line of the output, run through a shell from another folder, as a user would paste it. */
function runPrinted(
  stdout: string,
  label: string,
  env: Record<string, string>,
): { cmd: string; code: number | null; out: string } {
  const line = stdout.split('\n').find((l) => l.startsWith(label));
  assert.ok(line, `a line starting "${label}" in:\n${stdout}`);
  const cmd = line.slice(label.length).split('   (')[0]!.trim();
  const r = spawnSync('/bin/sh', ['-c', cmd], {
    cwd: '/',
    encoding: 'utf8',
    env: { TZ: 'UTC', NO_COLOR: '1', ...env },
  });
  return { cmd, code: r.status, out: r.stdout + r.stderr };
}

/** A PATH of one folder holding `node` (this one) and, when given, a `ccguard` linking to `ccguardTarget`. */
function binDir(root: string, ccguardTarget?: string): string {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  if (ccguardTarget) symlinkSync(ccguardTarget, join(bin, 'ccguard'));
  return bin;
}

function commandOf(s: J, event: string): string {
  const g = (s.hooks[event] as J[]).find((x) => (x.hooks as J[]).some((h) => String(h.command).includes('--ccguard')))!;
  return (g.hooks as J[]).find((h) => String(h.command).includes('--ccguard'))!.command as string;
}

test('install into no file: creates it private with hooks and the status line, records the install; again: nothing written; uninstall removes it', (t) => {
  const w = setup(t);
  const r = w.run('install', '--no-import');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Created ~\/\.claude\/settings\.json \(user scope\): ccguard's hooks for 9 events/m);
  assert.match(
    r.stdout,
    /^Status line: set up, because it is where Claude Code hands over the server's own 5-hour and weekly usage figures/m,
  );
  // No ccguard on this PATH: the commands printed name this package's script, and work as printed.
  assert.match(
    r.stdout,
    new RegExp(`^Check it with: \\S*node ${esc(SCRIPT)} doctor {3}\\(and \\S*node \\S+ccguard\\.js status\\)$`, 'm'),
  );
  assert.equal(statSync(w.settings).mode & 0o777, 0o600);
  assert.equal(statSync(w.claude).mode & 0o777, 0o700);
  const s = w.json();
  assert.deepEqual(Object.keys(s), ['hooks', 'statusLine']);
  assert.deepEqual(Object.keys(s.hooks), EVENTS);
  assert.deepEqual(s.statusLine, { type: 'command', command: ourStatusLine() }, 'by default, without --statusline');
  assert.equal(
    commandOf(s, 'PreToolUse'),
    `"${process.execPath}" "${join(REPO, 'dist', 'hooks', 'pre-tool-use.js')}" --ccguard`,
  );
  assert.deepEqual(
    s.hooks.Notification,
    [
      {
        hooks: [
          {
            type: 'command',
            command: `"${process.execPath}" "${join(REPO, 'dist', 'hooks', 'notification.js')}" --ccguard`,
            timeout: 60,
          },
        ],
      },
    ],
    'no matcher, like Stop',
  );
  assert.equal(s.hooks.Stop[0].hooks[0].timeout, 60, 'max_sleep_seconds 20 + 30, at least 60');
  assert.deepEqual(w.backups(), [], 'nothing to back up');
  assert.deepEqual(w.beside(), []);
  assert.equal(w.records().length, 1);
  assert.equal(statSync(join(w.stateDir, w.records()[0]!)).mode & 0o777, 0o600);

  const before = w.read();
  const mtime = statSync(w.settings).mtimeMs;
  const again = w.run('install', '--no-import');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already installed in ~\/\.claude\/settings\.json; the file is unchanged/);
  assert.equal(w.read(), before);
  assert.equal(statSync(w.settings).mtimeMs, mtime, 'not even rewritten');
  assert.deepEqual(w.backups(), []);

  const u = w.run('uninstall');
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, /removed the file \(install had created it/);
  assert.ok(!existsSync(w.settings));
  assert.deepEqual(w.records(), []);
});

test('the hook timeouts follow recovery.max_sleep_seconds on the events that sleep; 0 to 600 only', (t) => {
  const w = setup(t);
  mkdirSync(w.stateDir, { recursive: true, mode: 0o700 });
  const config = (v: number): void =>
    writeFileSync(join(w.stateDir, 'config.yaml'), `recovery:\n  max_sleep_seconds: ${v}\n`);
  const timeouts = (): number[] => EVENTS.map((ev) => (w.json().hooks[ev] as J[])[0]!.hooks[0].timeout as number);
  // EVENTS order: PreToolUse, PostToolUse, UserPromptSubmit, then the rest.
  const want = (slow: number): number[] =>
    EVENTS.map((ev) => (ev === 'PreToolUse' || ev === 'UserPromptSubmit' ? slow : 60));
  config(120);
  const r = w.run('install', '--no-import');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(timeouts(), want(150));
  assert.match(
    r.stdout,
    /with a 150 s timeout on PreToolUse and UserPromptSubmit \(they may sleep up to recovery\.max_sleep_seconds, 120 s\), 60 s on the others\./,
  );

  // Changed later: install again follows it (up and down).
  config(600);
  assert.equal(w.run('install', '--no-import').code, 0);
  assert.deepEqual(timeouts(), want(630));
  config(10);
  const down = w.run('install', '--no-import');
  assert.deepEqual(timeouts(), want(60));
  assert.match(down.stdout, /with a 60 s timeout\./);

  // Past 600 (or below 0) the config is refused, and nothing is written.
  const before = w.read();
  for (const bad of [601, 100000, -1]) {
    config(bad);
    const r2 = w.run('install', '--no-import');
    assert.equal(r2.code, 1);
    assert.match(
      r2.stderr,
      new RegExp(`recovery\\.max_sleep_seconds must be a number from 0 to 600 \\(seconds\\).* \\(got ${bad}\\)`),
    );
    assert.equal(w.read(), before);
  }
});

test('install into an empty file: backed up, and uninstall gives the empty file back', (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  writeFileSync(w.settings, '');
  assert.equal(w.run('install', '--no-import').code, 0);
  assert.equal(Object.keys(w.json().hooks).length, 9);
  assert.equal(w.backups().length, 1);
  assert.equal(w.backup(w.backups()[0]!), '');
  // Named after the settings file it came from (the folder holding .claude/, under HOME), and the time.
  assert.match(w.backups()[0]!, /^home_settings-[0-9a-f]{10}\.\d{8}T\d{6}\.\d{3}Z\.json$/);
  assert.deepEqual(w.beside(), [], 'nothing beside the settings file');
  const u = w.run('uninstall');
  assert.equal(u.code, 0, u.stderr);
  assert.equal(w.read(), '');
});

test("install beside other tools' hooks and a status line: both kept, chained by default; second install identical; uninstall restores", (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  const original = JSON.stringify(OTHERS, null, 2) + '\n';
  writeFileSync(w.settings, original);
  chmodSync(w.settings, 0o644);
  const r = w.run('install', '--no-import');
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^Backup of the previous file: ~\/\.claude\/ccguard\/backups\/home_settings-[0-9a-f]{10}\.\d{8}T\d{6}\.\d{3}Z\.json \(ccguard keeps the newest 10 per settings file\)$/m,
  );
  assert.match(r.stdout, /runs your own status line command and shows its output unchanged/);
  const s = w.json();
  assert.deepEqual(s.permissions, OTHERS.permissions);
  assert.deepEqual(s.env, OTHERS.env);
  assert.deepEqual(Object.keys(s), Object.keys(OTHERS));
  assert.deepEqual(
    (s.hooks.PreToolUse as J[]).map((g) => g.matcher),
    ['Bash', '*'],
  );
  assert.equal(s.hooks.PreToolUse[0].hooks[0].command, 'other-guard --check');
  assert.match(s.statusLine.command, /statusline --ccguard --then "printf \\"user line %s\\" \\"\\\$\(cat \| wc -c/);
  assert.equal(statSync(w.settings).mode & 0o777, 0o644, 'an existing file keeps its mode');
  assert.deepEqual(w.backups().map(w.backup), [original]);
  assert.equal(statSync(join(w.stateDir, 'backups', w.backups()[0]!)).mode & 0o777, 0o600);
  assert.equal(statSync(join(w.stateDir, 'backups')).mode & 0o777, 0o700);

  // Claude Code runs the status line command through a shell: ccguard's line gives way to the user's.
  const input = JSON.stringify({
    session_id: 's1',
    rate_limits: { five_hour: { used_percentage: 12.5, resets_at: 2_000_000_000 } },
  });
  const sl = spawnSync('/bin/sh', ['-c', s.statusLine.command], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: w.home },
  });
  assert.equal(sl.status, 0, sl.stderr);
  assert.equal(sl.stdout, `user line ${Buffer.byteLength(input)}`);

  const installed = w.read();
  const mtime = statSync(w.settings).mtimeMs;
  const again = w.run('install', '--no-import');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /the file is unchanged/);
  assert.equal(w.read(), installed, 'second install: byte-identical');
  assert.equal(statSync(w.settings).mtimeMs, mtime, 'not even rewritten');
  assert.equal(w.backups().length, 1, 'and no new backup');

  const u = w.run('uninstall');
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, /put back the file as it was before install/);
  assert.equal(w.read(), original);
});

test("uninstall after the user changed the file: ccguard's entries go, the user's changes stay", (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  const original = JSON.stringify(OTHERS, null, 2) + '\n';
  writeFileSync(w.settings, original);
  assert.equal(w.run('install', '--no-import').code, 0);
  const s = w.json();
  s.permissions.allow.push('Read');
  writeFileSync(w.settings, JSON.stringify(s, null, 2) + '\n');
  const u = w.run('uninstall');
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, /removed ccguard's entries; everything else is as it was/);
  const want = structuredClone(OTHERS) as J;
  want.permissions.allow.push('Read');
  assert.equal(w.read(), JSON.stringify(want, null, 2) + '\n');
  assert.equal(w.backups().length, 2, 'install and uninstall each keep a backup');
});

test('a malformed settings file is left untouched, with an error naming the file and position', (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  const bad = '{\n  "permissions": {\n    "allow": ["Bash(ls)",]\n  }\n}\n';
  writeFileSync(w.settings, bad);
  const r = w.run('install', '--no-import');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `ccguard: ${w.settings} is not valid JSON: unexpected "]" where a value should start at line 3:26; left it untouched\n`,
  );
  assert.equal(w.read(), bad);
  assert.deepEqual(w.backups(), []);
  assert.deepEqual(w.records(), []);
  assert.equal(w.run('install', '--dry-run').code, 1);
  assert.equal(w.run('uninstall').code, 1);
  assert.equal(w.read(), bad);
});

test('--dry-run prints a unified diff and writes nothing', (t) => {
  const w = setup(t);
  const none = w.run('install', '--dry-run');
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /^--- \/dev\/null\n\+\+\+ .*settings\.json\n@@ -0,0 \+1,\d+ @@\n\+\{\n\+ {2}"hooks": \{\n/);
  assert.match(none.stdout, /Dry run: nothing written\. Without --dry-run this creates ~\/\.claude\/settings\.json\./);
  assert.ok(!existsSync(w.settings));
  assert.deepEqual(readdirSync(w.claude), ['ccguard'], 'only the state directory every command opens');

  mkdirSync(w.claude, { recursive: true });
  const original = JSON.stringify(OTHERS, null, 2) + '\n';
  writeFileSync(w.settings, original);
  const r = w.run('install', '--dry-run');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^--- ${w.settings.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n\\+\\+\\+ `));
  assert.match(r.stdout, /\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
  assert.match(r.stdout, /\n- {4}"command": "printf/);
  assert.match(r.stdout, /\n\+ {12}"command": "\\"[^\n]*pre-tool-use\.js\\" --ccguard",\n/);
  assert.equal(w.read(), original);
  assert.deepEqual(w.backups(), []);
  assert.deepEqual(w.records(), []);
  assert.ok(!existsSync(join(w.stateDir, 'app')));

  assert.equal(w.run('install', '--no-import').code, 0);
  const done = w.run('install', '--dry-run');
  assert.match(done.stdout, /already installed in ~\/\.claude\/settings\.json: nothing would change/);
});

test('--scope project is refused with the local command to use instead; local scope writes under --project-dir', (t) => {
  const w = setup(t);
  const proj = join(w.home, 'my project');
  mkdirSync(proj);
  const refused = w.run('install', '--scope', 'project', '--project-dir', proj, '--no-import');
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, '');
  assert.match(
    refused.stderr,
    /^ccguard install: --scope project is not supported: ~\/my project\/\.claude\/settings\.json is the settings file a team commits/,
  );
  assert.match(
    refused.stderr,
    /name this machine's node \(.+\) and ccguard's folder \(.+\), which your teammates do not have/,
  );
  assert.match(
    refused.stderr,
    new RegExp(`\\n {4}\\S*node ${esc(SCRIPT)} install --scope local --project-dir '${esc(proj)}'\\n`),
  );
  assert.ok(!existsSync(join(proj, '.claude')), 'nothing written, not even the folder');
  assert.equal(
    w.run('install', '--scope', 'project', '--project-dir', proj, '--dry-run').code,
    2,
    'nor shown as a dry run',
  );

  const r = w.run('install', '--scope', 'local', '--project-dir', proj, '--no-import');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Created ~\/my project\/\.claude\/settings\.local\.json \(local scope\)/m);
  assert.ok(existsSync(join(proj, '.claude', 'settings.local.json')));
  assert.ok(!existsSync(join(proj, '.claude', 'settings.json')));
  assert.ok(!existsSync(w.settings), 'user settings untouched');
  assert.equal(w.records().length, 1);
  // The project folder in the printed commands is absolute and quoted: they work from anywhere.
  const doctor = runPrinted(r.stdout, 'Check it with: ', w.env);
  assert.match(doctor.cmd, new RegExp(` doctor --project-dir '${esc(proj)}'$`));
  assert.equal(doctor.code, 0, doctor.out);
  assert.match(doctor.out, /ok +hooks +.*settings\.local\.json: 9 hook entries/);

  const bad = w.run('install', '--scope', 'global');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--scope must be one of user, local \(got "global"\)/);
  const undo = runPrinted(r.stdout, 'Undo with: ', w.env);
  assert.match(undo.cmd, new RegExp(` uninstall --scope local --project-dir '${esc(proj)}'$`));
  assert.equal(undo.code, 0, undo.out);
  assert.ok(!existsSync(join(proj, '.claude', 'settings.local.json')));
});

test("uninstall --scope project still takes out the hooks an earlier version put into a project's settings.json", (t) => {
  const w = setup(t);
  const proj = join(w.home, 'proj');
  mkdirSync(proj);
  assert.equal(w.run('install', '--scope', 'local', '--project-dir', proj, '--no-import').code, 0);
  const projFile = join(proj, '.claude', 'settings.json');
  // What an earlier version wrote: ccguard's entries in the committed file, beside the team's own.
  const s = JSON.parse(readFileSync(join(proj, '.claude', 'settings.local.json'), 'utf8')) as J;
  writeFileSync(projFile, JSON.stringify({ permissions: { allow: ['Bash(make)'] }, ...s }, null, 2) + '\n');
  const refused = w.run('install', '--scope', 'project', '--project-dir', proj);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /already holds ccguard's hooks from an earlier install; take them out with:\n {4}\S*node \S+ uninstall --scope project --project-dir \S+proj\n?$/,
  );
  const u = w.run('uninstall', '--scope', 'project', '--project-dir', proj);
  assert.equal(u.code, 0, u.stderr);
  assert.deepEqual(JSON.parse(readFileSync(projFile, 'utf8')), { permissions: { allow: ['Bash(make)'] } });
  assert.ok(existsSync(join(proj, '.claude', 'settings.local.json')), 'the local install stays');
});

test('a --project-dir that does not exist (or is a file) is refused: nothing created; uninstall only drops the record', (t) => {
  const w = setup(t);
  const gone = join(w.home, 'no such project');
  for (const scope of ['local', 'project']) {
    const r = w.run('install', '--scope', scope, '--project-dir', gone, '--no-import');
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `ccguard install: --project-dir: the project folder ${gone} does not exist; give the folder of an existing project\n`,
    );
  }
  assert.equal(
    w.run('install', '--project-dir', gone, '--no-import').code,
    2,
    'a mistyped folder is refused whatever the scope',
  );
  assert.ok(!existsSync(gone));
  assert.ok(!existsSync(w.settings));
  const file = join(w.home, 'a file');
  writeFileSync(file, '');
  const f = w.run('install', '--scope', 'local', '--project-dir', file, '--no-import');
  assert.equal(f.code, 2);
  assert.match(f.stderr, /the project folder .*a file is not a folder/);

  // A project deleted after a local install: uninstall says so and forgets it.
  const proj = join(w.home, 'proj');
  mkdirSync(proj);
  assert.equal(w.run('install', '--scope', 'local', '--project-dir', proj, '--no-import').code, 0);
  assert.equal(w.records().length, 1);
  rmSync(proj, { recursive: true });
  const u = w.run('uninstall', '--scope', 'local', '--project-dir', proj);
  assert.equal(u.code, 0, u.stderr);
  assert.match(
    u.stdout,
    /^the project folder .*proj does not exist, so ~\/proj\/\.claude\/settings\.local\.json does not either: nothing to uninstall\.$/m,
  );
  assert.deepEqual(w.records(), []);
  assert.ok(!existsSync(proj), 'and it is not created again');
});

test('the commands install and uninstall print run as printed: `ccguard` only when the one on PATH is this package', (t) => {
  const w = setup(t);
  const script = join(REPO, 'bin', 'ccguard.js');
  // This package's bin as `ccguard` on PATH (a global install or npm link is a symlink like it).
  const ours = { HOME: w.home, PATH: `${binDir(join(w.home, 'ours'), script)}:/usr/bin:/bin` };
  const r = ccguard(['install', '--no-import'], ours);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Check it with: ccguard doctor {3}\(and ccguard status\)\nUndo with: ccguard uninstall\n$/m);
  const d = runPrinted(r.stdout, 'Check it with: ', ours);
  assert.equal(d.code, 0, d.out);

  // Another `ccguard` first on PATH: printing `ccguard` would run that one; node and this script instead.
  const otherScript = join(w.home, 'other-ccguard.js');
  writeFileSync(otherScript, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
  const other = {
    HOME: w.home,
    PATH: `${binDir(join(w.home, 'other'), otherScript)}:${join(w.home, 'ours', 'bin')}:/usr/bin:/bin`,
  };
  const o = ccguard(['uninstall'], other);
  assert.equal(o.code, 0, o.stderr);
  assert.equal(ccguard(['install', '--no-import'], other).code, 0);
  const o2 = ccguard(['install', '--no-import', '--no-statusline'], other);
  assert.match(o2.stdout, new RegExp(`^Undo with: node ${esc(SCRIPT)} uninstall$`, 'm'));
  assert.match(o2.stdout, new RegExp(`run node ${esc(SCRIPT)} install \\(without --no-statusline\\)`));
  const u = runPrinted(o2.stdout, 'Undo with: ', other);
  assert.equal(u.code, 0, u.out);
  assert.ok(!existsSync(w.settings), 'the printed uninstall ran this package, not the other ccguard');

  // No node on PATH either: node by its absolute path.
  const bare = { HOME: w.home, PATH: '/nonexistent' };
  const b = ccguard(['install', '--no-import'], bare);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, new RegExp(`^Check it with: ${esc(shellWord(process.execPath))} ${esc(SCRIPT)} doctor `, 'm'));
  assert.equal(runPrinted(b.stdout, 'Check it with: ', bare).code, 0);
});

test('backups live in the state directory, the newest 10 per settings file; the original install replaced survives them and comes back', (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  const original = JSON.stringify(OTHERS, null, 2) + '\n';
  writeFileSync(w.settings, original);
  const proj = join(w.home, 'proj');
  mkdirSync(join(proj, '.claude'), { recursive: true });
  const projLocal = join(proj, '.claude', 'settings.local.json');
  writeFileSync(projLocal, '{}\n');
  assert.equal(w.run('install', '--no-import').code, 0);
  assert.equal(w.run('install', '--scope', 'local', '--project-dir', proj, '--no-import').code, 0);
  // Each --no-statusline / default flip changes the file: a backup each time.
  for (let i = 0; i < 12; i++)
    assert.equal(w.run('install', '--no-import', ...(i % 2 === 0 ? ['--no-statusline'] : [])).code, 0);
  const user = w.backups().filter((n) => n.startsWith('home_settings-'));
  const local = w.backups().filter((n) => n.startsWith('home_proj_settings.local-'));
  assert.equal(local.length, 1, 'counted per settings file');
  assert.equal(user.length, 11, 'the newest 10, and the original the install record restores from');
  assert.equal(w.backup(user[0]!), original, 'the oldest kept is the original');
  assert.deepEqual(w.beside(), []);
  assert.deepEqual(
    readdirSync(join(proj, '.claude')),
    ['settings.local.json'],
    "nothing beside a project's settings, where git would see it",
  );

  // Back to what the first install wrote: uninstall restores the original byte for byte.
  assert.equal(w.run('install', '--no-import').code, 0);
  const u = w.run('uninstall');
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, /put back the file as it was before install/);
  assert.equal(w.read(), original);
  assert.ok(w.backups().filter((n) => n.startsWith('home_settings-')).length <= 11);
});

test('backups an earlier version left beside the settings files move into the state directory; uninstall still restores from them', (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  const original = JSON.stringify(OTHERS, null, 2) + '\n';
  writeFileSync(w.settings, original);
  assert.equal(w.run('install', '--no-import').code, 0);
  // Turn the state into what an earlier version left: the backup beside the file, the record pointing there.
  const [name] = w.backups();
  const stamp = /\.(\d{8}T\d{6}\.\d{3}Z)\.json$/.exec(name!)![1]!;
  const legacy = `${w.settings}.ccguard-backup-${stamp}`;
  writeFileSync(legacy, original);
  rmSync(join(w.stateDir, 'backups'), { recursive: true });
  const recFile = join(w.stateDir, w.records()[0]!);
  const rec = JSON.parse(readFileSync(recFile, 'utf8')) as J;
  writeFileSync(recFile, JSON.stringify({ ...rec, backup_path: legacy }));
  // And one beside a project's settings.json, which git shows; plus a file that only looks like one.
  const proj = join(w.home, 'proj');
  mkdirSync(join(proj, '.claude'), { recursive: true });
  writeFileSync(join(proj, '.claude', 'settings.json.ccguard-backup-20250101T000000.000Z'), '{"old":1}\n');
  writeFileSync(join(proj, '.claude', 'settings.json.ccguard-backup-notes'), 'mine\n');

  // A dry run moves nothing.
  assert.equal(w.run('uninstall', '--dry-run').code, 0);
  assert.ok(existsSync(legacy));
  const u = spawnSync(process.execPath, [join(REPO, 'bin', 'ccguard.js'), 'uninstall'], {
    cwd: proj,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: w.home, TZ: 'UTC', NO_COLOR: '1' },
  });
  assert.equal(u.status, 0, u.stderr);
  assert.match(
    u.stdout,
    /^Moved 2 backups an earlier version of ccguard kept in (~\/\.claude\/ and ~\/proj\/\.claude\/|~\/proj\/\.claude\/ and ~\/\.claude\/) to ~\/\.claude\/ccguard\/backups\/\.$/m,
  );
  assert.match(u.stdout, /put back the file as it was before install/);
  assert.equal(w.read(), original);
  assert.ok(!existsSync(legacy));
  assert.deepEqual(
    readdirSync(join(proj, '.claude')),
    ['settings.json.ccguard-backup-notes'],
    "only ccguard's own backups are moved",
  );
  const moved = w.backups();
  assert.ok(moved.includes(`home_settings-${/-([0-9a-f]{10})\./.exec(name!)![1]}.${stamp}.json`), moved.join(', '));
  assert.ok(
    moved.some((n) => /^home_proj_settings-[0-9a-f]{10}\.20250101T000000\.000Z\.json$/.test(n)),
    moved.join(', '),
  );
});

test('local scope in a git work tree that does not ignore settings.local.json: install says how to keep it out of commits', (t) => {
  if (spawnSync('git', ['--version']).status !== 0) return t.skip('git not installed');
  const h = setup(t);
  const proj = join(h.home, 'repo');
  mkdirSync(proj);
  assert.equal(spawnSync('git', ['init', '-q', proj]).status, 0);
  // HOME is the temporary one: no global git ignore from Claude Code.
  const r = h.run('install', '--scope', 'local', '--project-dir', proj, '--no-import');
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^Note: git does not ignore ~\/repo\/\.claude\/settings\.local\.json, and it names paths on this machine: add \.claude\/settings\.local\.json to the project's \.gitignore/m,
  );
  writeFileSync(join(proj, '.gitignore'), '.claude/settings.local.json\n');
  const again = h.run('install', '--scope', 'local', '--project-dir', proj, '--no-import');
  assert.doesNotMatch(again.stdout, /Note: git/);
  // Outside a work tree there is nothing to say.
  const plain = join(h.home, 'plain');
  mkdirSync(plain);
  assert.doesNotMatch(h.run('install', '--scope', 'local', '--project-dir', plain, '--no-import').stdout, /Note: git/);
});

test('install runs the first import unless --no-import', (t) => {
  const w = setup(t);
  const dir = join(w.projects, '-work-app');
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  writeFileSync(
    join(dir, 's1.jsonl'),
    [0, 1, 2].map((i) => assistantLine({ ts: now - 60_000 * (i + 1), msgId: `m${i}`, session: 's1' })).join('\n') +
      '\n',
  );
  const r = w.run('install');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'piped: no progress lines');
  assert.match(r.stdout, /Imported 3 responses from 1 of 1 transcript files/);
  const s = JSON.parse(w.run('status', '--json').stdout) as J;
  assert.equal(s.block.entries, 3);
});

test("from npx's cache, under a HOME with a space: the package is copied out and the written commands run", (t) => {
  const w = setup(t, 'ccguard install space ');
  assert.ok(w.home.includes(' '));
  // npx's layout: the package and its dependencies side by side in one node_modules.
  const modules = join(w.home, '.npm', '_npx', '0123abcd', 'node_modules');
  const pkg = join(modules, 'ccguard');
  mkdirSync(pkg, { recursive: true });
  for (const part of ['dist', 'bin', 'config.yaml', 'package.json'])
    cpSync(join(REPO, part), join(pkg, part), { recursive: true });
  for (const dep of readdirSync(join(REPO, 'node_modules'))) {
    if (!dep.startsWith('.')) symlinkSync(join(REPO, 'node_modules', dep), join(modules, dep));
  }
  const env = { PATH: process.env.PATH ?? '', HOME: w.home, TZ: 'UTC', NO_COLOR: '1' };
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'ccguard.js'), 'install', '--no-import'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /copied it to ~\/\.claude\/ccguard\/app and pointed the hooks there/);
  // The printed commands name the copy, which outlives npx's cache.
  assert.match(
    r.stdout,
    new RegExp(`^Undo with: \\S*node ${esc(shellWord(join(w.stateDir, 'app', 'bin', 'ccguard.js')))} uninstall$`, 'm'),
  );
  const app = join(w.stateDir, 'app');
  const s = w.json();
  const pre = commandOf(s, 'PreToolUse');
  assert.equal(pre, `"${process.execPath}" "${join(app, 'dist', 'hooks', 'pre-tool-use.js')}" --ccguard`);
  assert.ok(pre.includes(' space '), 'the path with the space is in the command');

  // The cache goes away; the commands keep working, run exactly as Claude Code runs them.
  rmSync(join(w.home, '.npm'), { recursive: true, force: true });
  const hookInput = JSON.stringify({
    session_id: 's1',
    transcript_path: join(w.home, 'none.jsonl'),
    cwd: w.home,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command: 'ls' },
  });
  for (const ev of EVENTS) {
    const h = spawnSync('/bin/sh', ['-c', commandOf(s, ev)], {
      input: hookInput,
      encoding: 'utf8',
      env: { ...env, CCGUARD_DISABLE: '1' },
    });
    assert.equal(h.status, 0, `${ev}: ${h.stderr}`);
    assert.equal(h.stdout, '');
  }
  const sl = spawnSync('/bin/sh', ['-c', s.statusLine.command as string], { input: '{}', encoding: 'utf8', env });
  assert.equal(sl.status, 0, sl.stderr);
  assert.match(sl.stdout, /^5h - · today \$0\.00 · ccguard ok\n$/, 'the copy loads its own node_modules (SQLite)');

  // Uninstalling with the copy's own CLI takes the copy away too.
  const u = spawnSync(process.execPath, [join(app, 'bin', 'ccguard.js'), 'uninstall'], { env, encoding: 'utf8' });
  assert.equal(u.status, 0, u.stderr);
  assert.ok(!existsSync(w.settings));
  assert.ok(!existsSync(app));
});

test("--no-statusline: the status line is left out; on a re-install it takes ccguard's out and puts the user's back", (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  const original = JSON.stringify(OTHERS, null, 2) + '\n';
  writeFileSync(w.settings, original);

  const out = w.run('install', '--no-statusline', '--no-import');
  assert.equal(out.code, 0, out.stderr);
  assert.match(
    out.stdout,
    /^Status line: left out \(--no-statusline\); ccguard gets no server usage figures from Claude Code/m,
  );
  assert.match(
    out.stdout,
    new RegExp(
      `reach ccguard only through the status line: run \\S*node ${esc(SCRIPT)} install \\(without --no-statusline\\) to set it up`,
    ),
  );
  assert.deepEqual(w.json().statusLine, OTHERS.statusLine, "the user's own, untouched");
  const withoutOurs = w.read();
  assert.equal(JSON.parse(readFileSync(join(w.stateDir, w.records()[0]!), 'utf8')).status_line, null);

  // A plain install later chains it...
  assert.equal(w.run('install', '--no-import').code, 0);
  assert.equal(w.json().statusLine.command, ourStatusLine(OTHERS.statusLine.command));
  // ...and --no-statusline takes ccguard's out again: the file is byte for byte as before.
  const back = w.run('install', '--no-statusline', '--no-import');
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /^Updated ~\/\.claude\/settings\.json/m);
  assert.match(back.stdout, /took ccguard's out again and put your own status line back/);
  assert.equal(w.read(), withoutOurs);
  const mtime = statSync(w.settings).mtimeMs;
  assert.equal(w.run('install', '--no-statusline', '--no-import').code, 0);
  assert.equal(statSync(w.settings).mtimeMs, mtime, 'again: nothing written');

  const u = w.run('uninstall');
  assert.equal(u.code, 0, u.stderr);
  assert.equal(w.read(), original, 'uninstall still gives the very first file back');

  // With no status line of the user's, --no-statusline removes ccguard's key entirely.
  rmSync(w.settings);
  assert.equal(w.run('install', '--no-import').code, 0);
  assert.ok('statusLine' in w.json());
  const gone = w.run('install', '--no-statusline', '--no-import');
  assert.match(gone.stdout, /took ccguard's out again; ccguard gets no server usage figures/);
  assert.ok(!('statusLine' in w.json()));
  assert.equal(w.run('uninstall').code, 0);
  assert.ok(!existsSync(w.settings), 'install created the file: uninstall removes it');

  // No flag asks for the status line (it is the default): one that tries is refused, naming the one there is.
  const asked = w.run('install', '--statusline', '--no-statusline');
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /unknown option --statusline: did you mean --no-statusline\?/);
});

test("uninstall puts the user's status line back after they changed the file, or removes the key when there was none", (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  writeFileSync(w.settings, JSON.stringify({ statusLine: OTHERS.statusLine, model: 'opus' }, null, 2) + '\n');
  assert.equal(w.run('install', '--no-import').code, 0);
  const s = w.json();
  s.model = 'sonnet'; // not untouched any more: uninstall takes entries out instead of restoring the backup
  writeFileSync(w.settings, JSON.stringify(s, null, 2) + '\n');
  assert.equal(w.run('uninstall').code, 0);
  assert.deepEqual(w.json(), { statusLine: OTHERS.statusLine, model: 'sonnet' });

  writeFileSync(w.settings, JSON.stringify({ model: 'opus' }, null, 2) + '\n');
  assert.equal(w.run('install', '--no-import').code, 0);
  const s2 = w.json();
  s2.model = 'haiku';
  writeFileSync(w.settings, JSON.stringify(s2, null, 2) + '\n');
  assert.equal(w.run('uninstall').code, 0);
  assert.deepEqual(w.json(), { model: 'haiku' });
});

test("local scope under a user status line: ccguard's chains the user's, which comes back untouched on uninstall", (t) => {
  const w = setup(t);
  mkdirSync(w.claude, { recursive: true });
  const user = JSON.stringify({ statusLine: OTHERS.statusLine }, null, 2) + '\n';
  writeFileSync(w.settings, user);
  const proj = join(w.home, 'proj');
  mkdirSync(proj);
  const projFile = join(proj, '.claude', 'settings.local.json');
  const r = w.run('install', '--scope', 'local', '--project-dir', proj, '--no-import');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /runs your own status line command \(from a settings file below this one\)/);
  const s = JSON.parse(readFileSync(projFile, 'utf8')) as J;
  assert.equal(
    s.statusLine.command,
    ourStatusLine(OTHERS.statusLine.command),
    "the user scope's would otherwise be hidden",
  );
  const installed = readFileSync(projFile, 'utf8');
  assert.equal(w.run('install', '--scope', 'local', '--project-dir', proj, '--no-import').code, 0);
  assert.equal(readFileSync(projFile, 'utf8'), installed, 'second install: identical');
  assert.equal(w.read(), user, 'the user file is never touched');
  assert.equal(w.run('uninstall', '--scope', 'local', '--project-dir', proj).code, 0);
  assert.ok(!existsSync(projFile));
  assert.equal(w.read(), user);
});

test('install --help and uninstall --help print their usage; install offers only the scopes it accepts', (t) => {
  const w = setup(t);
  const r = w.run('install', '--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^Usage: ccguard install \[--scope user\|local\] \[--project-dir DIR\] \[--dry-run\] \[--no-statusline\] \[--no-import\]/,
  );
  assert.doesNotMatch(r.stdout, /project\)|\|project|--scope project/, 'project scope is refused, so not offered');
  const bad = w.run('install', '--scope', 'team');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--scope must be one of user, local \(got "team"\)/);
  assert.match(r.stdout, /--no-statusline +leave the status line out/);
  assert.doesNotMatch(r.stdout, /--statusline /, 'the status line is set up by default: no flag asks for it');
  assert.match(
    r.stdout,
    /^ +ccguard install \[--config-dir DIR\] \[--dry-run\]/m,
    'the form for Claude Code config folders',
  );
  assert.ok(!existsSync(w.settings), 'and installs nothing');
  const u = w.run('uninstall', '-h');
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, /^Usage: ccguard uninstall/);
});

test('install with a broken config.yaml refuses, naming the problem once, and writes nothing', (t) => {
  const w = setup(t);
  mkdirSync(w.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(w.stateDir, 'config.yaml'), 'mode: sometimes\n');
  const r = w.run('install', '--no-import');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.match(/mode must be enforce or observe/g)?.length, 1, r.stderr);
  assert.match(r.stderr, /fix the error above, then run install again\n$/);
  assert.ok(!existsSync(w.settings), 'nothing written');
});

test('install.ts at the top of a checkout is `ccguard install` (and `uninstall` when asked)', (t) => {
  const s = setup(t);
  const tsx = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'install.ts'), ...args], {
      cwd: REPO,
      env: { ...process.env, ...s.env },
      encoding: 'utf8',
    });
  const dry = tsx(['--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^--- \/dev\/null\n\+\+\+ .*settings\.json\n/);
  assert.equal(existsSync(s.settings), false, 'a dry run writes nothing');
  const done = tsx([]);
  assert.equal(done.status, 0, done.stderr);
  assert.deepEqual(Object.keys((JSON.parse(readFileSync(s.settings, 'utf8')) as J).hooks).sort(), [...EVENTS].sort());
  const gone = tsx(['uninstall']);
  assert.equal(gone.status, 0, gone.stderr);
  assert.equal(existsSync(s.settings), false, 'uninstall removes the file install created');
  const bad = tsx(['--scope', 'nowhere']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--scope must be one of/);
});

test('CLAUDE_CONFIG_DIR names the user settings: each of its folders gets the hooks; --config-dir names others; printed commands carry them', (t) => {
  const w = setup(t);
  const a = join(w.home, 'cfg a');
  const b = join(w.home, 'cfg-b');
  const r = ccguard(['install', '--no-import'], { ...w.env, CLAUDE_CONFIG_DIR: `${a},${b}` });
  assert.equal(r.code, 0, r.stderr);
  for (const dir of [a, b]) assert.ok(existsSync(join(dir, 'settings.json')), `${dir}/settings.json in:\n${r.stdout}`);
  assert.ok(!existsSync(w.settings), 'not ~/.claude/settings.json, which Claude Code does not read then');
  // The printed undo names both folders: pasted into a shell without the variable, it takes both out.
  const undo = runPrinted(r.stdout, 'Undo with: ', w.env);
  assert.match(undo.cmd, /uninstall --config-dir /);
  assert.equal(undo.code, 0, undo.out);
  for (const dir of [a, b]) assert.ok(!existsSync(join(dir, 'settings.json')), undo.out);

  const dry = w.run('install', '--dry-run', '--config-dir', a);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Dry run: nothing written\. Without --dry-run this creates .*cfg a\/settings\.json\./);
  assert.ok(!existsSync(join(a, 'settings.json')));
  const local = w.run('install', '--scope', 'local', '--project-dir', w.home, '--config-dir', a);
  assert.equal(local.code, 2);
  assert.match(local.stderr, /--config-dir is for user scope/);
});
