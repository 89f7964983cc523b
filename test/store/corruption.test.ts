import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileIdentity, quarantine } from '../../lib/store/corruption.ts';
import { openStore } from '../../lib/store/store.ts';
import { tmpHome } from '../helpers/tmp.ts';

const NOW = Date.UTC(2026, 10, 24, 12);

test('a damaged database is moved aside with its WAL and shared-memory files', (t) => {
  const h = tmpHome(t);
  const db = join(h.home, 'state.db');
  for (const side of ['', '-wal', '-shm']) writeFileSync(db + side, 'not a database');
  const dest = quarantine(db, NOW, fileIdentity(db));
  assert.ok(dest);
  for (const side of ['', '-wal', '-shm']) {
    assert.ok(!existsSync(db + side), `${side} moved`);
    assert.ok(existsSync(dest + side), `${side} kept for inspection`);
  }
});

test("two processes meeting the same damage: the second leaves the first one's fresh database alone", (t) => {
  const h = tmpHome(t);
  const db = join(h.home, 'state.db');
  writeFileSync(db, 'garbage '.repeat(1000));
  // Both find the file broken; one (here, openStore) moves it aside first and starts afresh.
  const seenBroken = fileIdentity(db);
  const moved: string[] = [];
  const first = openStore(db, { now: NOW, onQuarantine: (d) => moved.push(d) });
  assert.equal(moved.length, 1);
  first.meta.putText('prices_fp', 'first');
  // The other now gets to its own quarantine, of the file it found broken.
  assert.equal(quarantine(db, NOW + 1, seenBroken), null);
  assert.equal(first.meta.getText('prices_fp'), 'first');
  assert.deepEqual(fileIdentity(db), first.identity, 'the path still names the fresh database');
  assert.equal(readdirSync(h.home).filter((n) => n.startsWith('state.db.broken-') && !/-(wal|shm)$/.test(n)).length, 1);
  first.close();
  const again = openStore(db, { now: NOW + 2 });
  assert.equal(again.meta.getText('prices_fp'), 'first');
  again.close();
});
