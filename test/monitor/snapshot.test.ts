import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSnapshot, SnapshotError } from '../../lib/monitor/snapshot.ts';
import { storedSnapshot } from '../../lib/monitor/stored.ts';
import { readStateFile } from '../../lib/monitor/stateFile.ts';
import { refreshMonitor, runMonitor } from '../../lib/monitor/run.ts';
import { openStore } from '../../lib/store/store.ts';
import { Logger } from '../../lib/util/log.ts';
import type { MonitorSettings } from '../../lib/monitor/settings.ts';
import { monitorSettings } from '../../lib/monitor/settings.ts';
import { installMonitorStub, snapshotJson } from '../helpers/monitorStub.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { loadConfig } from '../../lib/config/load.ts';

test('snapshot: the documented v4 shape parses; unknown fields pass, mistyped ones read as missing', () => {
  const s = snapshotJson({ generatedAt: Date.UTC(2026, 10, 24, 12), pct: 41.2 });
  const p = parseSnapshot(
    JSON.stringify({ ...s, brand_new: { x: 1 }, stale: 'no', status: { code: 'zero', label: 'ok' } }),
  );
  assert.equal(p.generatedAt, Date.UTC(2026, 10, 24, 12));
  assert.equal(p.version, '4.1.0');
  assert.equal(p.plan, 'max5');
  assert.equal(p.stale, false, 'a mistyped stale reads as missing');
  assert.equal(p.statusCode, null);
  assert.deepEqual(p.fiveHour, {
    usedPct: 41.2,
    tokensUsed: 36256,
    tokenLimit: 88000,
    resetsAt: Date.UTC(2026, 10, 24, 14),
    confidence: 'local_estimate',
  });
  assert.equal(p.sevenDay?.usedPct, null, 'a weekly window of nulls has no figure');
  assert.equal(p.burnPerMinute, 310.5);
  // resets_at missing: the epoch seconds stand in.
  const lim = s.limits as Record<string, Record<string, unknown>>;
  const epochOnly = {
    ...s,
    limits: { five_hour: { ...lim.five_hour, resets_at: null, resets_at_epoch: 1_795_500_000 } },
  };
  assert.equal(parseSnapshot(JSON.stringify(epochOnly)).fiveHour?.resetsAt, 1_795_500_000_000);
});

test('snapshot: not JSON, another major version, or no generated_at are errors that say so', () => {
  assert.throws(
    () => parseSnapshot('Claude Code Usage Monitor v3.1.0'),
    (e: unknown) => e instanceof SnapshotError && /not JSON .*starts "Claude Code Usage Monitor/.test(e.message),
  );
  assert.throws(
    () => parseSnapshot(JSON.stringify({ ...snapshotJson(), schema_version: '2.0' })),
    /schema_version is not 1\.x/,
  );
  const { generated_at: _g, ...noTime } = snapshotJson();
  assert.throws(() => parseSnapshot(JSON.stringify(noTime)), /generated_at is missing or not the right type/);
  assert.throws(() => parseSnapshot('[]'), SnapshotError);
});

test('stored form: what ccguard stores reads back the same; anything else reads as nothing', () => {
  const p = parseSnapshot(JSON.stringify(snapshotJson({ weeklyPct: 61.5 })));
  assert.deepEqual(storedSnapshot(JSON.stringify(p)), p);
  assert.equal(storedSnapshot('{"generatedAt": "yesterday"}'), null);
  assert.equal(storedSnapshot('not json'), null);
  assert.equal(storedSnapshot(JSON.stringify({ ...p, fiveHour: { usedPct: 'high' } })), null);
});

test('state file: fresh by mtime and generated_at; old, missing, stale or damaged files are not used', (t) => {
  const h = tmpHome(t, 'ccguard-statefile-');
  mkdirSync(h.home, { recursive: true });
  const f = join(h.home, 'state.json');
  const now = Date.now();
  assert.equal(readStateFile(f, now, 120_000).kind, 'missing');
  writeFileSync(f, JSON.stringify(snapshotJson({ generatedAt: now - 5000 })));
  const fresh = readStateFile(f, now, 120_000);
  assert.equal(fresh.kind, 'fresh');
  assert.ok(fresh.kind === 'fresh' && fresh.ageMs >= 5000 && fresh.ageMs < 6000);
  // Written recently but generated long ago (a monitor that stopped updating it properly).
  writeFileSync(f, JSON.stringify(snapshotJson({ generatedAt: now - 600_000 })));
  assert.equal(readStateFile(f, now, 120_000).kind, 'stale');
  // Not touched for a long time: not even read.
  writeFileSync(f, JSON.stringify(snapshotJson({ generatedAt: now })));
  utimesSync(f, (now - 900_000) / 1000, (now - 900_000) / 1000);
  assert.equal(readStateFile(f, now, 120_000).kind, 'stale');
  writeFileSync(f, JSON.stringify(snapshotJson({ stale: true })));
  assert.equal(readStateFile(f, now, 120_000).kind, 'stale', 'the monitor itself says stale');
  writeFileSync(f, '{"schema_version": "1.0", "gene');
  const bad = readStateFile(f, now, 120_000);
  assert.ok(bad.kind === 'invalid' && /not JSON/.test(bad.error));
});

test('settings: plan from the top-level plan when claude-monitor knows it; off when disabled', (t) => {
  const h = tmpHome(t, 'ccguard-monset-');
  mkdirSync(h.stateDir, { recursive: true });
  const cfg = (yaml: string) => {
    const f = join(h.stateDir, 'config.yaml');
    writeFileSync(f, yaml);
    return loadConfig(f).config;
  };
  const env = { HOME: h.home };
  assert.deepEqual(monitorSettings(cfg('plan: max5\n'), env)?.args, [
    '--once',
    '--output',
    'json',
    '--view',
    'realtime',
    '--plan',
    'max5',
  ]);
  assert.deepEqual(monitorSettings(cfg('plan: 123456\n'), env)?.args, [
    '--once',
    '--output',
    'json',
    '--view',
    'realtime',
  ]);
  assert.equal(
    monitorSettings(cfg('plan: 123456\nintegrations:\n  claude_monitor:\n    plan: max20\n'), env)?.plan,
    'max20',
  );
  assert.equal(monitorSettings(cfg('integrations:\n  claude_monitor:\n    enabled: false\n'), env), null);
  const s = monitorSettings(
    cfg('integrations:\n  claude_monitor:\n    enabled: true\n    state_file: ~/mon/state.json\n'),
    env,
  );
  assert.equal(s?.mode, 'on');
  assert.equal(s?.stateFile, join(h.home, 'mon', 'state.json'));
  assert.throws(
    () => cfg('integrations:\n  claude_monitor:\n    enabled: sometimes\n'),
    /integrations\.claude_monitor\.enabled must be auto, true or false/,
  );
});

test('a run of the stand-in in every mode: exit codes 10 and 11 are answers, 20 and 30 say no figure, the rest fail clearly', async (t) => {
  const h = tmpHome(t, 'ccguard-monrun-');
  const bin = join(h.home, 'bin');
  mkdirSync(bin, { recursive: true });
  const stub = installMonitorStub(bin);
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: h.home };
  const s: MonitorSettings = {
    mode: 'auto',
    command: 'claude-monitor',
    args: ['--once', '--output', 'json', '--view', 'realtime', '--plan', 'max5'],
    plan: 'max5',
    ttlMs: 30_000,
    maxAgeMs: 120_000,
    timeoutMs: 1500,
    stateFile: null,
  };
  const expect: [Parameters<typeof stub.setMode>[0], string, number | null, RegExp | null][] = [
    [{ mode: 'ok', pct: 41.2 }, 'ok', 41.2, /claude-monitor 4\.0\.2/],
    [{ mode: 'near', pct: 92 }, 'near_limit', 92, null],
    [{ mode: 'hit', pct: 101.5 }, 'limit_hit', 101.5, null],
    [{ mode: 'none' }, 'no_active_session', null, null],
    [{ mode: 'nodata' }, 'no_data', null, /no usage data/],
    [{ mode: 'garbage' }, 'invalid', null, /not JSON .*<html>/],
    [{ mode: 'fail' }, 'error', null, /exit 1: Traceback/],
    [{ mode: 'slow', sleepMs: 5000 }, 'timeout', null, /no answer within 1\.5 s/],
    [{ mode: 'v3' }, 'v3', null, /no JSON output .*unrecognized arguments/],
  ];
  for (const [mode, outcome, pct, detail] of expect) {
    stub.setMode(mode);
    const r = await runMonitor(s, env);
    assert.equal(r.outcome, outcome, `${mode.mode}: ${r.detail}`);
    assert.equal(r.snapshot?.fiveHour?.usedPct ?? null, pct, mode.mode);
    if (detail) assert.match(r.detail ?? '', detail, mode.mode);
    if (mode.mode === 'near' || mode.mode === 'hit') assert.equal(r.exitCode, mode.mode === 'near' ? 10 : 11);
  }
  assert.deepEqual(stub.calls()[0], s.args, 'run with the argument list, as given');
  const missing = await runMonitor({ ...s, command: 'claude-monitor-not-installed' }, env);
  assert.equal(missing.outcome, 'missing');
});

test('refreshMonitor: a fresh state file answers without a run; a v3 finding holds runs off and is remembered', async (t) => {
  const h = tmpHome(t, 'ccguard-monrefresh-');
  const bin = join(h.home, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(h.stateDir, { recursive: true });
  const stub = installMonitorStub(bin);
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: h.home };
  const store = openStore(join(h.stateDir, 'state.db'));
  const log = new Logger({ file: join(h.stateDir, 'ccguard.log'), level: 'info', maxBytes: 1e6, maxFiles: 1 });
  try {
    const cache = store.monitorCache;
    const stateFile = join(h.home, 'state.json');
    const s: MonitorSettings = {
      mode: 'auto',
      command: 'claude-monitor',
      args: ['--once', '--output', 'json', '--view', 'realtime'],
      plan: null,
      ttlMs: 30_000,
      maxAgeMs: 120_000,
      timeoutMs: 5000,
      stateFile,
    };
    writeFileSync(stateFile, JSON.stringify(snapshotJson({ pct: 50 })));
    const a = await refreshMonitor(cache, s, env, log);
    assert.equal(a.from, 'state_file');
    assert.equal(a.outcome, 'ok');
    assert.equal(stub.calls().length, 0);
    assert.equal(storedSnapshot(cache.get('snapshot')?.payload ?? '')?.fiveHour?.usedPct, 50);

    // The file goes stale: the command runs, and turns out to be v3.
    utimesSync(stateFile, (Date.now() - 600_000) / 1000, (Date.now() - 600_000) / 1000);
    stub.setMode({ mode: 'v3' });
    const b = await refreshMonitor(cache, s, env, log);
    assert.equal(b.outcome, 'v3');
    assert.equal(cache.get('install')?.status, 'v3');
    assert.equal(stub.calls().length, 1);
    // Held off: not run again; the attempt is recorded, so the next try waits a cache TTL.
    const c = await refreshMonitor(cache, s, env, log);
    assert.equal(c.outcome, 'no_data');
    assert.match(c.detail ?? '', /held off \(v3\)/);
    assert.equal(stub.calls().length, 1);
    assert.equal(cache.get('install')?.status, 'v3', 'the finding stands');
    assert.equal(cache.get('snapshot')?.status, 'ok', 'the last answer is kept');
    assert.match(readFileSync(join(h.stateDir, 'ccguard.log'), 'utf8'), /has no JSON output \(v3\?\)/);
  } finally {
    store.close();
  }
});
