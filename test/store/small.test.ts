// The small tables, each on a temporary database: files, dirs, marks, recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';
import type { FileRow } from '../../lib/store/files.ts';
import type { RecoveryRow } from '../../lib/store/recovery.ts';

const file = (path: string, more: Partial<FileRow> = {}): FileRow => ({
  path,
  dev: 1,
  ino: 2,
  size: 100,
  mtime_ms: 1000,
  offset: 100,
  head_hash: 'h',
  bad_lines: 0,
  updated_at: 1000,
  ...more,
});

test("files: put replaces a path's row; recent is by mtime; totals add offsets and bad lines", (t) => {
  const s = tmpStore(t);
  assert.deepEqual(s.files.totals(), { files: 0, bytes: 0, badLines: 0 });
  s.files.put(file('/a', { mtime_ms: 1000, offset: 50, bad_lines: 1 }));
  s.files.put(file('/b', { mtime_ms: 5000, offset: 70 }));
  s.files.put(file('/a', { mtime_ms: 2000, offset: 80, bad_lines: 2 }));
  assert.equal(s.files.get('/a')?.offset, 80);
  assert.equal(s.files.get('/none'), undefined);
  assert.deepEqual(
    s.files
      .recent(1500)
      .map((r) => r.path)
      .sort(),
    ['/a', '/b'],
  );
  assert.deepEqual(
    s.files.recent(3000).map((r) => r.path),
    ['/b'],
  );
  assert.deepEqual(s.files.totals(), { files: 2, bytes: 150, badLines: 2 });
});

test('dirs: the last mtime seen of each folder', (t) => {
  const s = tmpStore(t);
  assert.equal(s.dirs.mtime('/p'), undefined);
  s.dirs.put('/p', 10);
  s.dirs.put('/p', 20);
  assert.equal(s.dirs.mtime('/p'), 20);
});

test('marks: claim succeeds once per key; prune takes out the old ones', (t) => {
  const s = tmpStore(t);
  assert.equal(s.marks.has('warn:80'), false);
  assert.equal(s.marks.claim('warn:80', 1000), true);
  assert.equal(s.marks.claim('warn:80', 2000), false);
  assert.equal(s.marks.has('warn:80'), true);
  s.marks.claim('warn:90', 3000);
  s.marks.prune(2500);
  assert.deepEqual([s.marks.has('warn:80'), s.marks.has('warn:90')], [false, true]);
});

test('recovery: one row per key, every write reported; pruneEnded keeps resumes and open-ended rows', (t) => {
  const s = tmpStore(t);
  const row = (key: string, kind: RecoveryRow['kind'], until: number | null): RecoveryRow => ({
    key,
    kind,
    session_id: null,
    level: 1,
    since: 0,
    until,
    last_ts: null,
    reason: 'test',
    account: 'dir:/accounts/a',
  });
  s.inputsChanged = false;
  s.recovery.put(row('backoff', 'backoff', 1000));
  assert.equal(s.inputsChanged, true, 'a write to a decision input is reported');
  s.recovery.put({ ...row('backoff', 'backoff', 2000), level: 2 });
  s.recovery.put(row('pause', 'pause', null));
  s.recovery.put(row('resume:s1', 'resume', 500));
  assert.equal(s.recovery.get('backoff')?.level, 2);
  s.recovery.pruneEnded(3000);
  assert.deepEqual(
    s.recovery.all().map((r) => r.key),
    ['pause', 'resume:s1'],
  );
  s.inputsChanged = false;
  s.recovery.delete('nothing');
  assert.equal(s.inputsChanged, false, 'deleting nothing changes nothing');
  s.recovery.delete('pause');
  assert.equal(s.inputsChanged, true);
  assert.equal(s.recovery.get('pause'), undefined);
});
