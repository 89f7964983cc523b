/**
 * Schema migrations, numbered by position: migration i brings user_version from i to i + 1.
 * Append only; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the usage engine.
  `
  CREATE TABLE files (
    path        TEXT PRIMARY KEY,
    dev         INTEGER NOT NULL,
    ino         INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ms    INTEGER NOT NULL,
    offset      INTEGER NOT NULL,
    head_hash   TEXT NOT NULL,
    bad_lines   INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
  );
  CREATE INDEX files_mtime ON files(mtime_ms);

  CREATE TABLE entries (
    key             TEXT PRIMARY KEY,
    ts              INTEGER NOT NULL,
    session_id      TEXT NOT NULL,
    project         TEXT NOT NULL,
    model           TEXT NOT NULL,
    input           INTEGER NOT NULL,
    output          INTEGER NOT NULL,
    cache_write_5m  INTEGER NOT NULL,
    cache_write_1h  INTEGER NOT NULL,
    cache_read      INTEGER NOT NULL,
    cost_usd        REAL NOT NULL,
    cost_estimated  INTEGER NOT NULL,
    file_path       TEXT NOT NULL
  );
  CREATE INDEX entries_ts ON entries(ts);
  CREATE INDEX entries_session ON entries(session_id, ts);
  CREATE INDEX entries_file ON entries(file_path);

  CREATE TABLE api_errors (
    key         TEXT PRIMARY KEY,
    ts          INTEGER NOT NULL,
    session_id  TEXT NOT NULL,
    project     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      INTEGER,
    message     TEXT NOT NULL,
    file_path   TEXT NOT NULL
  );
  CREATE INDEX api_errors_ts ON api_errors(ts);
  CREATE INDEX api_errors_file ON api_errors(file_path);

  CREATE TABLE limit_messages (
    key         TEXT PRIMARY KEY,
    ts          INTEGER NOT NULL,
    session_id  TEXT NOT NULL,
    project     TEXT NOT NULL,
    scope       TEXT NOT NULL,
    reset_at    INTEGER,
    text        TEXT NOT NULL,
    file_path   TEXT NOT NULL
  );
  CREATE INDEX limit_messages_ts ON limit_messages(ts);
  CREATE INDEX limit_messages_file ON limit_messages(file_path);

  CREATE TABLE dirs (
    path      TEXT PRIMARY KEY,
    mtime_ms  INTEGER NOT NULL
  );

  CREATE TABLE blocks (
    start    INTEGER PRIMARY KEY,
    end      INTEGER NOT NULL,
    last_ts  INTEGER NOT NULL
  );

  CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  );
  `,
  // 2: the hooks: what they decided, the recovery state they share, and one-per-crossing marks.
  `
  CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    ts           INTEGER NOT NULL,
    session_id   TEXT,
    hook         TEXT NOT NULL,
    tool         TEXT,
    decision     TEXT NOT NULL,
    state        TEXT,
    reason       TEXT,
    source       TEXT,
    sleep_ms     INTEGER NOT NULL DEFAULT 0,
    duration_ms  REAL,
    detail       TEXT
  );
  CREATE INDEX events_ts ON events(ts);
  CREATE INDEX events_session ON events(session_id, ts);

  CREATE TABLE recovery (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    session_id   TEXT,
    level        INTEGER NOT NULL DEFAULT 0,
    since        INTEGER NOT NULL,
    until        INTEGER,
    last_ts      INTEGER,
    reason       TEXT NOT NULL DEFAULT ''
  );

  CREATE TABLE marks (
    key  TEXT PRIMARY KEY,
    ts   INTEGER NOT NULL
  );
  `,
  // 3: the rate limits Claude Code's status line reports (server utilization per window).
  `
  CREATE TABLE rate_limits (
    id            INTEGER PRIMARY KEY,
    limit_window  TEXT NOT NULL,
    used_pct      REAL NOT NULL,
    resets_at     INTEGER,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    session_id    TEXT
  );
  CREATE INDEX rate_limits_window ON rate_limits(limit_window, last_seen);
  `,
  // 4: claude-monitor's cached output, what kind of install answered, and the one-refresh-at-a-time lock.
  `
  CREATE TABLE monitor_cache (
    key           TEXT PRIMARY KEY,
    status        TEXT NOT NULL,
    ts            INTEGER NOT NULL,
    until         INTEGER,
    exit_code     INTEGER,
    generated_at  INTEGER,
    payload       TEXT,
    detail        TEXT
  );
  `,
  // 5: where a server reading came from: the status line, the usage endpoint.
  `
  ALTER TABLE rate_limits ADD COLUMN source TEXT NOT NULL DEFAULT 'statusline';
  `,
  // 6: accounts. Every server figure, limit line, API error, backoff, pause and lift belongs to one
  // account (lib/util/account.ts); rows from before are 'legacy', which the default folder's
  // subscription adopts (lib/app/accounts.ts). The account-wide recovery rows get the account in
  // their key; a lift (it named no window) becomes one per window and model family, as it acted.
  // `sessions` remembers each session's account, as its hooks saw it.
  `
  ALTER TABLE rate_limits ADD COLUMN account TEXT NOT NULL DEFAULT 'legacy';
  DROP INDEX rate_limits_window;
  CREATE INDEX rate_limits_window ON rate_limits(account, limit_window, last_seen);
  ALTER TABLE limit_messages ADD COLUMN account TEXT NOT NULL DEFAULT 'legacy';
  ALTER TABLE api_errors ADD COLUMN account TEXT NOT NULL DEFAULT 'legacy';
  ALTER TABLE entries ADD COLUMN account TEXT NOT NULL DEFAULT 'legacy';
  CREATE INDEX entries_account ON entries(account, ts);
  ALTER TABLE recovery ADD COLUMN account TEXT NOT NULL DEFAULT 'legacy';
  UPDATE recovery SET key = key || '@legacy' WHERE key IN ('backoff', 'pause');
  INSERT INTO recovery (key, kind, session_id, level, since, until, last_ts, reason, account)
    SELECT 'lift@legacy:' || w.scope, kind, session_id, level, since, until, last_ts, reason, 'legacy'
    FROM recovery, (SELECT 'five_hour' AS scope UNION ALL SELECT 'seven_day' UNION ALL SELECT 'opus' UNION ALL SELECT 'sonnet') AS w
    WHERE key = 'lift';
  DELETE FROM recovery WHERE key = 'lift';

  CREATE TABLE sessions (
    session_id  TEXT PRIMARY KEY,
    account     TEXT NOT NULL,
    config_dir  TEXT NOT NULL,
    seen        INTEGER NOT NULL
  );
  `,
];
