-- Accounts and personal access tokens. Teams, roles and sessions follow with access control.
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    email          TEXT NOT NULL UNIQUE,  -- trimmed and lowercased
    name           TEXT NOT NULL DEFAULT '',
    password_hash  TEXT,                  -- argon2id, PHC format; NULL until a password is set
    is_beheerder   INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL       -- Unix milliseconds
);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL DEFAULT '',
    token_hash  TEXT NOT NULL UNIQUE,     -- SHA-256 of the token, hex; the token itself is never stored
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
