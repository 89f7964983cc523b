import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, deepMerge } from '../../lib/config/load.ts';
import { defaultConfigFile } from '../../lib/config/root.ts';
import { ConfigError } from '../../lib/util/errors.ts';
import { tmpHome } from '../helpers/tmp.ts';

test('the repo config.yaml is valid and holds the documented defaults', () => {
  const { config, sources } = loadConfig('/nonexistent/config.yaml');
  assert.deepEqual(sources, [defaultConfigFile()]);
  assert.equal(config.mode, 'enforce');
  assert.equal(config.plan, 'custom');
  assert.deepEqual(config.alerts, {
    token_threshold: 0.8,
    rate_limit_threshold: 0.9,
    time_threshold: 4.5,
    cost_threshold: 50,
    hard_cost_limit: null,
    wind_down: 0.95,
  });
  assert.deepEqual(
    config.limits.usage_api,
    { enabled: false, url: 'https://api.anthropic.com/api/oauth/usage', ttl_seconds: 180 },
    'the usage endpoint is off by default',
  );
  assert.equal(config.recovery.rate_limit, 'exponential_backoff');
  assert.equal(config.recovery.time_limit, 'session_pause');
  assert.equal(config.recovery.cost_limit, 'graceful_degradation');
  assert.equal(config.recovery.notification, true);
  assert.equal(config.recovery.unattended, 'defer', 'unattended sessions defer a long hold');
  assert.deepEqual(
    config.notifications.webhook,
    { url: null, format: 'auto', timeout_seconds: 5 },
    'no webhook unless set',
  );
});

test('a user file overrides any subset', () => {
  const h = tmpHome();
  const f = join(h.home, 'config.yaml');
  writeFileSync(f, 'plan: max5\nalerts:\n  cost_threshold: 12.5\n');
  const { config, sources } = loadConfig(f);
  assert.equal(config.plan, 'max5');
  assert.equal(config.alerts.cost_threshold, 12.5);
  assert.equal(config.alerts.token_threshold, 0.8);
  assert.equal(sources.length, 2);
  h.cleanup();
});

const bad: [string, RegExp][] = [
  [
    'alerts:\n  token_threshold: high\n',
    /^config\.yaml: alerts\.token_threshold must be a number between 0 and 1 \(got "high"\) in .*config\.yaml$/,
  ],
  ['alerts:\n  token_threshold: 1.5\n', /alerts\.token_threshold must be a number between 0 and 1 \(got 1\.5\)/],
  ['mode: loud\n', /mode must be enforce or observe \(got "loud"\)/],
  ['plan: ultra\n', /plan must be pro, max5, max20, custom or a positive token number \(got "ultra"\)/],
  ['alerts:\n  tokn_threshold: 0.5\n', /unknown key alerts\.tokn_threshold/],
  ['recovery:\n  backoff:\n    factor: 0.5\n', /recovery\.backoff\.factor must be a number of 1 or more \(got 0\.5\)/],
  ['recovery:\n  never_gate: Bash\n', /recovery\.never_gate must be a list of tool names \(got "Bash"\)/],
  ['alerts: [1, 2\n', /config\.yaml: not valid YAML at line \d/],
  ['- a\n- b\n', /must be a mapping of keys to values/],
  // Plain words where zod's would leak, and the likely intent named.
  [
    'alerts: [1, 2]\n',
    /^config\.yaml: alerts must be a section of keys \(like `alerts:` followed by indented `key: value` lines\), not a list \(got \[1,2\]\)/,
  ],
  [
    'plan: "50000"\n',
    /plan must be pro, max5, max20, custom or a positive token number \(got "50000", which is text because of the quotes: write the number without them\)/,
  ],
  [
    'alerts:\n  hard_cost_limit: 0\n',
    /alerts\.hard_cost_limit must be a positive number of USD, or null to turn it off \(0 would deny everything at once\) \(got 0\)/,
  ],
  [
    'alerts:\n  cost_treshold: 5\n',
    /unknown key alerts\.cost_treshold \(got 5; did you mean alerts\.cost_threshold\?\)/,
  ],
  ['recovery:\n  unattended: wait\n', /recovery\.unattended must be defer or deny \(got "wait"\)/],
  [
    'notifications:\n  webhook:\n    url: ntfy.sh/topic\n',
    /notifications\.webhook\.url must be an http\(s\) URL or null \(got "ntfy\.sh\/topic"\)/,
  ],
  [
    'notifications:\n  webhook:\n    format: teams\n',
    /notifications\.webhook\.format must be auto, json, ntfy or slack \(got "teams"\)/,
  ],
];

for (const [text, re] of bad) {
  test(`an invalid user config gets one line naming key, value and file: ${JSON.stringify(text)}`, () => {
    const h = tmpHome();
    const f = join(h.home, 'config.yaml');
    writeFileSync(f, text);
    assert.throws(
      () => loadConfig(f),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, re);
        assert.ok(!e.message.includes('\n'), 'one line');
        assert.ok(e.message.includes(f) || /YAML/.test(e.message), 'names the file');
        return true;
      },
    );
    h.cleanup();
  });
}

test('deepMerge merges objects and replaces lists', () => {
  assert.deepEqual(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } }), { a: { b: 1, c: [3] }, d: 1 });
});
