import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers/tmp.ts';
import { backupLabel, backupStamp } from '../../lib/settings/targets.ts';
import { listBackups, moveLegacyBackups, pruneBackups, writeBackup } from '../../lib/settings/files.ts';

const env = { HOME: '/home/u' };

test('backupLabel: says which settings file, groups by a hash of the full path', () => {
  assert.match(backupLabel('/home/u/.claude/settings.json', env), /^home_settings-[0-9a-f]{10}$/);
  assert.match(
    backupLabel('/home/u/work/app/.claude/settings.local.json', env),
    /^home_work_app_settings\.local-[0-9a-f]{10}$/,
  );
  assert.match(backupLabel('/srv/my app/.claude/settings.json', env), /^srv_my_app_settings-[0-9a-f]{10}$/);
  // Two folders that read the same once sanitised stay apart by the hash.
  assert.notEqual(
    backupLabel('/srv/a b/.claude/settings.json', env),
    backupLabel('/srv/a_b/.claude/settings.json', env),
  );
  const deep = `/home/u/${'x'.repeat(300)}/.claude/settings.json`;
  const label = backupLabel(deep, env);
  assert.ok(label.length <= 111, `${label.length}`);
  assert.match(label, /^x+_settings-[0-9a-f]{10}$/, 'a long path keeps its tail');
  assert.equal(backupStamp(Date.UTC(2026, 0, 24, 14, 5, 1, 123)), '20260124T140501.123Z');
});

test('writeBackup, listBackups, pruneBackups: private files, oldest first, the newest N and the protected one kept', (t) => {
  const root = tmpDir(t, 'ccguard-backups-');
  const state = join(root, 'state');
  const e = { HOME: root };
  const file = join(root, 'p', '.claude', 'settings.json');
  const other = join(root, 'q', '.claude', 'settings.json');
  const t0 = Date.UTC(2026, 0, 1);
  const paths = [0, 1, 2, 3, 4].map((i) => writeBackup(state, file, `v${i}`, e, t0 + i * 1000));
  // The same millisecond twice: a second name, sorted after the first.
  const twin = writeBackup(state, file, 'v4b', e, t0 + 4000);
  writeBackup(state, other, 'other', e, t0);
  assert.equal(statSync(join(state, 'backups')).mode & 0o777, 0o700);
  assert.equal(statSync(paths[0]!).mode & 0o777, 0o600);
  assert.deepEqual(
    listBackups(state, file).map((b) => readFileSync(b.path, 'utf8')),
    ['v0', 'v1', 'v2', 'v3', 'v4', 'v4b'],
  );
  assert.match(twin, /\.20260101T000004\.000Z-1\.json$/);

  const removed = pruneBackups(state, file, 3, [paths[1]]);
  assert.deepEqual(removed, [paths[0], paths[2]]);
  assert.deepEqual(
    listBackups(state, file).map((b) => readFileSync(b.path, 'utf8')),
    ['v1', 'v3', 'v4', 'v4b'],
  );
  assert.equal(listBackups(state, other).length, 1, "another file's backups are not counted or touched");
});

test("moveLegacyBackups: only regular files named like an earlier version's backups of that file, their time kept", (t) => {
  const root = tmpDir(t, 'ccguard-legacy-');
  const state = join(root, 'state');
  const dir = join(root, 'p', '.claude');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'settings.json');
  writeFileSync(file, '{}');
  writeFileSync(`${file}.ccguard-backup-20250101T000000.000Z`, 'a');
  writeFileSync(`${file}.ccguard-backup-20250101T000000.000Z-1`, 'b');
  writeFileSync(`${file}.ccguard-backup-later`, 'not ours');
  writeFileSync(join(dir, 'settings.local.json.ccguard-backup-20250101T000000.000Z'), "the local file's");
  symlinkSync('/etc/hostname', `${file}.ccguard-backup-20250102T000000.000Z`);
  const moved = moveLegacyBackups(state, file, file, { HOME: root }, Date.now());
  assert.equal(moved.size, 2);
  assert.deepEqual(
    listBackups(state, file).map((b) => [b.stamp, b.n, readFileSync(b.path, 'utf8')]),
    [
      ['20250101T000000.000Z', 0, 'a'],
      ['20250101T000000.000Z', 1, 'b'],
    ],
  );
  assert.deepEqual(readdirSync(dir).sort(), [
    'settings.json',
    'settings.json.ccguard-backup-20250102T000000.000Z',
    'settings.json.ccguard-backup-later',
    'settings.local.json.ccguard-backup-20250101T000000.000Z',
  ]);
  assert.ok(existsSync(moved.get(`${file}.ccguard-backup-20250101T000000.000Z`)!));
});
