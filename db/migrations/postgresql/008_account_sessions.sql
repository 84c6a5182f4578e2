-- Sessions of sign-up accounts (include/portico/account_store.h): the token
-- is stored only as its keyed hash. A deleted user's (or tenant's) sessions
-- go with it. Times are BIGINT Unix milliseconds. Keys use the "C" collation, as in 002.
CREATE TABLE account_sessions (
  id         TEXT COLLATE "C" PRIMARY KEY,
  tenant_id  TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  client_ip  TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
-- The cascades from a deleted user or tenant, and housekeeping by expiry.
CREATE INDEX account_sessions_by_user ON account_sessions (user_id);
CREATE INDEX account_sessions_by_tenant ON account_sessions (tenant_id);
CREATE INDEX account_sessions_by_expiry ON account_sessions (expires_at);
