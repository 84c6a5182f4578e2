-- OAuth (RFC 7591/7592 clients, token signing keys, RFC 7009 revocations),
-- per-tenant settings documents and rate-limit counters. Times are BIGINT
-- Unix milliseconds; JSON is stored as text; secrets only as keyed hashes.

CREATE TABLE oauth_clients (
  client_id                  TEXT PRIMARY KEY,
  tenant_id                  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  metadata                   TEXT NOT NULL,             -- the registered metadata (JSON)
  fingerprint                TEXT NOT NULL DEFAULT '',  -- '' when not deduplicable
  secret_hash                TEXT,                      -- NULL for public clients
  secret_expires_at          BIGINT,                    -- NULL: never
  previous_secret_hash       TEXT,                      -- accepted until its expiry
  previous_secret_expires_at BIGINT,
  registration_token_hash    TEXT NOT NULL,
  issued_at                  BIGINT NOT NULL,
  updated_at                 BIGINT NOT NULL,
  version                    BIGINT NOT NULL,
  last_used_at               BIGINT NOT NULL,
  tokens_live_until          BIGINT                     -- latest expiry of an issued token
);
-- Deduplication (the tenant's oldest client with a fingerprint); its tenant_id
-- prefix also serves the per-tenant count.
CREATE INDEX oauth_clients_by_fingerprint ON oauth_clients (tenant_id, fingerprint, issued_at);
-- Pruning of unused clients, oldest use first.
CREATE INDEX oauth_clients_by_last_use ON oauth_clients (last_used_at);

CREATE TABLE signing_keys (
  kid                TEXT PRIMARY KEY,
  sealed_private_key TEXT NOT NULL,  -- AES-256-GCM sealed text, never the clear key
  created_at         BIGINT NOT NULL,
  retired_at         BIGINT,         -- NULL while the key signs
  expires_at         BIGINT          -- published until then, then deleted
);

CREATE TABLE revoked_tokens (
  jti        TEXT PRIMARY KEY,
  client_id  TEXT NOT NULL,
  expires_at BIGINT NOT NULL  -- the token's own expiry: the row is useless after it
) WITHOUT ROWID;
CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);

CREATE TABLE tenant_settings (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name       TEXT NOT NULL,  -- e.g. 'dcr.policy'
  value      TEXT NOT NULL,  -- JSON
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, name)
) WITHOUT ROWID;

-- One row per (bucket, fixed window); rows of ended windows are deleted.
CREATE TABLE rate_limits (
  bucket       TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  window_end   BIGINT NOT NULL,
  hits         BIGINT NOT NULL,
  PRIMARY KEY (bucket, window_start)
) WITHOUT ROWID;
CREATE INDEX rate_limits_by_end ON rate_limits (window_end);
