-- Per-tenant webhook endpoints (issue 6). The secret signs every delivery, so
-- it is kept sealed with AES-256-GCM under a key derived from
-- KEY_HASH_SECRET, never in clear. Times are BIGINT Unix milliseconds;
-- lists are JSON array text; booleans are 0/1 integers.
CREATE TABLE webhook_endpoints (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url           TEXT NOT NULL,
  events        TEXT NOT NULL,            -- subscribed event types; '["*"]' for all
  sealed_secret TEXT NOT NULL,            -- AES-256-GCM sealed "whsec_…"
  enabled       INTEGER NOT NULL DEFAULT 1,
  created_at    BIGINT NOT NULL
);
-- Every audit event looks up its tenant's endpoints.
CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, created_at);
