import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  hasCcguard,
  installInto,
  statusLineOf,
  uninstallFrom,
  userStatusLine,
  type InstallSpec,
} from '../../lib/settings/edit.ts';
import {
  chainedCommand,
  hookCommand,
  hookTimeout,
  SLEEPING_EVENTS,
  isCcguardHookCommand,
  isCcguardStatusLineCommand,
  shQuote,
  splitOwnCommand,
  statusLineCommand,
} from '../../lib/settings/hookCommand.ts';
import { SettingsError } from '../../lib/settings/errors.ts';
import { HOOK_EVENTS, type PolicyInput } from '../../lib/policy/types.ts';
import { evaluate } from '../../lib/policy/evaluate.ts';
import { loadConfig } from '../../lib/config/load.ts';

type J = Record<string, any>;

const F = '/home/u/.claude/settings.json';
const SPEC: InstallSpec = { nodePath: '/usr/bin/node', root: '/opt/ccguard', maxSleepSeconds: 20, statusLine: false };

/** What Claude Code itself writes: JSON.stringify(x, null, 2) and a newline. */
const cc = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

const OTHERS = {
  permissions: { allow: ['Bash(npm test)'], deny: [] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'other-guard --check', timeout: 5 }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'notify-done' }] }],
    Notification: [{ hooks: [{ type: 'command', command: 'say hi' }] }],
  },
  statusLine: { type: 'command', command: 'echo "$(whoami)"', padding: 0 },
  zzUnknown: { nested: [1, 2] },
};

function commandsOf(settings: J, event: string): string[] {
  return (settings.hooks?.[event] ?? []).flatMap((g: J) => (g.hooks ?? []).map((h: J) => h.command as string));
}

test('hook timeout: the events that may sleep outlast the longest sleep with a margin, never under a minute; the others a minute', () => {
  assert.deepEqual([...SLEEPING_EVENTS], ['PreToolUse', 'UserPromptSubmit']);
  for (const ev of ['PreToolUse', 'UserPromptSubmit'] as const) {
    assert.equal(hookTimeout(ev, 20), 60);
    assert.equal(hookTimeout(ev, 0), 60);
    assert.equal(hookTimeout(ev, 45), 75);
    assert.equal(hookTimeout(ev, 100), 130);
    assert.equal(hookTimeout(ev, 100.5), 131);
    assert.equal(hookTimeout(ev, 600), 630, 'the largest recovery.max_sleep_seconds allows');
  }
  for (const ev of HOOK_EVENTS.filter((e) => !SLEEPING_EVENTS.has(e))) assert.equal(hookTimeout(ev, 600), 60, ev);

  const s = JSON.parse(installInto('', F, { ...SPEC, maxSleepSeconds: 100 }).text) as J;
  for (const ev of HOOK_EVENTS) assert.equal(s.hooks[ev][0].hooks[0].timeout, SLEEPING_EVENTS.has(ev) ? 130 : 60, ev);
});

test('only the events in SLEEPING_EVENTS ever sleep: a backoff in force delays those two and no other', () => {
  // The short timeout on the other events rests on this; a policy change that sleeps elsewhere must move it.
  const config = loadConfig('/nonexistent/config.yaml').config;
  const now = Date.UTC(2026, 11, 6, 12, 0);
  for (const hook of HOOK_EVENTS) {
    const i: PolicyInput = {
      hook,
      tool: hook === 'PreToolUse' ? 'Bash' : null,
      sessionId: 's1',
      now,
      config,
      sessionClockFrom: now - 60_000,
      pause: null,
      backoff: { level: 1, until: now + 10_000, lastErrorAt: now - 20_000 },
      forcedDegrade: false,
      usage: {
        source: 'server:five_hour',
        window: 'five_hour',
        ageMs: 0,
        confidence: 'official',
        limitTokens: null,
        usedTokens: 0,
        share: 0.97,
        projectedShare: null,
        projectionBasis: null,
        costUsd: 0,
        blockStart: now - 3_600_000,
        resetAt: now + 4 * 3_600_000,
        tokensPerCall: 500,
        burnPerMinute: null,
      },
    };
    const v = evaluate(i);
    assert.equal(v.sleepMs > 0, SLEEPING_EVENTS.has(hook), `${hook}: ${v.action} ${v.sleepMs} ms`);
  }
});

test('install into nothing: every event gets one ccguard entry, matcher "*" only for the tool events', () => {
  const r = installInto('', F, SPEC);
  assert.ok(r.changed);
  assert.ok(r.text.endsWith('}\n'));
  const s = JSON.parse(r.text) as J;
  assert.deepEqual(Object.keys(s), ['hooks']);
  assert.deepEqual(Object.keys(s.hooks), [...HOOK_EVENTS]);
  for (const ev of HOOK_EVENTS) {
    const groups = s.hooks[ev] as J[];
    assert.equal(groups.length, 1);
    if (ev === 'PreToolUse' || ev === 'PostToolUse') assert.equal(groups[0]!.matcher, '*');
    else assert.ok(!('matcher' in groups[0]!), `${ev} has no matcher field`);
    assert.deepEqual(groups[0]!.hooks, [
      { type: 'command', command: hookCommand('/usr/bin/node', '/opt/ccguard', ev), timeout: 60 },
    ]);
  }
  assert.equal(
    s.hooks.PreToolUse[0].hooks[0].command,
    '"/usr/bin/node" "/opt/ccguard/dist/hooks/pre-tool-use.js" --ccguard',
  );
  assert.equal(
    s.hooks.SessionEnd[0].hooks[0].command,
    '"/usr/bin/node" "/opt/ccguard/dist/hooks/session-end.js" --ccguard',
  );
  // Notification: no matcher (every notification_type, the automatic continue's among them), like Stop.
  assert.deepEqual(s.hooks.Notification, [
    {
      hooks: [
        {
          type: 'command',
          command: '"/usr/bin/node" "/opt/ccguard/dist/hooks/notification.js" --ccguard',
          timeout: 60,
        },
      ],
    },
  ]);
  assert.ok(r.createdHooksKey);
  assert.deepEqual(r.createdEvents, [...HOOK_EVENTS]);
  assert.equal(r.hadCcguard, false);
});

test('install into an empty file and into "{}"', () => {
  for (const text of ['', '{}', '{}\n', '{\n}\n']) {
    const r = installInto(text, F, SPEC);
    assert.equal(Object.keys((JSON.parse(r.text) as J).hooks).length, HOOK_EVENTS.length, JSON.stringify(text));
    assert.equal(uninstallFrom(r.text, F, undefined).text.trim().replace(/\s/g, ''), '{}');
  }
});

test("install keeps other tools' hooks, permissions, unknown keys and key order; only adds lines", () => {
  const text = cc(OTHERS);
  const r = installInto(text, F, SPEC);
  const s = JSON.parse(r.text) as J;
  assert.deepEqual(Object.keys(s), Object.keys(OTHERS));
  assert.deepEqual(s.permissions, OTHERS.permissions);
  assert.deepEqual(s.zzUnknown, OTHERS.zzUnknown);
  assert.deepEqual(s.statusLine, OTHERS.statusLine, "statusLine: false: the user's status line is left alone");
  assert.deepEqual(Object.keys(s.hooks), [
    'PreToolUse',
    'Stop',
    'Notification',
    'PostToolUse',
    'UserPromptSubmit',
    'StopFailure',
    'SubagentStop',
    'SessionStart',
    'SessionEnd',
  ]);
  assert.deepEqual(commandsOf(s, 'PreToolUse'), [
    'other-guard --check',
    hookCommand('/usr/bin/node', '/opt/ccguard', 'PreToolUse'),
  ]);
  assert.deepEqual(commandsOf(s, 'Stop'), ['notify-done', hookCommand('/usr/bin/node', '/opt/ccguard', 'Stop')]);
  assert.deepEqual(commandsOf(s, 'Notification'), [
    'say hi',
    hookCommand('/usr/bin/node', '/opt/ccguard', 'Notification'),
  ]);
  assert.deepEqual(
    s.hooks.Notification.map((g: J) => 'matcher' in g),
    [false, false],
  );
  // Every original line is still there, in order: install only inserted lines.
  const after = r.text.split('\n');
  let k = 0;
  for (const line of text.split('\n')) {
    while (k < after.length && after[k] !== line && after[k] !== line + ',') k++;
    assert.ok(k < after.length, `original line kept: ${line}`);
    k++;
  }
  assert.deepEqual(r.createdEvents, [
    'PostToolUse',
    'UserPromptSubmit',
    'StopFailure',
    'SubagentStop',
    'SessionStart',
    'SessionEnd',
  ]);
  assert.equal(r.createdHooksKey, false);
});

test('a second install is byte-identical; uninstall gives back the original bytes', () => {
  const originals = [
    cc(OTHERS),
    cc({ hooks: { Stop: [] } }),
    cc({ model: 'opus' }),
    JSON.stringify(OTHERS, null, 4) + '\n',
    JSON.stringify(OTHERS, null, '\t'),
    cc({}),
  ];
  for (const text of originals) {
    const first = installInto(text, F, SPEC);
    const second = installInto(first.text, F, SPEC);
    assert.equal(second.text, first.text);
    assert.equal(second.changed, false);
    assert.ok(second.hadCcguard);
    const record = {
      version: 1 as const,
      settings_path: F,
      scope: 'user',
      installed_at: '',
      original_existed: true,
      original_sha256: null,
      backup_path: null,
      written_sha256: '',
      created_hooks_key: first.createdHooksKey,
      created_events: first.createdEvents,
      status_line: null,
      app_root: '/opt/ccguard',
    };
    assert.equal(uninstallFrom(first.text, F, record).text, text, `restored: ${JSON.stringify(text).slice(0, 40)}`);
    if (!text.includes('"Stop": []'))
      assert.equal(uninstallFrom(first.text, F, undefined).text, text, 'also without the record');
  }
});

test('indentation of the file is kept: tabs and four spaces', () => {
  const tabs = installInto(JSON.stringify(OTHERS, null, '\t'), F, SPEC).text;
  assert.match(tabs, /\n\t"hooks": \{\n\t\t"PreToolUse": \[/);
  assert.ok(!/\n {2}"/.test(tabs));
  const four = installInto(JSON.stringify(OTHERS, null, 4), F, SPEC).text;
  assert.match(four, /\n {8}"SessionEnd": \[\n {12}\{\n {16}"hooks"/);
});

test('an older ccguard entry is replaced in place; duplicates and entries under other events go', () => {
  const old = {
    type: 'command',
    command: '"/usr/bin/node" "/old/place/dist/hooks/pre-tool-use.js" --ccguard',
    timeout: 600,
  };
  const text = cc({
    hooks: {
      PreToolUse: [
        { matcher: '*', hooks: [{ type: 'command', command: 'mine-first' }, old] },
        { matcher: '*', hooks: [old] },
      ],
      PreCompact: [{ hooks: [{ ...old, command: old.command.replace('pre-tool-use', 'stop') }] }],
    },
  });
  const r = installInto(text, F, SPEC);
  const s = JSON.parse(r.text) as J;
  assert.deepEqual(s.hooks.PreToolUse, [
    {
      matcher: '*',
      hooks: [
        { type: 'command', command: 'mine-first' },
        { type: 'command', command: hookCommand('/usr/bin/node', '/opt/ccguard', 'PreToolUse'), timeout: 60 },
      ],
    },
  ]);
  assert.equal(
    s.hooks.PreCompact,
    undefined,
    "ccguard's entry under an event it does not use is dropped, then its empty key",
  );
  assert.ok(r.hadCcguard);
});

test('an entry in a group narrowed to some tools moves to a "*" group', () => {
  const text = cc({
    hooks: {
      PreToolUse: [
        {
          matcher: 'Bash',
          hooks: [
            { type: 'command', command: hookCommand('/usr/bin/node', '/opt/ccguard', 'PreToolUse'), timeout: 60 },
          ],
        },
      ],
    },
  });
  const s = JSON.parse(installInto(text, F, SPEC).text) as J;
  assert.deepEqual(
    s.hooks.PreToolUse.map((g: J) => g.matcher),
    ['*'],
  );
});

test('Notification: an entry narrowed to some notification types moves to a group without a matcher; "*" or none stays', () => {
  const entry = { type: 'command', command: hookCommand('/usr/bin/node', '/opt/ccguard', 'Notification'), timeout: 60 };
  const narrowed = cc({ hooks: { Notification: [{ matcher: 'permission_prompt', hooks: [entry] }] } });
  const s = JSON.parse(installInto(narrowed, F, SPEC).text) as J;
  assert.deepEqual(s.hooks.Notification, [{ hooks: [entry] }], 'the narrowed group, left empty, goes');
  for (const group of [{ matcher: '*', hooks: [entry] }, { matcher: '', hooks: [entry] }, { hooks: [entry] }]) {
    const text = installInto(cc({ hooks: { Notification: [group] } }), F, SPEC).text;
    assert.deepEqual((JSON.parse(text) as J).hooks.Notification, [group], JSON.stringify(group));
  }
});

test('recognition: the marker and a ccguard entry point are both needed', () => {
  assert.ok(isCcguardHookCommand(hookCommand('/n', '/r', 'Stop')));
  assert.ok(isCcguardHookCommand('node /x/dist/hooks/stop.js --ccguard'));
  assert.ok(!isCcguardHookCommand('node /x/dist/hooks/stop.js'), "another package's hook of the same layout");
  assert.ok(!isCcguardHookCommand('other --ccguard'), 'a stray marker');
  assert.ok(!isCcguardHookCommand('node /x/dist/hooks/stop.js --ccguard-like'));
  assert.ok(isCcguardStatusLineCommand(statusLineCommand('/n', '/r')));
  assert.ok(isCcguardStatusLineCommand(statusLineCommand('/n', '/r', 'echo hi')));
  assert.ok(!isCcguardStatusLineCommand('"/n" "/r/dist/lib/cli/main.js" statusline'));
  const text = cc({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'node /other/dist/hooks/stop.js' }] }] } });
  const out = uninstallFrom(installInto(text, F, SPEC).text, F, undefined).text;
  assert.equal(out, text, 'the look-alike survives install and uninstall');
});

test('quoting: a path with spaces, quotes, dollars and backticks is one shell argument', () => {
  const nasty = '/home/Jane Doe/it\'s "$HOME" `x` \\ end';
  const cmd = `printf '%s\\n' ${shQuote(nasty)} ${shQuote('second arg')}`;
  const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  assert.equal(r.stdout, `${nasty}\nsecond arg\n`);
  assert.deepEqual(splitOwnCommand(statusLineCommand('/usr/bin/node', '/a b', nasty)), [
    '/usr/bin/node',
    '/a b/dist/lib/cli/main.js',
    'statusline',
    '--ccguard',
    '--then',
    nasty,
  ]);
  assert.equal(chainedCommand(statusLineCommand('/n', '/r', nasty)), nasty);
  assert.equal(chainedCommand(statusLineCommand('/n', '/r')), undefined);
});

test("installing the status line chains the user's own command (keeping padding); uninstall restores it exactly", () => {
  const text = cc(OTHERS);
  const r = installInto(text, F, { ...SPEC, statusLine: true });
  const s = JSON.parse(r.text) as J;
  assert.deepEqual(s.statusLine, {
    type: 'command',
    command: statusLineCommand('/usr/bin/node', '/opt/ccguard', 'echo "$(whoami)"'),
    padding: 0,
  });
  assert.deepEqual(r.statusLine, {
    hadOriginal: true,
    original: OTHERS.statusLine,
    chained: 'echo "$(whoami)"',
    inherited: false,
  });
  assert.equal(r.statusLineRemoved, null);
  assert.deepEqual(Object.keys(s).indexOf('statusLine'), Object.keys(OTHERS).indexOf('statusLine'), 'in place');
  assert.equal(
    installInto(r.text, F, { ...SPEC, statusLine: true }).text,
    r.text,
    'a second install does not chain ccguard to itself',
  );
  const record = {
    version: 1 as const,
    settings_path: F,
    scope: 'user',
    installed_at: '',
    original_existed: true,
    original_sha256: null,
    backup_path: null,
    written_sha256: '',
    created_hooks_key: false,
    created_events: r.createdEvents,
    status_line: { had_original: true, original: OTHERS.statusLine },
    app_root: '/opt/ccguard',
  };
  const back = uninstallFrom(r.text, F, record);
  assert.equal(back.text, text);
  assert.equal(back.statusLine, 'restored');
  // Without a record the chained command comes back from ccguard's own command line, padding with it.
  assert.equal(uninstallFrom(r.text, F, undefined).text, text);
});

test("installing the status line with no status line before: ccguard's own, removed again on uninstall", () => {
  const text = cc({ model: 'opus' });
  const r = installInto(text, F, { ...SPEC, statusLine: true });
  const s = JSON.parse(r.text) as J;
  assert.deepEqual(s.statusLine, {
    type: 'command',
    command: '"/usr/bin/node" "/opt/ccguard/dist/lib/cli/main.js" statusline --ccguard',
  });
  assert.deepEqual(r.statusLine, { hadOriginal: false, original: undefined, chained: undefined, inherited: false });
  assert.ok(hasCcguard(r.text, F));
  assert.equal(uninstallFrom(r.text, F, undefined).text, text);
});

test("uninstall after the user edited the file removes exactly ccguard's entries and keeps the edits", () => {
  const installed = JSON.parse(installInto(cc(OTHERS), F, SPEC).text) as J;
  installed.permissions.allow.push('Read');
  installed.hooks.PostToolUse[0].hooks.push({ type: 'command', command: 'added-later' });
  const back = JSON.parse(uninstallFrom(cc(installed), F, undefined).text) as J;
  assert.deepEqual(back.permissions.allow, ['Bash(npm test)', 'Read']);
  assert.deepEqual(back.hooks.PostToolUse, [{ matcher: '*', hooks: [{ type: 'command', command: 'added-later' }] }]);
  assert.deepEqual(Object.keys(back.hooks), ['PreToolUse', 'Stop', 'Notification', 'PostToolUse']);
  assert.ok(!hasCcguard(cc(back), F));
});

test('a file that is not JSON, or not shaped like settings, is refused with a one-line error', () => {
  assert.throws(
    () => installInto('{\n  "permissions": {\n    "allow": ["x",]\n  }\n}\n', F, SPEC),
    (e: unknown) =>
      e instanceof SettingsError &&
      e.message === `${F} is not valid JSON: unexpected "]" where a value should start at line 3:19; left it untouched`,
  );
  assert.throws(
    () => installInto('[1]', F, SPEC),
    (e: unknown) => e instanceof SettingsError && /must hold a JSON object/.test(e.message),
  );
  assert.throws(
    () => installInto(cc({ hooks: { Stop: { hooks: [] } } }), F, SPEC),
    (e: unknown) =>
      e instanceof SettingsError &&
      /hooks\.Stop must be a list of matcher groups/.test(e.message) &&
      !e.message.includes('\n'),
  );
  assert.throws(
    () => installInto(cc({ hooks: [] }), F, SPEC),
    (e: unknown) => e instanceof SettingsError && /hooks must be an object/.test(e.message),
  );
  // Odd groups and hook objects are someone else's business, not an error.
  const odd = cc({ hooks: { Stop: ['not a group', { hooks: 'nope' }, { hooks: [42, { type: 'prompt' }] }] } });
  const r = installInto(odd, F, SPEC);
  assert.equal(uninstallFrom(r.text, F, undefined).text, odd);
});

const RECORD = {
  version: 1 as const,
  settings_path: F,
  scope: 'user',
  installed_at: '',
  original_existed: true,
  original_sha256: null,
  backup_path: null,
  written_sha256: '',
  created_hooks_key: false,
  created_events: [] as string[],
  app_root: '/opt/ccguard',
};

test("statusLine: false over ccguard's status line takes it out again: the user's comes back exactly, or the key goes", () => {
  // The user had one: chained, then left out again (with the record, and without it).
  const text = cc(OTHERS);
  const withoutSl = installInto(text, F, SPEC).text;
  const chained = installInto(text, F, { ...SPEC, statusLine: true });
  const record = { ...RECORD, status_line: { had_original: true, original: OTHERS.statusLine } };
  for (const rec of [record, undefined]) {
    const out = installInto(chained.text, F, { ...SPEC, record: rec });
    assert.equal(out.text, withoutSl, 'byte for byte what an install without the status line writes');
    assert.equal(out.statusLineRemoved, 'restored');
    assert.equal(out.statusLine, null);
    assert.ok(out.hadCcguard);
    assert.equal(installInto(out.text, F, SPEC).changed, false, 'and again: nothing to do');
  }
  // There was none: ccguard's goes, with its key.
  const plain = cc({ model: 'opus' });
  const own = installInto(plain, F, { ...SPEC, statusLine: true }).text;
  const out = installInto(own, F, { ...SPEC, record: { ...RECORD, status_line: { had_original: false } } });
  assert.equal(out.statusLineRemoved, 'removed');
  assert.equal(out.text, installInto(plain, F, SPEC).text);
  assert.ok(!('statusLine' in (JSON.parse(out.text) as J)));
  // Another tool's status line is never taken out.
  assert.equal(installInto(text, F, SPEC).statusLineRemoved, null);
});

test('a status line inherited from a settings file below: chained, not copied into this file on uninstall', () => {
  const inherited = { type: 'command', command: 'my-line --short', padding: 1 };
  const text = cc({ model: 'opus' });
  const r = installInto(text, F, { ...SPEC, statusLine: true, inheritedStatusLine: inherited });
  const s = JSON.parse(r.text) as J;
  assert.deepEqual(s.statusLine, {
    type: 'command',
    command: statusLineCommand('/usr/bin/node', '/opt/ccguard', 'my-line --short'),
    padding: 1,
  });
  assert.deepEqual(r.statusLine, {
    hadOriginal: false,
    original: undefined,
    chained: 'my-line --short',
    inherited: true,
  });
  const record = {
    ...RECORD,
    created_hooks_key: r.createdHooksKey,
    created_events: r.createdEvents,
    status_line: { had_original: false },
  };
  assert.equal(
    installInto(r.text, F, { ...SPEC, statusLine: true, inheritedStatusLine: inherited, record }).changed,
    false,
    'second install',
  );
  assert.equal(
    installInto(r.text, F, { ...SPEC, statusLine: true, inheritedStatusLine: inherited }).changed,
    false,
    'also without the record',
  );
  assert.equal(uninstallFrom(r.text, F, record).text, text);
  assert.equal(
    uninstallFrom(r.text, F, undefined, inherited).text,
    text,
    'no record: the chained command is the inherited one',
  );
  assert.equal(
    installInto(r.text, F, { ...SPEC, inheritedStatusLine: inherited }).text,
    installInto(text, F, SPEC).text,
    'left out again',
  );
  // This file's own status line comes first.
  const own = installInto(cc(OTHERS), F, { ...SPEC, statusLine: true, inheritedStatusLine: inherited });
  assert.equal(own.statusLine?.chained, 'echo "$(whoami)"');
  assert.equal(own.statusLine?.inherited, false);
});

test("userStatusLine and statusLineOf: what a file sets, and the user's own under ccguard's", () => {
  assert.deepEqual(statusLineOf(cc(OTHERS), F), OTHERS.statusLine);
  assert.equal(statusLineOf(cc({ model: 'x' }), F), undefined);
  assert.equal(statusLineOf('', F), undefined);
  assert.throws(() => statusLineOf('{', F), SettingsError);
  assert.deepEqual(userStatusLine(OTHERS.statusLine), OTHERS.statusLine);
  assert.deepEqual(userStatusLine({ type: 'command', command: statusLineCommand('/n', '/r', 'echo hi'), padding: 2 }), {
    type: 'command',
    command: 'echo hi',
    padding: 2,
  });
  assert.equal(userStatusLine({ type: 'command', command: statusLineCommand('/n', '/r') }), undefined);
  assert.equal(userStatusLine(undefined), undefined);
});
