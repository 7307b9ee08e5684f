-- Sign-in hardening (issue 10, items 2-3): OTP hashes salted per row (and keyed with AUTH_SECRET when set);
-- sessions end after SESSION_IDLE_DAYS unused.
ALTER TABLE otp_codes ADD COLUMN salt text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX otp_codes_created_idx ON otp_codes (created_at);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);
