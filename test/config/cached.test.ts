// The build validates config.yaml once (dist/config.defaults.json); with no user config a first run
// uses that instead of loading YAML and zod, but only while config.yaml is the text it validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers/tmp.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { loadConfigCached, prebuiltDefaultsFile, prebuiltDefaultsJson } from '../../lib/config/cached.ts';
import { defaultConfigFile } from '../../lib/config/root.ts';

test('the built defaults are exactly what config.yaml validates to', () => {
  const file = prebuiltDefaultsFile(defaultConfigFile());
  assert.ok(existsSync(file), `${file} (npm run build makes it)`);
  const built = JSON.parse(readFileSync(file, 'utf8')) as { yaml: string; config: unknown };
  assert.equal(built.yaml, readFileSync(defaultConfigFile(), 'utf8'));
  assert.deepEqual(built.config, loadConfig('/nonexistent/config.yaml').config);
});

test('the prebuilt defaults are used only with no user config and an unchanged config.yaml', async (t) => {
  const root = tmpDir(t, 'ccguard-defaults-');
  const yaml = join(root, 'config.yaml');
  copyFileSync(defaultConfigFile(), yaml);
  mkdirSync(join(root, 'dist'));
  // A marked copy: 'observe' where config.yaml says 'enforce' shows which one answered.
  const real = loadConfig('/nonexistent/config.yaml', yaml).config;
  assert.equal(real.mode, 'enforce');
  writeFileSync(
    prebuiltDefaultsFile(yaml),
    prebuiltDefaultsJson(readFileSync(yaml, 'utf8'), { ...real, mode: 'observe' }),
  );
  const state = (n: string) => join(root, `state-${n}`);
  const user = (n: string) => join(state(n), 'config.yaml');

  assert.equal((await loadConfigCached(user('a'), state('a'), yaml)).config.mode, 'observe');
  // A user config: validated in full (the prebuilt file knows nothing of it).
  mkdirSync(state('b'));
  writeFileSync(user('b'), 'alerts:\n  token_threshold: 0.5\n');
  const b = await loadConfigCached(user('b'), state('b'), yaml);
  assert.equal(b.config.mode, 'enforce');
  assert.equal(b.config.alerts.token_threshold, 0.5);
  // config.yaml edited since the build: validated in full.
  appendFileSync(yaml, '# edited\n');
  assert.equal((await loadConfigCached(user('c'), state('c'), yaml)).config.mode, 'enforce');
  // A damaged prebuilt file is ignored.
  writeFileSync(prebuiltDefaultsFile(yaml), '{"v":1,"yaml":');
  assert.equal((await loadConfigCached(user('d'), state('d'), yaml)).config.mode, 'enforce');
});
