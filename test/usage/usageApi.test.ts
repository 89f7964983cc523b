import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { accountOf } from '../../lib/util/account.ts';
import { tmpHome } from '../helpers/tmp.ts';
import { REPO } from '../helpers/cli.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { defaultConfigFile } from '../../lib/config/root.ts';
import type { Config } from '../../lib/config/schema.ts';
import { openStore, type Store } from '../../lib/store/store.ts';
import { readGeneration, readPublishedReadings } from '../../lib/store/generation.ts';
import { Logger } from '../../lib/util/log.ts';
import { createHash } from 'node:crypto';
import {
  ANTHROPIC_BETA,
  DEFAULT_RETRY_AFTER_MS,
  fetchUsage,
  keychainService,
  parseResetTime,
  parseUsageBody,
  readOAuthToken,
  refreshUsageApi,
  retryAfterMs,
  type OAuthToken,
  type TokenProblem,
} from '../../lib/usage/usageApi.ts';
import { startUsageApiRefresh, usageApiStatus } from '../../lib/usage/usageApiTrigger.ts';

const TOKEN = 'sk-ant-oat01-SECRET-usage-api-test-4f9c2e';
const DAY = 86_400_000;
const SCOPES = ['user:inference', 'user:profile', 'user:sessions:claude_code'];

const DOCUMENTED = {
  five_hour: { utilization: 37, resets_at: '2026-12-06T04:00:00.000000+00:00' },
  seven_day: { utilization: 64, resets_at: '2026-12-10T09:00:00.000000+00:00' },
  seven_day_oauth_apps: null,
  seven_day_opus: { utilization: 12, resets_at: '2026-12-10T09:00:00.000000+00:00' },
  seven_day_sonnet: { utilization: 8, resets_at: '2026-12-10T09:00:00.000000+00:00' },
  extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
};
const FIVE_RESET = Date.UTC(2026, 11, 6, 4);
const WEEK_RESET = Date.UTC(2026, 11, 10, 9);

function credentials(dir: string, over: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, '.credentials.json');
  const oauth = {
    accessToken: TOKEN,
    refreshToken: 'sk-ant-ort01-REFRESH-test',
    expiresAt: Date.now() + 30 * DAY,
    scopes: SCOPES,
    subscriptionType: 'max',
    ...over,
  };
  writeFileSync(file, JSON.stringify({ claudeAiOauth: oauth }), { mode: 0o600 });
  return file;
}

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}
type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** The usage endpoint's stand-in on 127.0.0.1: records each request, answers with `answer`. */
async function mockEndpoint(t: TestContext): Promise<{ url: string; seen: Seen[]; answer: (a: Answer) => void }> {
  const seen: Seen[] = [];
  let next: Answer = { status: 200, body: JSON.stringify(DOCUMENTED) };
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (next === 'hang') return;
    res.writeHead(next.status, { 'content-type': 'application/json', ...(next.headers ?? {}) });
    res.end(next.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}/api/oauth/usage`,
    seen,
    answer: (a) => (next = a),
  };
}

/** A temporary HOME with Claude Code's credentials, a ccguard config that turns the endpoint on, and an open store. */
function fixture(t: TestContext, url: string, extra = '') {
  const h = tmpHome('ccguard-usageapi-');
  mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
  const userFile = join(h.stateDir, 'config.yaml');
  writeFileSync(userFile, `limits:\n  usage_api:\n    enabled: true\n    url: ${url}\n    ttl_seconds: 180\n${extra}`);
  const config: Config = loadConfig(userFile, defaultConfigFile()).config;
  credentials(join(h.home, '.claude'));
  const store = openStore(join(h.stateDir, 'state.db'));
  const logFile = join(h.stateDir, 'ccguard.log');
  const log = new Logger({ file: logFile, level: 'debug', maxBytes: 1_000_000, maxFiles: 2 });
  const env = { HOME: h.home, PATH: process.env.PATH ?? '' };
  // A script that claims nothing and releases nothing: the trigger's own behaviour, without a refresh.
  const noop = join(h.home, 'noop.mjs');
  writeFileSync(noop, 'process.exit(0);\n');
  // One hook, in this order: Node runs a test's `after` hooks first-registered first.
  t.after(() => {
    store.close();
    h.cleanup();
  });
  return {
    ...h,
    config,
    store,
    log,
    logFile,
    env,
    /** The account of `env`: whose token is read and whose state and readings these are. */
    account: accountOf(env).key,
    /** The same account as the hook hands it to the trigger. */
    who: accountOf(env),
    noop,
  };
}

const usageRows = (store: Store) =>
  store.db
    .prepare(
      "SELECT limit_window AS window, used_pct, resets_at, session_id, source FROM rate_limits WHERE source = 'usage_api' ORDER BY id",
    )
    .all() as {
    window: string;
    used_pct: number;
    resets_at: number | null;
    session_id: string | null;
    source: string;
  }[];

/** Every byte of every file under `dir`. */
function allBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) parts.push(allBytes(p));
    else parts.push(readFileSync(p));
  }
  return Buffer.concat(parts);
}

test('the documented answer: the request carries the token and the beta header; both windows are recorded as usage_api readings', async (t) => {
  const m = await mockEndpoint(t);
  const f = fixture(t, m.url);
  const gen = readGeneration(f.stateDir);
  const now = Date.now();
  const a = await refreshUsageApi(f.store, f.config, f.env, f.log, {
    platform: 'linux',
    now: () => now,
    userAgentVersion: '9.9.9',
  });
  assert.equal(a?.outcome, 'ok');
  assert.equal(m.seen.length, 1);
  const req = m.seen[0]!;
  assert.equal(req.method, 'GET');
  assert.equal(req.url, '/api/oauth/usage');
  assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(req.headers['anthropic-beta'], ANTHROPIC_BETA);
  assert.equal(req.headers['user-agent'], 'claude-cli/9.9.9 (external, cli)');
  assert.equal(req.headers.accept, 'application/json');
  assert.deepEqual(usageRows(f.store), [
    { window: 'five_hour', used_pct: 37, resets_at: FIVE_RESET, session_id: null, source: 'usage_api' },
    { window: 'seven_day', used_pct: 64, resets_at: WEEK_RESET, session_id: null, source: 'usage_api' },
  ]);
  assert.equal(readGeneration(f.stateDir), gen, 'new readings void no lease by themselves');
  assert.deepEqual(
    [
      readPublishedReadings(f.stateDir, f.account)?.five_hour?.pct,
      readPublishedReadings(f.stateDir, f.account)?.seven_day?.pct,
    ],
    [37, 64],
    'they are published for the leases to check against their bounds',
  );
  const st = usageApiStatus(f.store, f.config, f.account, now + 1000);
  assert.equal(st.enabled, true);
  assert.equal(st.state, 'ok');
  assert.equal(st.last_attempt_at, now);
  assert.equal(st.last_ok_at, now);
  assert.equal(st.detail, '5-hour 37%, weekly 64%');
  assert.deepEqual(st.scoped, {
    seven_day_opus: { usedPct: 12, resetsAt: WEEK_RESET },
    seven_day_sonnet: { usedPct: 8, resetsAt: WEEK_RESET },
  });
  // Within the TTL nothing is due; after it, the trigger starts one.
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 179_000, f.env, f.noop), 'not_due');
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 180_000, f.env, f.noop), 'started');
  // The same figures again only move last_seen: no new row.
  await refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => now + 200_000 });
  assert.equal(usageRows(f.store).length, 2);
});

test('429 with Retry-After: no new attempt before it has passed, even past the TTL', async (t) => {
  const m = await mockEndpoint(t);
  const f = fixture(t, m.url);
  m.answer({ status: 429, headers: { 'retry-after': '600' }, body: '{"error":{"type":"rate_limit_error"}}' });
  const now = Date.now();
  const a = await refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => now });
  assert.equal(a?.outcome, 'rate_limited');
  assert.equal(a?.retryUntil, now + 600_000);
  assert.equal(usageRows(f.store).length, 0);
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 1_000, f.env, f.noop), 'retry_later');
  assert.equal(
    startUsageApiRefresh(f.store, f.config, f.who, now + 300_000, f.env, f.noop),
    'retry_later',
    'past the 180 s TTL, still before Retry-After',
  );
  const st = usageApiStatus(f.store, f.config, f.account, now + 1_000);
  assert.equal(st.state, `rate limited until ${new Date(now + 600_000).toISOString()}`);
  assert.equal(st.retry_until, now + 600_000);
  assert.equal(st.last_ok_at, null);
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 600_000, f.env, f.noop), 'started');
  // A shorter Retry-After than the TTL: the TTL still spaces the attempts.
  m.answer({ status: 429, headers: { 'retry-after': '30' } });
  const b = await refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => now + 700_000 });
  assert.equal(b?.retryUntil, now + 730_000);
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 710_000, f.env, f.noop), 'retry_later');
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 740_000, f.env, f.noop), 'not_due');
  assert.equal(usageApiStatus(f.store, f.config, f.account, now + 740_000).state, 'rate limited');
});

test('Retry-After: seconds, an HTTP date, or the default when absent or unreadable', () => {
  const now = Date.UTC(2026, 11, 6, 1, 0, 0);
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs(new Date(now + 90_000).toUTCString(), now), 90_000);
  assert.equal(retryAfterMs(new Date(now - 90_000).toUTCString(), now), 0);
  assert.equal(retryAfterMs(null, now), DEFAULT_RETRY_AFTER_MS);
  assert.equal(retryAfterMs('soon', now), DEFAULT_RETRY_AFTER_MS);
  assert.equal(DEFAULT_RETRY_AFTER_MS, 300_000);
});

test('401 and 403: the sign-in lapsed, said so in status; other failures are classified and never throw', async (t) => {
  const m = await mockEndpoint(t);
  const f = fixture(t, m.url);
  let at = Date.now();
  const run = () =>
    refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => at, timeoutMs: 500 });
  m.answer({ status: 401, body: '{"type":"error","error":{"type":"authentication_error"}}' });
  assert.equal((await run())?.outcome, 'auth');
  let st = usageApiStatus(f.store, f.config, f.account, at);
  assert.equal(st.state, 'sign-in lapsed');
  assert.equal(st.detail, 'sign-in lapsed; run claude to sign in again (HTTP 401)');
  m.answer({ status: 403 });
  at += 1;
  assert.equal((await run())?.outcome, 'auth');
  m.answer({ status: 500, body: 'oops' });
  at += 1;
  assert.equal((await run())?.outcome, 'http_error');
  st = usageApiStatus(f.store, f.config, f.account, at);
  assert.equal(st.state, 'endpoint error (HTTP 500)');
  m.answer({ status: 200, body: '<html>maintenance</html>' });
  at += 1;
  assert.equal((await run())?.outcome, 'bad_body');
  m.answer({ status: 200, body: '[1,2,3]' });
  at += 1;
  assert.equal((await run())?.outcome, 'bad_body');
  m.answer({ status: 302, headers: { location: 'http://example.invalid/' } });
  at += 1;
  assert.equal((await run())?.outcome, 'http_error', 'a redirect is not followed with the token');
  m.answer('hang');
  at += 1;
  const hung = await run();
  assert.equal(hung?.outcome, 'network_error');
  assert.equal(hung?.detail, 'no answer within 0.5 s');
  assert.equal(usageRows(f.store).length, 0);
  // Nothing listens there: refused, classified.
  const closed = await fetchUsage('http://127.0.0.1:9/api/oauth/usage', TOKEN, {
    timeoutMs: 2000,
    userAgentVersion: '1',
  });
  assert.equal(closed.kind, 'network_error');
  // Plain http to another machine would carry the token in clear: refused before any request.
  const n = m.seen.length;
  const clear = await fetchUsage('http://api.example.com/api/oauth/usage', TOKEN, {
    timeoutMs: 2000,
    userAgentVersion: '1',
  });
  assert.equal(clear.kind, 'bad_url');
  assert.equal(m.seen.length, n);
});

test('lenient parsing: nulls, missing keys, microsecond ISO times, the limits list, garbage', () => {
  const ok = (body: unknown) => {
    const r = parseUsageBody(body);
    assert.ok(r.ok, `expected figures from ${JSON.stringify(body)}`);
    return r.figures;
  };
  // The documented body.
  assert.deepEqual(ok(DOCUMENTED), {
    readings: [
      { window: 'five_hour', usedPct: 37, resetsAt: FIVE_RESET },
      { window: 'seven_day', usedPct: 64, resetsAt: WEEK_RESET },
    ],
    scoped: {
      seven_day_opus: { usedPct: 12, resetsAt: WEEK_RESET },
      seven_day_sonnet: { usedPct: 8, resetsAt: WEEK_RESET },
    },
  });
  // Microseconds, nanoseconds, Z, no fraction, offsets; seconds and ms numbers.
  assert.equal(parseResetTime('2026-12-06T04:00:00.000000+00:00'), FIVE_RESET);
  assert.equal(parseResetTime('2026-12-06T04:00:00.123456789Z'), FIVE_RESET + 123);
  assert.equal(parseResetTime('2026-12-06T05:00:00+01:00'), FIVE_RESET);
  assert.equal(parseResetTime(FIVE_RESET / 1000), FIVE_RESET);
  assert.equal(parseResetTime(FIVE_RESET), FIVE_RESET);
  assert.equal(parseResetTime('tomorrow'), null);
  assert.equal(parseResetTime(null), null);
  // A plan with the weekly window only; nulls everywhere else; model windows absent.
  assert.deepEqual(ok({ five_hour: null, seven_day: { utilization: 5, resets_at: null }, seven_day_opus: null }), {
    readings: [{ window: 'seven_day', usedPct: 5, resetsAt: null }],
    scoped: {},
  });
  // Both windows null or missing: an answer with nothing to record, not an error.
  assert.deepEqual(ok({ five_hour: null, seven_day: null }), { readings: [], scoped: {} });
  assert.deepEqual(ok({ extra_usage: null }), { readings: [], scoped: {} });
  // Odd types cost that figure only; a numeric string is a number; a negative one is none.
  assert.deepEqual(
    ok({ five_hour: { utilization: '42.5', resets_at: 12 }, seven_day: { utilization: -3 }, seven_day_opus: 'x' })
      .readings,
    [{ window: 'five_hour', usedPct: 42.5, resetsAt: 12_000 }],
  );
  assert.deepEqual(
    ok({ five_hour: { utilization: null, resets_at: '2026-12-06T04:00:00Z' }, seven_day: [] }).readings,
    [],
  );
  // Unknown keys ride along unread.
  assert.equal(ok({ ...DOCUMENTED, new_thing: { x: 1 } }).readings.length, 2);
  // The limits list when the top-level keys are missing (or null).
  const listed = ok({
    limits: [
      {
        kind: 'session',
        group: 'all',
        percent: 91,
        severity: 'warning',
        resets_at: '2026-12-06T04:00:00.000000+00:00',
        is_active: true,
      },
      { kind: 'weekly_all', percent: 40, resets_at: '2026-12-10T09:00:00.000000+00:00' },
      { kind: 'weekly_scoped', percent: 22, resets_at: null, scope: { model: { display_name: 'Opus' } } },
      { kind: 'weekly_scoped', percent: 'n/a', scope: { model: { display_name: 'Sonnet' } } },
      { kind: 'something_new', percent: 1 },
      null,
      42,
    ],
    five_hour: null,
  });
  assert.deepEqual(listed, {
    readings: [
      { window: 'five_hour', usedPct: 91, resetsAt: FIVE_RESET },
      { window: 'seven_day', usedPct: 40, resetsAt: WEEK_RESET },
    ],
    scoped: { seven_day_opus: { usedPct: 22, resetsAt: null } },
  });
  // The top-level key wins over the list.
  assert.equal(
    ok({ five_hour: { utilization: 10 }, limits: [{ kind: 'session', percent: 90 }] }).readings[0]?.usedPct,
    10,
  );
  // Garbage: refused with a reason, never thrown.
  for (const g of [null, 'text', 42, [DOCUMENTED], {}, { unrelated: true }, true]) {
    const r = parseUsageBody(g);
    assert.equal(r.ok, false, JSON.stringify(g));
  }
  assert.equal(ok({ limits: 'nope', seven_day: { utilization: 1 } }).readings.length, 1);
});

test('credentials: CLAUDE_CONFIG_DIR (each entry of a list), HOME/.claude, missing, no user:profile scope, expired, unreadable, the Keychain', async (t) => {
  const h = tmpHome(t, 'ccguard-cred-');
  const isToken = (r: OAuthToken | TokenProblem): OAuthToken => {
    assert.ok(!('error' in r), `expected a token, got ${JSON.stringify(r)}`);
    return r;
  };
  const isProblem = (r: OAuthToken | TokenProblem): TokenProblem => {
    assert.ok('error' in r, 'expected a problem');
    assert.ok(!JSON.stringify(r).includes(TOKEN), 'a problem never quotes the token');
    assert.ok(!r.reason.includes('\n'));
    return r;
  };
  const noKeychain = async () => {
    throw new Error('the Keychain is not asked here');
  };
  const env = { HOME: h.home };
  // Nothing anywhere.
  const none = isProblem(await readOAuthToken(env, 'linux', noKeychain));
  assert.equal(none.error, 'no credentials');
  assert.match(none.reason, /no Claude Code sign-in found in .*\.claude\/\.credentials\.json/);
  // HOME/.claude.
  const homeFile = credentials(join(h.home, '.claude'));
  const tok = isToken(await readOAuthToken(env, 'linux', noKeychain));
  assert.equal(tok.token, TOKEN);
  assert.equal(tok.from, homeFile);
  assert.deepEqual(tok.scopes, SCOPES);
  // CLAUDE_CONFIG_DIR as a list: the first entry without a file is passed over; HOME/.claude is not read.
  const a = join(h.home, 'cfg-a');
  const b = join(h.home, 'cfg-b');
  mkdirSync(a);
  const bFile = credentials(b, { accessToken: 'sk-ant-oat01-from-b' });
  const listed = isToken(await readOAuthToken({ ...env, CLAUDE_CONFIG_DIR: `${a}, ${b}` }, 'linux', noKeychain));
  assert.equal(listed.token, 'sk-ant-oat01-from-b');
  assert.equal(listed.from, bFile);
  assert.equal(
    isProblem(await readOAuthToken({ ...env, CLAUDE_CONFIG_DIR: a }, 'linux', noKeychain)).error,
    'no credentials',
  );
  // An inference-only token: skipped, the endpoint is not asked.
  credentials(a, { scopes: ['user:inference'] });
  const scope = isProblem(await readOAuthToken({ ...env, CLAUDE_CONFIG_DIR: a }, 'linux', noKeychain));
  assert.equal(scope.error, 'no user:profile scope');
  credentials(a, { scopes: undefined });
  assert.equal(
    isProblem(await readOAuthToken({ ...env, CLAUDE_CONFIG_DIR: a }, 'linux', noKeychain)).error,
    'no user:profile scope',
  );
  // Expired: reported, never refreshed (the file is left as it was).
  const now = Date.now();
  const expFile = credentials(a, { expiresAt: now - 1000 });
  const before = readFileSync(expFile, 'utf8');
  const exp = isProblem(await readOAuthToken({ ...env, CLAUDE_CONFIG_DIR: a }, 'linux', noKeychain, now));
  assert.equal(exp.error, 'expired');
  assert.equal(readFileSync(expFile, 'utf8'), before);
  // A damaged file: the reason names the file, not its content (V8's parse errors quote it).
  writeFileSync(expFile, `{"claudeAiOauth":{"accessToken":"${TOKEN}"`);
  const bad = isProblem(await readOAuthToken({ ...env, CLAUDE_CONFIG_DIR: a }, 'linux', noKeychain));
  assert.equal(bad.error, 'unreadable');
  assert.equal(bad.reason, `${expFile} is not valid JSON`);
  if (process.getuid?.() !== 0) {
    credentials(a);
    chmodSync(expFile, 0o000);
    assert.equal(
      isProblem(await readOAuthToken({ ...env, CLAUDE_CONFIG_DIR: a }, 'linux', noKeychain)).error,
      'unreadable',
    );
    chmodSync(expFile, 0o600);
  }
  // macOS with no file: the Keychain item, as JSON or as the hex `security -w` prints.
  rmSync(homeFile);
  const item = JSON.stringify({
    claudeAiOauth: { accessToken: 'sk-ant-oat01-keychain', expiresAt: now + DAY, scopes: SCOPES },
  });
  const kc = isToken(await readOAuthToken(env, 'darwin', async () => item + '\n'));
  assert.equal(kc.token, 'sk-ant-oat01-keychain');
  assert.equal(kc.from, 'the Keychain item "Claude Code-credentials"');
  assert.equal(
    isToken(await readOAuthToken(env, 'darwin', async () => Buffer.from(item).toString('hex'))).token,
    'sk-ant-oat01-keychain',
  );
  const noItem = isProblem(await readOAuthToken(env, 'darwin', async () => null));
  assert.equal(noItem.error, 'no credentials');
  assert.match(noItem.reason, /or the Keychain item "Claude Code-credentials"/);
  // Not macOS: the Keychain is never asked.
  assert.equal(isProblem(await readOAuthToken(env, 'linux', noKeychain)).error, 'no credentials');
});

test('no usable token: the endpoint is not asked, the reason is stored, and the next try waits a TTL', async (t) => {
  const m = await mockEndpoint(t);
  const f = fixture(t, m.url);
  credentials(join(f.home, '.claude'), { scopes: ['user:inference'] });
  const now = Date.now();
  const a = await refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => now });
  assert.equal(a?.outcome, 'no_scope');
  assert.equal(m.seen.length, 0);
  assert.equal(usageApiStatus(f.store, f.config, f.account, now).state, 'no user:profile scope');
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 60_000, f.env, f.noop), 'not_due');
  rmSync(join(f.home, '.claude', '.credentials.json'));
  await refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => now + 1 });
  assert.equal(usageApiStatus(f.store, f.config, f.account, now).state, 'no credentials');
});

test('off by default: the trigger does nothing and status says off; one refresh at a time; no script, no claim', async (t) => {
  const m = await mockEndpoint(t);
  const f = fixture(t, m.url);
  const defaults = loadConfig(join(f.home, 'no-such-config.yaml'), defaultConfigFile()).config;
  assert.equal(defaults.limits.usage_api.enabled, false);
  const now = Date.now();
  assert.equal(startUsageApiRefresh(f.store, defaults, f.who, now, f.env, f.noop), 'disabled');
  assert.equal(await refreshUsageApi(f.store, defaults, f.env, f.log), null);
  assert.equal(m.seen.length, 0);
  assert.deepEqual(usageApiStatus(f.store, defaults, f.account, now), {
    enabled: false,
    state: 'off',
    outcome: null,
    last_attempt_at: null,
    last_ok_at: null,
    retry_until: null,
    detail: null,
    scoped: {},
  });
  assert.equal(usageApiStatus(f.store, f.config, f.account, now).state, 'not run yet');
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now, f.env, join(f.home, 'missing.js')), 'no_script');
  assert.equal(f.store.usageApiOf(f.account).lock(), undefined, 'no script: nothing claimed');
  // The stand-in script never releases its claim: the next callers see it running until it expires.
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now, f.env, f.noop), 'started');
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, now + 1, f.env, f.noop), 'running');
  const other = openStore(join(f.stateDir, 'state.db'));
  try {
    assert.equal(
      startUsageApiRefresh(other, f.config, f.who, now + 2, f.env, f.noop),
      'running',
      'another process sees the same lock',
    );
  } finally {
    other.close();
  }
  const lock = f.store.usageApiOf(f.account).lock();
  assert.ok(lock);
  assert.equal(
    startUsageApiRefresh(f.store, f.config, f.who, lock.until + 1, f.env, f.noop),
    'started',
    'an abandoned claim expires',
  );
  // Released by its owner only.
  const st = f.store.usageApiOf(f.account);
  st.releaseRefresh('someone-else');
  assert.ok(st.lock());
  st.releaseRefresh(st.lock()!.owner);
  assert.equal(st.lock(), undefined);
});

test('the token never lands in the state directory or the log, whatever the endpoint answers', async (t) => {
  const m = await mockEndpoint(t);
  const f = fixture(t, m.url);
  let at = Date.now();
  const answers: Answer[] = [
    { status: 200, body: JSON.stringify(DOCUMENTED) },
    { status: 401, body: `{"error":"bad token ${TOKEN}"}` },
    { status: 429, headers: { 'retry-after': '1' }, body: TOKEN },
    { status: 500, body: TOKEN },
    { status: 200, body: `not json ${TOKEN}` },
    { status: 200, body: JSON.stringify({ five_hour: { utilization: TOKEN, resets_at: TOKEN } }) },
  ];
  for (const a of answers) {
    m.answer(a);
    at += 1_000_000;
    await refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => at });
  }
  // A damaged credentials file too (V8's JSON errors quote what they failed on).
  writeFileSync(join(f.home, '.claude', '.credentials.json'), `{"claudeAiOauth":{"accessToken":"${TOKEN}",`);
  await refreshUsageApi(f.store, f.config, f.env, f.log, { platform: 'linux', now: () => at + 1 });
  f.store.db.pragma('wal_checkpoint(PASSIVE)');
  const log = readFileSync(f.logFile, 'utf8');
  assert.ok(log.split('\n').filter(Boolean).length >= answers.length, 'each refresh wrote its line (debug level)');
  const bytes = allBytes(f.stateDir);
  assert.ok(bytes.length > 0);
  assert.equal(bytes.indexOf(TOKEN), -1, 'the token is nowhere under the state directory');
  assert.equal(bytes.indexOf(Buffer.from(TOKEN, 'utf16le')), -1);
  assert.equal(bytes.indexOf('SECRET-usage-api'), -1, 'not even part of it');
});

test('end to end: a hook-style trigger starts the detached refresh, the readings land, the lock is released', async (t) => {
  // The refresh entry bundled as build.mjs bundles it, into a folder inside the package (its config
  // is found from there), without rebuilding dist/ under other tests that run from it.
  const out = join(REPO, 'node_modules', '.cache', 'ccguard-test', `usage-api-${process.pid}`);
  const m = await mockEndpoint(t);
  const f = fixture(t, m.url, 'logging:\n  level: debug\n');
  t.after(() => rmSync(out, { recursive: true, force: true }));
  await build({
    entryPoints: [join(REPO, 'lib', 'usage', 'usageApiRefresh.ts')],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3', 'node-notifier'],
    banner: {
      js: "import { createRequire as __ccgCreateRequire } from 'node:module'; const require = __ccgCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const script = join(out, 'usageApiRefresh.js');
  const t0 = performance.now();
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, Date.now(), f.env, script), 'started');
  const startMs = performance.now() - t0;
  t.diagnostic(`startUsageApiRefresh returned in ${startMs.toFixed(1)} ms`);
  assert.equal(
    startUsageApiRefresh(f.store, f.config, f.who, Date.now(), f.env, script),
    'running',
    'one refresh at a time',
  );
  const deadline = Date.now() + 10_000;
  while (usageRows(f.store).length < 2 || f.store.usageApiOf(f.account).lock() !== undefined) {
    if (Date.now() > deadline)
      throw new Error(`no reading within 10 s (requests: ${m.seen.length}; log: ${safeRead(f.logFile)})`);
    await sleep(50);
  }
  assert.equal(m.seen.length, 1);
  assert.equal(m.seen[0]!.headers.authorization, `Bearer ${TOKEN}`);
  assert.deepEqual(
    usageRows(f.store).map((r) => [r.window, r.used_pct, r.resets_at, r.source]),
    [
      ['five_hour', 37, FIVE_RESET, 'usage_api'],
      ['seven_day', 64, WEEK_RESET, 'usage_api'],
    ],
  );
  const st = usageApiStatus(f.store, f.config, f.account, Date.now());
  assert.equal(st.state, 'ok');
  assert.match(safeRead(f.logFile), /usage endpoint answered: 5-hour 37%, weekly 64%/);
  assert.equal(startUsageApiRefresh(f.store, f.config, f.who, Date.now(), f.env, script), 'not_due');
  await sleep(200); // the refresh closes its database as it exits
  assert.equal(allBytes(f.stateDir).indexOf(TOKEN), -1, 'the token is nowhere under the state directory');
  assert.equal((statSync(f.logFile).mode & 0o777).toString(8), '600');
});

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

test("the macOS Keychain item of a folder's sign-in, named as Claude Code names it", () => {
  const h8 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);
  assert.equal(keychainService({ HOME: '/home/u' }), 'Claude Code-credentials');
  assert.equal(
    keychainService({ HOME: '/home/u', CLAUDE_CONFIG_DIR: '/cfg/b' }),
    `Claude Code-credentials-${h8('/cfg/b')}`,
  );
  assert.equal(
    keychainService({ HOME: '/home/u', CLAUDE_CONFIG_DIR: '/cfg/b', CLAUDE_SECURESTORAGE_CONFIG_DIR: '' }),
    'Claude Code-credentials',
  );
  assert.equal(
    keychainService({ HOME: '/home/u', CLAUDE_SECURESTORAGE_CONFIG_DIR: '/s' }),
    `Claude Code-credentials-${h8('/s')}`,
  );
});
