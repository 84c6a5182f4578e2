-- Users (the accounts of the shared user store, also SCIM Users) and groups.
-- `document` keeps a resource's attributes as the client gave them (SCIM
-- JSON); the other columns exist to be matched, sorted and joined on. A
-- column holds the Unicode case-folded value when the attribute is not
-- caseExact (RFC 7643 §2.2), so filters compare folded values on both
-- dialects alike (SQLite's lower() is ASCII-only). Text columns use the "C"
-- collation: comparisons and ORDER BY are by code point, as on SQLite.

CREATE TABLE users (
  id                     TEXT COLLATE "C" PRIMARY KEY,
  tenant_id              TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_name              TEXT COLLATE "C" NOT NULL,
  user_name_key          TEXT COLLATE "C" NOT NULL,  -- folded userName: case-insensitive uniqueness
  external_id            TEXT COLLATE "C",
  display_name           TEXT COLLATE "C",           -- as given: members[].display, groups
  active                 INTEGER,
  password_hash          TEXT COLLATE "C",
  document               TEXT COLLATE "C" NOT NULL,
  version                BIGINT NOT NULL,
  created_at             BIGINT NOT NULL,
  updated_at             BIGINT NOT NULL,
  m_display_name         TEXT COLLATE "C",
  m_nick_name            TEXT COLLATE "C",
  m_profile_url          TEXT COLLATE "C",
  m_title                TEXT COLLATE "C",
  m_user_type            TEXT COLLATE "C",
  m_preferred_language   TEXT COLLATE "C",
  m_locale               TEXT COLLATE "C",
  m_timezone             TEXT COLLATE "C",
  m_name_formatted       TEXT COLLATE "C",
  m_name_family_name     TEXT COLLATE "C",
  m_name_given_name      TEXT COLLATE "C",
  m_name_middle_name     TEXT COLLATE "C",
  m_name_honorific_prefix TEXT COLLATE "C",
  m_name_honorific_suffix TEXT COLLATE "C",
  m_employee_number      TEXT COLLATE "C",
  m_cost_center          TEXT COLLATE "C",
  m_organization         TEXT COLLATE "C",
  m_division             TEXT COLLATE "C",
  m_department           TEXT COLLATE "C",
  m_manager_value        TEXT COLLATE "C",
  m_manager_ref          TEXT COLLATE "C",           -- manager.$ref (filterable like value)
  UNIQUE (tenant_id, user_name_key)
);
CREATE INDEX users_by_external_id ON users (tenant_id, external_id);
CREATE INDEX users_by_created ON users (tenant_id, created_at, id);

-- One row per element of a multi-valued attribute (emails, phoneNumbers,
-- ims, photos, addresses, entitlements, roles, x509Certificates): a filter
-- on `emails[type eq "work" and value co "@x"]` is one same-row EXISTS.
CREATE TABLE user_values (
  tenant_id      TEXT COLLATE "C" NOT NULL,
  user_id        TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  attr           TEXT COLLATE "C" NOT NULL,
  ord            INTEGER NOT NULL,
  value          TEXT COLLATE "C",
  display        TEXT COLLATE "C",
  type           TEXT COLLATE "C",
  is_primary     INTEGER,
  formatted      TEXT COLLATE "C",
  street_address TEXT COLLATE "C",
  locality       TEXT COLLATE "C",
  region         TEXT COLLATE "C",
  postal_code    TEXT COLLATE "C",
  country        TEXT COLLATE "C",
  PRIMARY KEY (user_id, attr, ord)
);
CREATE INDEX user_values_by_value ON user_values (tenant_id, attr, value);

CREATE TABLE directory_groups (
  id               TEXT COLLATE "C" PRIMARY KEY,
  tenant_id        TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  display_name     TEXT COLLATE "C" NOT NULL,
  display_name_key TEXT COLLATE "C" NOT NULL,  -- folded displayName
  external_id      TEXT COLLATE "C",
  document         TEXT COLLATE "C" NOT NULL,
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
  tenant_id   TEXT COLLATE "C" NOT NULL,
  group_id    TEXT COLLATE "C" NOT NULL REFERENCES directory_groups (id) ON DELETE CASCADE,
  member_id   TEXT COLLATE "C" NOT NULL,
  member_type TEXT COLLATE "C" NOT NULL,  -- 'User' or 'Group'
  PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_by_member ON group_members (tenant_id, member_id);
