-- Portico schema v1 (SQLite). Times are BIGINT Unix milliseconds; lists are
-- JSON array text; booleans are 0/1 integers, as on PostgreSQL.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  slug        TEXT NOT NULL,
  slug_key    TEXT NOT NULL UNIQUE,  -- lowercased slug: case-insensitive uniqueness
  name        TEXT NOT NULL,
  modules     TEXT NOT NULL DEFAULT '[]',
  status      TEXT NOT NULL DEFAULT 'active',
  admin_email TEXT,
  created_at  BIGINT NOT NULL
);

CREATE TABLE credentials (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  name         TEXT NOT NULL,
  display_hint TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  scopes       TEXT NOT NULL DEFAULT '[]',
  expires_at   BIGINT,
  revoked_at   BIGINT,
  created_at   BIGINT NOT NULL
);
CREATE INDEX credentials_by_tenant ON credentials (tenant_id, created_at);

CREATE TABLE otps (
  id          TEXT PRIMARY KEY,
  purpose     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  code_hash   TEXT NOT NULL,
  expires_at  BIGINT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  consumed_at BIGINT,
  created_at  BIGINT NOT NULL,
  UNIQUE (purpose, subject)
);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  topic           TEXT NOT NULL,
  payload         TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  delivered_at    BIGINT,
  dead            INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  last_attempt_at BIGINT,
  created_at      BIGINT NOT NULL
);
-- Only pending rows: the dispatcher's claim and the pending count stay cheap
-- however many delivered rows accumulate.
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id)
  WHERE delivered_at IS NULL AND dead = 0;
