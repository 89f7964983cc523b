// The meta and monitor_cache tables on a temporary database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpStore } from '../helpers/tmpStore.ts';

test('meta: numbers, text; a stored value that is not a finite number reads as absent', (t) => {
  const s = tmpStore(t);
  assert.equal(s.meta.has('last_scan_at'), false);
  assert.equal(s.meta.getNumber('last_scan_at'), undefined);
  s.meta.putNumber('last_scan_at', 1234);
  s.meta.putNumber('last_scan_at', 5678);
  assert.equal(s.meta.getNumber('last_scan_at'), 5678);
  s.meta.putText('prices_fp', 'abc');
  assert.equal(s.meta.getText('prices_fp'), 'abc');
  s.db.prepare("INSERT INTO meta (key, value) VALUES ('housekeeping_at', 'soon')").run();
  assert.equal(s.meta.has('housekeeping_at'), true);
  assert.equal(s.meta.getNumber('housekeeping_at'), undefined);
  s.meta.delete('last_scan_at');
  assert.equal(s.meta.has('last_scan_at'), false);
});

test('meta: JSON objects; anything else stored reads as absent', (t) => {
  const s = tmpStore(t);
  s.meta.putJson('calibration', { limitTokens: 5, samples: 2 });
  assert.deepEqual(s.meta.getJson('calibration'), { limitTokens: 5, samples: 2 });
  for (const raw of ['[1,2]', 'null', '42', '{broken']) {
    s.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('p90_cache', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(raw);
    assert.equal(s.meta.getJson('p90_cache'), undefined, raw);
  }
});

test('monitor_cache: every run is the attempt, an answer the snapshot too (reported as a decision input); install findings; one refresh claim at a time', (t) => {
  const s = tmpStore(t);
  s.inputsChanged = false;
  s.monitorCache.recordRun({ outcome: 'timeout', ts: 1000, exitCode: null, detail: 'no answer', snapshot: null });
  assert.equal(s.monitorCache.get('attempt')?.status, 'timeout');
  assert.equal(s.monitorCache.get('snapshot'), undefined);
  assert.equal(s.inputsChanged, false, 'a failed run moves no decision');
  s.monitorCache.putInstall('v3', 1500, 90_000, 'no JSON output');
  s.monitorCache.recordRun({
    outcome: 'near_limit',
    ts: 2000,
    exitCode: 10,
    detail: null,
    snapshot: { payload: '{}', generatedAt: 1990 },
    clearsInstall: true,
  });
  assert.deepEqual(
    [s.monitorCache.get('snapshot')?.status, s.monitorCache.get('snapshot')?.generated_at],
    ['near_limit', 1990],
  );
  assert.equal(s.monitorCache.get('attempt')?.ts, 2000);
  assert.equal(s.monitorCache.get('install'), undefined, 'a run that took its arguments clears a v3 finding');
  assert.equal(s.inputsChanged, false, 'reported once its write committed (and then voided)');

  let asked = 0;
  const due = (): boolean => (asked++, true);
  assert.equal(s.monitorCache.claimRefresh(3000, 4000, 'a', due), true);
  assert.equal(s.monitorCache.claimRefresh(3500, 4500, 'b', due), false, 'held by a');
  assert.equal(asked, 1, 'not even asked while held');
  s.monitorCache.releaseRefresh('b');
  assert.equal(s.monitorCache.get('lock')?.detail, 'a', 'only its owner releases it');
  assert.equal(s.monitorCache.claimRefresh(4001, 5000, 'b', due), true, 'an expired claim is taken over');
  assert.equal(
    s.monitorCache.claimRefresh(6000, 7000, 'c', () => false),
    false,
    'nothing due: no claim',
  );
  s.monitorCache.releaseRefresh('b');
  assert.equal(s.monitorCache.get('lock'), undefined);
});
