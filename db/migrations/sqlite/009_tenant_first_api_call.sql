-- When the tenant first made an authenticated API call (SCIM or the token
-- endpoint), in BIGINT Unix milliseconds; NULL until then. Set once by a
-- conditional UPDATE, so the signup_to_first_api_call metric counts each
-- tenant once across processes and restarts.
ALTER TABLE tenants ADD COLUMN first_api_call_at BIGINT;
