import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookEnv } from '../helpers/hookEnv.ts';
import { ccguard } from '../helpers/cli.ts';

interface Doc {
  ok: boolean;
  checks: { name: string; level: string; detail: string; fix?: string }[];
}

const byName = (d: Doc, name: string) => d.checks.filter((c) => c.name === name);

test('doctor before install: hooks fail with a fix, exit 1', () => {
  const e = hookEnv();
  try {
    const r = ccguard(['doctor', '--json', '--project-dir', e.home], e.env);
    assert.equal(r.code, 1, r.stderr);
    const d = JSON.parse(r.stdout) as Doc;
    assert.equal(d.ok, false);
    assert.equal(byName(d, 'hooks')[0]!.level, 'fail');
    assert.match(byName(d, 'hooks')[0]!.fix ?? '', /ccguard install/);
  } finally {
    e.cleanup();
  }
});

test('doctor after install and a few hook runs: hooks resolve, database sound, latency figures, notifier found', () => {
  const e = hookEnv('plan: 1000000\n');
  try {
    const project = join(e.home, 'proj');
    mkdirSync(project);
    const inst = ccguard(['install', '--scope', 'project', '--project-dir', project, '--no-import'], e.env);
    assert.equal(inst.code, 0, inst.stderr);
    e.usage('s1', [{ ts: Date.now() - 60_000 }]);
    for (let i = 0; i < 3; i++) e.run('PreToolUse', e.input('PreToolUse', 's1', { tool_name: 'Bash' }));
    e.run('Stop', e.input('Stop', 's1'));
    const r = ccguard(['doctor', '--json', '--project-dir', project], e.env);
    const d = JSON.parse(r.stdout) as Doc;
    assert.equal(r.code, 0, JSON.stringify(d.checks.filter((c) => c.level === 'fail')));
    assert.equal(byName(d, 'hooks')[0]!.level, 'ok');
    assert.match(byName(d, 'hooks')[0]!.detail, /8 hook entries, commands resolve/);
    assert.match(byName(d, 'database')[0]!.detail, /integrity ok, mode 600 in a 700 folder/);
    assert.match(byName(d, 'hook PreToolUse')[0]!.detail, /median [\d.]+ ms, p95 [\d.]+ ms over 3 runs/);
    // Some events are rare (StopFailure, SubagentStop): not having run is no warning once others have.
    assert.equal(byName(d, 'hook SessionEnd')[0]!.level, 'ok');
    assert.match(byName(d, 'hook SessionEnd')[0]!.detail, /has not run yet/);
    assert.equal(byName(d, 'notifier')[0]!.level, 'ok');
    assert.match(byName(d, 'claude-monitor')[0]!.detail, /not found/);
    const text = ccguard(['doctor', '--project-dir', project], e.env);
    assert.match(text.stdout, /^ok +hooks +.*8 hook entries/m);
    assert.match(text.stdout, /\d+ failed, \d+ warnings, \d+ ok/);
  } finally {
    e.cleanup();
  }
});

test('doctor: a hook command pointing at a missing file fails; no notify-send is a warning', () => {
  const e = hookEnv();
  try {
    const project = join(e.home, 'proj');
    mkdirSync(join(project, '.claude'), { recursive: true });
    writeFileSync(
      join(project, '.claude', 'settings.json'),
      JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: 'command', command: '"/nonexistent/node" "/gone/dist/hooks/stop.js" --ccguard' }] }] } }),
    );
    const r = ccguard(['doctor', '--json', '--project-dir', project], { ...e.env, PATH: '/usr/bin:/bin' });
    const d = JSON.parse(r.stdout) as Doc;
    assert.equal(r.code, 1);
    assert.match(byName(d, 'hooks')[0]!.detail, /commands point at missing files/);
    assert.equal(byName(d, 'notifier')[0]!.level, 'warn');
  } finally {
    e.cleanup();
  }
});
