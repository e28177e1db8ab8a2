-- Teams, roles and access control: who works where, how they sign in, what they did.

CREATE TABLE provinces (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    name  TEXT NOT NULL UNIQUE
);

CREATE TABLE gemeenten (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    province_id  INTEGER NOT NULL REFERENCES provinces (id)
);

CREATE TABLE teams (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    gemeente_id  INTEGER NOT NULL REFERENCES gemeenten (id),
    created_at   INTEGER NOT NULL,
    UNIQUE (gemeente_id, name)
);

-- One role per person per team (see server/access/policy.rs).
CREATE TABLE memberships (
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    role        TEXT NOT NULL CHECK (role IN ('aanjager', 'projectleider', 'teamlid', 'inbrenger')),
    PRIMARY KEY (team_id, account_id)
) WITHOUT ROWID;

-- Doorbraakcoaches work for one province; PMM is national.
ALTER TABLE accounts ADD COLUMN coach_province_id INTEGER REFERENCES provinces (id);
ALTER TABLE accounts ADD COLUMN is_pmm INTEGER NOT NULL DEFAULT 0;

-- Sessions are found by the SHA-256 of the cookie's value; the value itself is never stored.
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    csrf_token    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    ended_at      INTEGER
) WITHOUT ROWID;
CREATE INDEX sessions_by_account ON sessions (account_id);

-- Failed sign-ins per e-mail address, whether or not an account exists (server/access/lockout.rs).
CREATE TABLE sign_in_failures (
    email            TEXT PRIMARY KEY NOT NULL,
    failures         INTEGER NOT NULL,
    last_failure_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- One-time links: invitations to a team or as coach or PMM, and password resets. Found by the
-- SHA-256 of the token in the link.
CREATE TABLE invitations (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('team', 'coach', 'pmm', 'reset')),
    email        TEXT NOT NULL,
    team_id      INTEGER REFERENCES teams (id),
    role         TEXT CHECK (role IN ('aanjager', 'projectleider', 'teamlid', 'inbrenger')),
    province_id  INTEGER REFERENCES provinces (id),
    created_by   INTEGER NOT NULL REFERENCES accounts (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
) WITHOUT ROWID;

-- The audit log is append-only: the triggers refuse every change and deletion.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    account_id  INTEGER REFERENCES accounts (id),
    team_id     INTEGER REFERENCES teams (id),
    canvas_id   TEXT,
    event       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_team ON audit_log (team_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Whose canvas it is. Canvases from before teams existed have no team and are visible to nobody.
ALTER TABLE canvases ADD COLUMN team_id INTEGER REFERENCES teams (id);
ALTER TABLE canvases ADD COLUMN brought_in_by INTEGER REFERENCES accounts (id);
-- Where the canvas stands on the escalation ladder now, and the highest rung it ever reached:
-- 'team', 'directie', 'coach' or 'pmm'.
ALTER TABLE canvases ADD COLUMN escalation_level TEXT NOT NULL DEFAULT 'team';
ALTER TABLE canvases ADD COLUMN highest_level TEXT NOT NULL DEFAULT 'team';
CREATE INDEX canvases_by_team ON canvases (team_id);
