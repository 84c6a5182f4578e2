-- Signup provisioning (issue 5): idempotency keys of POST …/provision and the
-- immutable consent records. Times are BIGINT Unix milliseconds.

-- One row per (session, HMAC of the Idempotency-Key under KEY_HASH_SECRET):
-- the request's fingerprint and the secrets minted under the key, sealed
-- with AES-256-GCM under a key derived from KEY_HASH_SECRET and the
-- idempotency key (never readable from the database alone). Housekeeping
-- deletes rows older than a day.
CREATE TABLE signup_idempotency_keys (
  session_id      TEXT NOT NULL,
  key_hash        TEXT NOT NULL,
  fingerprint     TEXT NOT NULL,
  sealed_secrets  TEXT NOT NULL DEFAULT '',
  response_status INTEGER NOT NULL DEFAULT 0,
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (session_id, key_hash)
);
CREATE INDEX signup_idempotency_keys_by_created ON signup_idempotency_keys (created_at);

-- GDPR Art. 7: who accepted which versions, when, from where. Written once
-- by provisioning; never updated.
CREATE TABLE signup_consent_records (
  id              TEXT PRIMARY KEY,
  session_id      TEXT NOT NULL UNIQUE,
  tenant_id       TEXT NOT NULL,
  admin_user_id   TEXT NOT NULL,
  terms_version   TEXT NOT NULL,
  privacy_version TEXT NOT NULL,
  accepted_at     BIGINT NOT NULL,
  recorded_at     BIGINT NOT NULL,
  client_ip       TEXT NOT NULL,
  user_agent      TEXT NOT NULL
);
CREATE TRIGGER signup_consent_records_immutable BEFORE UPDATE ON signup_consent_records
BEGIN
  SELECT RAISE(ABORT, 'consent records are immutable');
END;
