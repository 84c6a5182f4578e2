-- Accounts of the shared user store (include/portico/account_store.h): a
-- sign-up account is a users row (002) like any SCIM User, plus when its
-- email was verified; organizations group a tenant's accounts. Times are
-- BIGINT Unix milliseconds.

-- NULL: not verified (every SCIM-made user until it signs up).
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

CREATE TABLE organizations (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
-- Also serves the cascade from a deleted tenant.
CREATE INDEX organizations_by_tenant ON organizations (tenant_id, created_at);

CREATE TABLE organization_members (
  tenant_id       TEXT NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            TEXT NOT NULL,  -- 'owner', 'admin' or 'member'
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
-- A user's memberships, and the cascade from a deleted user.
CREATE INDEX organization_members_by_user ON organization_members (user_id);
