// ccguard as users install CLI tools: `npm pack` from a clone (its prepare script builds dist/), then
// `npm install -g` of the tarball into a throwaway prefix. The installed tree holds the runtime
// dependencies only (no Claude Code, no ccusage, no browser driver, no build tools), the install prints
// no npm warning but npm's own install-scripts notice (no EBADENGINE), `ccguard --version` runs from
// the prefix's bin, and `ccguard install` writes hooks that run, exactly as Claude Code runs them.
//
// The pack runs in a copy of the source (node_modules linked), so its build never replaces the dist/
// that the tests running beside this one are using. better-sqlite3's native addon: a user's install
// compiles it (a minute on two cores: prebuild-install cannot reach its download host here); this test
// hands prebuild-install the addon this clone's own `npm ci` compiled, through its local-prebuilds
// setting, so it takes seconds. CCGUARD_PACK_TEST_COMPILE=1 compiles it as a user's install does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { REPO } from '../helpers/cli.ts';
import { copySource } from '../helpers/sourceCopy.ts';
import { EVENT_FILES } from '../../lib/settings/hookCommand.ts';
import { assistantLine } from '../helpers/lines.ts';
import { cacheDir, currentNode } from '../../scripts/current-node.ts';

const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The environment for a nested npm: this process's, less what an outer `npm test` set for its script. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^npm_(config|package|lifecycle)_/i.test(k) ||
      k === 'npm_command' ||
      k === 'npm_execpath' ||
      k === 'npm_node_execpath' ||
      k === 'INIT_CWD'
    )
      continue;
    env[k] = v;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeout?: number },
): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeout ?? 110_000,
  });
}

function describe(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}${r.error ? ` ${r.error.message}` : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** Every package folder under a node_modules tree, by package name (scoped names whole). */
function installedNames(modules: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const names = name.startsWith('@') ? readdirSync(join(dir, name)).map((n) => `${name}/${n}`) : [name];
      for (const n of names) {
        out.add(n);
        walk(join(dir, n, 'node_modules'));
      }
    }
  };
  walk(modules);
  return out;
}

test(
  'npm pack, npm install -g of the tarball: runtime dependencies only, no warning, and ccguard install writes hooks that run',
  { timeout: 240_000 },
  (t) => {
    const started = Date.now();
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard pack-')));
    t.after(() => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));

    // 1. A clone with its devDependencies installed: the source, and this clone's node_modules.
    const src = copySource(join(root, 'src'));

    // 2. npm pack: prepare builds dist/, and the tarball carries it.
    const out = join(root, 'out');
    mkdirSync(out);
    const pack = run('npm', ['pack', '--json', '--pack-destination', out], { cwd: src, env: npmEnv() });
    assert.equal(pack.status, 0, describe(pack));
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(packed, pack.stdout);
    const files = new Set(packed.files.map((f) => f.path));
    const needed = [
      'package.json',
      'bin/ccguard.js',
      'bin/package.json',
      'config.yaml',
      'dist/config.defaults.json',
      'dist/lib/cli/main.js',
      'dist/status/main.cjs',
      'dist/status/full.cjs',
      'dist/full/main.cjs',
      'dist/hooks/package.json',
      'dist/import/lib/cli/importMain.js',
      'dist/import/lib/transcripts/parseWorker.js',
      'dist/lib/notify/worker.js',
      ...Object.values(EVENT_FILES).map((f) => `dist/hooks/${f}.js`),
    ];
    for (const f of needed)
      assert.ok(files.has(f), `${f} is in the tarball (it has: ${[...files].slice(0, 20).join(', ')}, ...)`);
    const sources = [...files].filter(
      (f) => /\.ts$/.test(f) || /^(lib|hooks|test|bench|scripts|node_modules)\//.test(f),
    );
    assert.deepEqual(sources, [], 'no sources, tests or node_modules in the tarball');
    // The source maps serve coverage in the tests; an installed ccguard never reads them.
    assert.deepEqual(
      [...files].filter((f) => f.endsWith('.map')),
      [],
      'no source maps in the tarball',
    );
    const tgz = join(out, packed.filename);
    assert.ok(existsSync(tgz));

    // 3. npm install -g into a throwaway prefix.
    const prefix = join(root, 'prefix');
    mkdirSync(prefix);
    if (process.env.CCGUARD_PACK_TEST_COMPILE !== '1') {
      const addonDir = join(REPO, 'node_modules', 'better-sqlite3');
      const addon = join(addonDir, 'build', 'Release', 'better_sqlite3.node');
      if (existsSync(addon)) {
        const bs3 = JSON.parse(readFileSync(join(addonDir, 'package.json'), 'utf8')) as { version: string };
        const prebuilds = join(root, 'prebuilds');
        mkdirSync(prebuilds);
        const name = `better-sqlite3-v${bs3.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
        const tar = run('tar', ['-czf', join(prebuilds, name), '-C', addonDir, 'build/Release/better_sqlite3.node'], {
          cwd: root,
          env: process.env,
        });
        assert.equal(tar.status, 0, describe(tar));
        // prebuild-install reads its settings from the nearest .prebuild-installrc above the package it installs.
        writeFileSync(join(prefix, '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`);
      }
    }
    const inst = run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', tgz], {
      cwd: root,
      env: npmEnv(),
      timeout: 180_000,
    });
    assert.equal(inst.status, 0, describe(inst));
    const said = `${inst.stdout}\n${inst.stderr}`;
    assert.doesNotMatch(said, /EBADENGINE/, said);
    // npm 11's notice of dependencies' install scripts it has not been told to allow (better-sqlite3
    // builds its addon) is npm's own; any other warning is ccguard's to fix.
    const warnings = said.split('\n').filter((l) => /^npm warn/i.test(l) && !/^npm warn install-scripts/i.test(l));
    assert.deepEqual(warnings, [], said);

    const pkgDir = join(prefix, 'lib', 'node_modules', 'ccguard');
    assert.ok(existsSync(join(pkgDir, 'dist', 'lib', 'cli', 'main.js')), 'the installed package has dist/');
    const names = installedNames(join(pkgDir, 'node_modules'));
    for (const dep of [...Object.keys(PKG.dependencies), ...Object.keys(PKG.optionalDependencies)])
      assert.ok(names.has(dep), `runtime dependency ${dep} is installed`);
    for (const dev of [
      ...Object.keys(PKG.devDependencies),
      '@anthropic-ai/claude-code',
      'ccusage',
      'playwright-core',
      'playwright',
      'esbuild',
      'tsx',
      'typescript',
    ]) {
      assert.ok(!names.has(dev), `devDependency ${dev} is not installed`);
    }
    assert.deepEqual(
      [...names].filter(
        (n) => n.startsWith('@anthropic-ai/') || n.startsWith('@ccusage/') || n.startsWith('@esbuild/'),
      ),
      [],
    );
    assert.ok(
      existsSync(join(pkgDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')),
      'better-sqlite3 has its addon',
    );

    // 4. The installed ccguard, on PATH as a user's global install puts it.
    const home = join(root, 'home with space');
    mkdirSync(home);
    const PATH = `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`;
    const env = { HOME: home, PATH, TZ: 'UTC', NO_COLOR: '1' };
    const version = run('/bin/sh', ['-c', 'ccguard --version'], { cwd: home, env });
    assert.equal(version.status, 0, describe(version));
    assert.equal(version.stdout.trim(), `ccguard ${PKG.version}`);

    const install = run('/bin/sh', ['-c', 'ccguard install'], { cwd: home, env });
    assert.equal(install.status, 0, describe(install));
    const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8')) as {
      hooks: Record<string, { hooks: { command: string }[] }[]>;
      statusLine?: { command: string };
    };
    const commandOf = (event: string): string => {
      const cmd = settings.hooks[event]
        ?.flatMap((g) => g.hooks.map((h) => h.command))
        .find((c) => c.includes('--ccguard'));
      assert.ok(cmd, `a ccguard ${event} hook in ${JSON.stringify(settings.hooks)}`);
      return cmd;
    };
    const pre = commandOf('PreToolUse');
    assert.ok(
      pre.includes(join(realpathSync(pkgDir), 'dist', 'hooks', 'pre-tool-use.js')),
      `the hook runs the installed package: ${pre}`,
    );
    assert.ok(!pre.includes(REPO.replace(/\/$/, '')) && !pre.includes(src), `not the clone it was packed from: ${pre}`);

    // 5. The hooks run as Claude Code runs them: the command through a shell, the event's JSON on stdin.
    const input = (event: string): string =>
      JSON.stringify({
        session_id: 'pack-test',
        transcript_path: join(home, 'none.jsonl'),
        cwd: home,
        hook_event_name: event,
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
      });
    const hook = run('/bin/sh', ['-c', pre], { cwd: home, env, input: input('PreToolUse') });
    assert.equal(hook.status, 0, describe(hook));
    assert.equal(hook.stderr, '');
    for (const event of Object.keys(EVENT_FILES)) {
      if (event === 'PreToolUse') continue;
      const h = run('/bin/sh', ['-c', commandOf(event)], { cwd: home, env, input: input(event) });
      assert.equal(h.status, 0, `${event}: ${describe(h)}`);
    }
    // The status line opens the database: the native addon loads in the installed package.
    assert.ok(settings.statusLine, 'the status line is set up');
    const sl = run('/bin/sh', ['-c', settings.statusLine.command], { cwd: home, env, input: '{}' });
    assert.equal(sl.status, 0, describe(sl));
    assert.match(sl.stdout, /ccguard/);

    // `ccguard status` through the installed bin (CommonJS): computed in full, then from its snapshot.
    for (const pass of ['full', 'snapshot']) {
      const st = run('/bin/sh', ['-c', 'ccguard status --json'], { cwd: home, env });
      assert.equal(st.status, 0, `${pass}: ${describe(st)}`);
      assert.equal((JSON.parse(st.stdout) as { recovery: { state: string } }).recovery.state, 'normal', pass);
    }

    const events = run('/bin/sh', ['-c', 'ccguard events --json --session pack-test'], { cwd: home, env });
    assert.equal(events.status, 0, describe(events));
    const hooks = (JSON.parse(events.stdout) as { hook: string }[]).map((e) => e.hook);
    assert.ok(hooks.includes('PreToolUse'), `the PreToolUse hook recorded its decision: ${hooks.join(', ')}`);
    // What install says to run next, from the global install.
    for (const next of ['ccguard doctor', 'ccguard status']) {
      const r = run('/bin/sh', ['-c', next], { cwd: home, env });
      assert.equal(r.status, 0, `${next}: ${describe(r)}`);
    }

    t.diagnostic(
      `pack, install -g, install and hooks in ${((Date.now() - started) / 1000).toFixed(1)} s (${basename(tgz)})`,
    );
  },
);

/**
 * The same on Node 26 with npm 12 (from the registry, into the CI cache: scripts/current-node.ts), where
 * npm blocks dependencies' install scripts unless told otherwise. Scripts blocked: better-sqlite3 has
 * no addon, and ccguard runs on Node's own node:sqlite. `--allow-scripts=better-sqlite3`: the addon is
 * built (against the headers that come with the registry's Node package, offline; the build is kept
 * in the cache as a local prebuild for the next run) and ccguard runs on better-sqlite3. In both, the
 * hooks enforce: a used-up explicit limit denies a tool call, and doctor passes.
 */
test(
  'Node 26 + npm 12: npm install -g of the tarball works with scripts blocked (node:sqlite) and allowed (better-sqlite3)',
  { timeout: 900_000 },
  (t) => {
    const cur = currentNode(process.env, true);
    if ('why' in cur) {
      t.skip(`Node 26 cannot be obtained: ${cur.why}`);
      return;
    }
    const started = Date.now();
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccguard pack26-')));
    t.after(() => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
    const PATH = `${cur.npmBin}:${dirname(cur.node)}:/usr/bin:/bin`;
    // node-gyp builds against Node 26's own headers (this machine's npm config may name other ones).
    const npm26 = npmEnv({ PATH, npm_config_nodedir: cur.nodeDir });
    const version = run('npm', ['--version'], { cwd: root, env: npm26 });
    assert.match(version.stdout.trim(), /^12\./, describe(version));

    const src = copySource(join(root, 'src'));
    const out = join(root, 'out');
    mkdirSync(out);
    const pack = run('npm', ['pack', '--json', '--pack-destination', out], { cwd: src, env: npm26, timeout: 180_000 });
    assert.equal(pack.status, 0, describe(pack));
    // npm 12 prints an object by package name where npm 11 printed a list.
    const packed = JSON.parse(pack.stdout) as { filename: string }[] | Record<string, { filename: string }>;
    const tgz = join(out, (Array.isArray(packed) ? packed[0] : Object.values(packed)[0])!.filename);

    const addonName = `better-sqlite3-v${PKG.optionalDependencies['better-sqlite3']}-node-v147-linux-x64.tar.gz`;
    const prebuilds = join(cacheDir(process.env), 'prebuilds');
    for (const mode of ['blocked', 'allowed'] as const) {
      const prefix = join(root, `prefix-${mode}`);
      mkdirSync(prefix);
      const args = ['install', '-g', '--prefix', prefix, '--prefer-offline'];
      if (mode === 'allowed') {
        args.push('--allow-scripts=better-sqlite3');
        if (existsSync(join(prebuilds, addonName)))
          writeFileSync(join(prefix, '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`);
      }
      const inst = run('npm', [...args, tgz], { cwd: root, env: npm26, timeout: 600_000 });
      assert.equal(inst.status, 0, `${mode}: ${describe(inst)}`);
      const said = `${inst.stdout}\n${inst.stderr}`;
      assert.doesNotMatch(said, /EBADENGINE/, said);
      // npm's own notice of the install scripts it blocked, and its word on this machine's npm config
      // (an offline headers folder, nodedir), are npm's; any other warning is ccguard's to fix.
      const warnings = said
        .split('\n')
        .filter(
          (l) =>
            /^npm warn/i.test(l) && !/^npm warn (install-scripts|Unknown (env|user|global) config "nodedir")/i.test(l),
        );
      assert.deepEqual(warnings, [], said);
      const pkgDir = join(prefix, 'lib', 'node_modules', 'ccguard');
      const addon = join(pkgDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
      assert.equal(
        existsSync(addon),
        mode === 'allowed',
        `${mode}: better-sqlite3's addon ${mode === 'allowed' ? 'built' : 'not built'}`,
      );
      if (mode === 'allowed' && !existsSync(join(prebuilds, addonName))) {
        mkdirSync(prebuilds, { recursive: true });
        run(
          'tar',
          [
            '-czf',
            join(prebuilds, addonName),
            '-C',
            join(pkgDir, 'node_modules', 'better-sqlite3'),
            'build/Release/better_sqlite3.node',
          ],
          { cwd: root, env: process.env },
        );
      }

      const home = join(root, `home ${mode}`);
      mkdirSync(join(home, '.claude', 'ccguard'), { recursive: true });
      // An explicit limit, used up: $1.20 a block, and a response that cost more.
      writeFileSync(
        join(home, '.claude', 'ccguard', 'config.yaml'),
        'plan: 100000000\nalerts:\n  cost_threshold: 1.0\n  hard_cost_limit: 1.2\n',
      );
      const project = join(home, '.claude', 'projects', '-work-app');
      mkdirSync(project, { recursive: true });
      const transcript = join(project, 's1.jsonl');
      writeFileSync(
        transcript,
        assistantLine({
          msgId: 'msg_1',
          session: 's1',
          ts: Date.now() - 180_000,
          input: 300_000,
          output: 0,
          model: 'claude-opus-4-5-20251101',
        }) + '\n',
      );
      const env = { HOME: home, PATH: `${join(prefix, 'bin')}:${PATH}`, TZ: 'UTC', NO_COLOR: '1' };
      const install = run('/bin/sh', ['-c', 'ccguard install'], { cwd: home, env });
      assert.equal(install.status, 0, `${mode}: ${describe(install)}`);
      const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8')) as {
        hooks: Record<string, { hooks: { command: string }[] }[]>;
      };
      const pre = settings.hooks.PreToolUse?.flatMap((g) => g.hooks.map((h) => h.command)).find((c) =>
        c.includes('--ccguard'),
      );
      assert.ok(pre, JSON.stringify(settings.hooks));
      const input = JSON.stringify({
        session_id: 's1',
        transcript_path: transcript,
        cwd: '/work/app',
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
      });
      const hook = run('/bin/sh', ['-c', pre], { cwd: home, env, input });
      assert.equal(hook.status, 0, describe(hook));
      const decision = (
        JSON.parse(hook.stdout) as {
          hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string };
        }
      ).hookSpecificOutput;
      assert.equal(decision.permissionDecision, 'deny', `${mode}: ${hook.stdout}`);
      assert.match(decision.permissionDecisionReason, /past the hard limit of \$1\.20/);
      const st = run('/bin/sh', ['-c', 'ccguard status --json'], { cwd: home, env });
      assert.equal(st.status, 0, describe(st));
      const sqlite = (JSON.parse(st.stdout) as { sqlite: { driver: string; why: string } }).sqlite;
      assert.equal(sqlite.driver, mode === 'allowed' ? 'better-sqlite3' : 'node:sqlite', `${mode}: ${sqlite.why}`);
      if (mode === 'blocked') assert.match(sqlite.why, /addon is not built/);
      const doctor = run('/bin/sh', ['-c', 'ccguard doctor'], { cwd: home, env });
      assert.equal(doctor.status, 0, `${mode}: ${describe(doctor)}`);
      assert.match(doctor.stdout, new RegExp(`SQLite through ${sqlite.driver}`));
    }
    t.diagnostic(
      `Node 26 + npm 12: pack, two installs, hooks and doctor in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  },
);
