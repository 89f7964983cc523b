// The account key of a session's environment, as Claude Code would tell it (lib/util/account.ts): a
// table of environments and files against the account each one is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountOf, configDirOf, kindOfKey, oauthAccountOf, type ReadText } from '../../lib/util/account.ts';

const HOME = '/home/u';
const claudeJson = (uuid: string | null, extra = ''): string =>
  `{"numStartups": 3, "projects": {"/p": {"allowedTools": []}}, ${extra}"oauthAccount": ${uuid === null ? 'null' : `{"emailAddress": "a@b.c", "accountUuid": "${uuid}", "organizationUuid": "org-1"}`}}`;

interface Row {
  name: string;
  env: Record<string, string | undefined>;
  files: Record<string, string>;
  key: string;
  kind: 'subscription' | 'api';
  by: string;
}

const rows: Row[] = [
  {
    name: 'default folder, logged in: the OAuth account from $HOME/.claude.json',
    env: { HOME },
    files: { [`${HOME}/.claude.json`]: claudeJson('uuid-a') },
    key: 'oauth:uuid-a',
    kind: 'subscription',
    by: 'oauth',
  },
  {
    name: 'default folder: ~/.claude/.claude.json is not where Claude Code looks without CLAUDE_CONFIG_DIR',
    env: { HOME },
    files: { [`${HOME}/.claude/.claude.json`]: claudeJson('uuid-x') },
    key: `dir:${HOME}/.claude`,
    kind: 'subscription',
    by: 'folder',
  },
  {
    name: 'CLAUDE_CONFIG_DIR: the OAuth account from its own .claude.json',
    env: { HOME, CLAUDE_CONFIG_DIR: '/cfg/b' },
    files: { '/cfg/b/.claude.json': claudeJson('uuid-b'), [`${HOME}/.claude.json`]: claudeJson('uuid-a') },
    key: 'oauth:uuid-b',
    kind: 'subscription',
    by: 'oauth',
  },
  {
    name: 'CLAUDE_CONFIG_DIR: $HOME/.claude.json is not its config',
    env: { HOME, CLAUDE_CONFIG_DIR: '/cfg/b' },
    files: { [`${HOME}/.claude.json`]: claudeJson('uuid-a') },
    key: 'dir:/cfg/b',
    kind: 'subscription',
    by: 'folder',
  },
  {
    name: 'two folders logged into one account share one key',
    env: { HOME, CLAUDE_CONFIG_DIR: '/cfg/c' },
    files: { '/cfg/c/.claude.json': claudeJson('uuid-a') },
    key: 'oauth:uuid-a',
    kind: 'subscription',
    by: 'oauth',
  },
  {
    name: 'logged out (oauthAccount null): the folder',
    env: { HOME },
    files: { [`${HOME}/.claude.json`]: claudeJson(null) },
    key: `dir:${HOME}/.claude`,
    kind: 'subscription',
    by: 'folder',
  },
  {
    name: 'the legacy <folder>/.config.json when .claude.json is missing',
    env: { HOME, CLAUDE_CONFIG_DIR: '/cfg/d' },
    files: { '/cfg/d/.config.json': claudeJson('uuid-d') },
    key: 'oauth:uuid-d',
    kind: 'subscription',
    by: 'oauth',
  },
  {
    name: 'a relative CLAUDE_CONFIG_DIR is resolved',
    env: { HOME, CLAUDE_CONFIG_DIR: '  /cfg/e/../e  ' },
    files: {},
    key: 'dir:/cfg/e',
    kind: 'subscription',
    by: 'folder',
  },
  {
    name: 'ANTHROPIC_API_KEY: an API-key account, whatever the login',
    env: { HOME, ANTHROPIC_API_KEY: 'sk-ant-x' },
    files: { [`${HOME}/.claude.json`]: claudeJson('uuid-a') },
    key: `api:${HOME}/.claude`,
    kind: 'api',
    by: 'ANTHROPIC_API_KEY',
  },
  {
    name: 'ANTHROPIC_AUTH_TOKEN',
    env: { HOME, CLAUDE_CONFIG_DIR: '/cfg/b', ANTHROPIC_AUTH_TOKEN: 't' },
    files: {},
    key: 'api:/cfg/b',
    kind: 'api',
    by: 'ANTHROPIC_AUTH_TOKEN',
  },
  {
    name: 'an empty ANTHROPIC_API_KEY is no key',
    env: { HOME, ANTHROPIC_API_KEY: '' },
    files: { [`${HOME}/.claude.json`]: claudeJson('uuid-a') },
    key: 'oauth:uuid-a',
    kind: 'subscription',
    by: 'oauth',
  },
  {
    name: 'Bedrock',
    env: { HOME, CLAUDE_CODE_USE_BEDROCK: '1' },
    files: {},
    key: `api:${HOME}/.claude`,
    kind: 'api',
    by: 'CLAUDE_CODE_USE_BEDROCK',
  },
  {
    name: 'Vertex (true)',
    env: { HOME, CLAUDE_CODE_USE_VERTEX: 'true' },
    files: {},
    key: `api:${HOME}/.claude`,
    kind: 'api',
    by: 'CLAUDE_CODE_USE_VERTEX',
  },
  {
    name: 'CLAUDE_CODE_USE_BEDROCK=0 is off',
    env: { HOME, CLAUDE_CODE_USE_BEDROCK: '0' },
    files: {},
    key: `dir:${HOME}/.claude`,
    kind: 'subscription',
    by: 'folder',
  },
  {
    name: "an apiKeyHelper in the folder's settings.json",
    env: { HOME, CLAUDE_CONFIG_DIR: '/cfg/f' },
    files: { '/cfg/f/settings.json': '{"apiKeyHelper": "~/bin/key.sh"}', '/cfg/f/.claude.json': claudeJson('uuid-f') },
    key: 'api:/cfg/f',
    kind: 'api',
    by: 'apiKeyHelper',
  },
  {
    name: 'a broken settings.json is no helper',
    env: { HOME },
    files: { [`${HOME}/.claude/settings.json`]: '{"apiKeyHelper": ', [`${HOME}/.claude.json`]: claudeJson('uuid-a') },
    key: 'oauth:uuid-a',
    kind: 'subscription',
    by: 'oauth',
  },
];

const reader =
  (files: Record<string, string>): ReadText =>
  (f) =>
    files[f] ?? null;

for (const r of rows) {
  test(`account key: ${r.name}`, () => {
    const a = accountOf(r.env, reader(r.files));
    assert.deepEqual({ key: a.key, kind: a.kind, by: a.by }, { key: r.key, kind: r.kind, by: r.by });
    assert.equal(kindOfKey(a.key), r.kind);
  });
}

test('config folder: CLAUDE_CONFIG_DIR, else ~/.claude', () => {
  assert.equal(configDirOf({ HOME }), `${HOME}/.claude`);
  assert.equal(configDirOf({ HOME, CLAUDE_CONFIG_DIR: '/x/y' }), '/x/y');
  assert.equal(configDirOf({ HOME, CLAUDE_CONFIG_DIR: '   ' }), `${HOME}/.claude`);
});

test('the OAuth account is found without parsing a large .claude.json, and only inside oauthAccount', () => {
  const big = `{"projects": {${Array.from({ length: 2000 }, (_, i) => `"/p${i}": {"history": ["x"], "accountUuid": "not-this-${i}"}`).join(',')}}, "oauthAccount": {"accountUuid": "uuid-z"}}`;
  assert.equal(oauthAccountOf(`${HOME}/.claude`, { HOME }, reader({ [`${HOME}/.claude.json`]: big })), 'uuid-z');
  assert.equal(
    oauthAccountOf(`${HOME}/.claude`, { HOME }, reader({ [`${HOME}/.claude.json`]: '{"accountUuid": "stray"}' })),
    null,
  );
});
