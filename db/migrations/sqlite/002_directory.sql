-- Users (the accounts of the shared user store, also SCIM Users) and groups.
-- `document` keeps a resource's attributes as the client gave them (SCIM
-- JSON); the other columns exist to be matched, sorted and joined on. A
-- column holds the Unicode case-folded value when the attribute is not
-- caseExact (RFC 7643 §2.2), so filters compare folded values on both
-- dialects alike (SQLite's lower() is ASCII-only).

CREATE TABLE users (
  id                     TEXT PRIMARY KEY,
  tenant_id              TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_name              TEXT NOT NULL,
  user_name_key          TEXT NOT NULL,  -- folded userName: case-insensitive uniqueness
  external_id            TEXT,
  display_name           TEXT,           -- as given: members[].display, groups
  active                 INTEGER,
  password_hash          TEXT,
  document               TEXT NOT NULL,
  version                BIGINT NOT NULL,
  created_at             BIGINT NOT NULL,
  updated_at             BIGINT NOT NULL,
  m_display_name         TEXT,
  m_nick_name            TEXT,
  m_profile_url          TEXT,
  m_title                TEXT,
  m_user_type            TEXT,
  m_preferred_language   TEXT,
  m_locale               TEXT,
  m_timezone             TEXT,
  m_name_formatted       TEXT,
  m_name_family_name     TEXT,
  m_name_given_name      TEXT,
  m_name_middle_name     TEXT,
  m_name_honorific_prefix TEXT,
  m_name_honorific_suffix TEXT,
  m_employee_number      TEXT,
  m_cost_center          TEXT,
  m_organization         TEXT,
  m_division             TEXT,
  m_department           TEXT,
  m_manager_value        TEXT,
  m_manager_ref          TEXT,           -- manager.$ref (filterable like value)
  UNIQUE (tenant_id, user_name_key)
);
CREATE INDEX users_by_external_id ON users (tenant_id, external_id);
CREATE INDEX users_by_created ON users (tenant_id, created_at, id);

-- One row per element of a multi-valued attribute (emails, phoneNumbers,
-- ims, photos, addresses, entitlements, roles, x509Certificates): a filter
-- on `emails[type eq "work" and value co "@x"]` is one same-row EXISTS.
CREATE TABLE user_values (
  tenant_id      TEXT NOT NULL,
  user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  attr           TEXT NOT NULL,
  ord            INTEGER NOT NULL,
  value          TEXT,
  display        TEXT,
  type           TEXT,
  is_primary     INTEGER,
  formatted      TEXT,
  street_address TEXT,
  locality       TEXT,
  region         TEXT,
  postal_code    TEXT,
  country        TEXT,
  PRIMARY KEY (user_id, attr, ord)
);
CREATE INDEX user_values_by_value ON user_values (tenant_id, attr, value);

CREATE TABLE directory_groups (
  id               TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  display_name     TEXT NOT NULL,
  display_name_key TEXT NOT NULL,  -- folded displayName
  external_id      TEXT,
  document         TEXT NOT NULL,
  version          BIGINT NOT NULL,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX directory_groups_by_name ON directory_groups (tenant_id, display_name_key);
CREATE INDEX directory_groups_by_external_id ON directory_groups (tenant_id, external_id);
CREATE INDEX directory_groups_by_created ON directory_groups (tenant_id, created_at, id);

-- Membership is its own table: adding or removing one member of a 100,000-
-- member group touches one row.
CREATE TABLE group_members (
  tenant_id   TEXT NOT NULL,
  group_id    TEXT NOT NULL REFERENCES directory_groups (id) ON DELETE CASCADE,
  member_id   TEXT NOT NULL,
  member_type TEXT NOT NULL,  -- 'User' or 'Group'
  PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_by_member ON group_members (tenant_id, member_id);
