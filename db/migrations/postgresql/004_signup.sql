-- Self-serve signup sessions (runbook seed 000). Times are BIGINT Unix
-- milliseconds; lists and documents are JSON text. Nothing secret is kept
-- here: a session's one-time code is in otps, hashed, under
-- ('signup-session', id). Keys use the "C" collation, as in 003.

CREATE TABLE signup_sessions (
  id                    TEXT COLLATE "C" PRIMARY KEY,
  status                TEXT NOT NULL,  -- signup::SignupStatusName: PENDING_EMAIL_VERIFICATION, …
  company_name          TEXT NOT NULL,
  slug                  TEXT NOT NULL,
  -- The lowercased slug while the session holds it, NULL once released: the
  -- unique key lets exactly one of concurrent creates for a slug through.
  slug_hold             TEXT COLLATE "C" UNIQUE,
  modules               TEXT NOT NULL,  -- JSON array
  admin_email           TEXT NOT NULL,
  -- The legal acceptance snapshot, with the client IP and User-Agent the
  -- server saw.
  terms_version         TEXT NOT NULL,
  privacy_version       TEXT NOT NULL,
  accepted_at           BIGINT NOT NULL,
  client_ip             TEXT NOT NULL,
  user_agent            TEXT NOT NULL,
  otp_sends             INTEGER NOT NULL,
  otp_sent_at           BIGINT NOT NULL,
  otp_expires_at        BIGINT NOT NULL,
  email_verified_at     BIGINT,
  -- Provisioning: step marker → RFC 3339 time (JSON object), the failure
  -- {code, message, step} (JSON, NULL when none), the tenant once created,
  -- and the lease of the run in progress.
  provision_step_state  TEXT NOT NULL DEFAULT '{}',
  failure_reason        TEXT,
  tenant_id             TEXT COLLATE "C",
  provision_lease_until BIGINT,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL,
  expires_at            BIGINT NOT NULL,
  version               BIGINT NOT NULL
);
