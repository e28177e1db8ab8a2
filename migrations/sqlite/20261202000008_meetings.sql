-- The doorbraakoverleg: a team's meeting with its agenda (issue 12), and the per-person secret
-- calendar feeds that list them.

CREATE TABLE meetings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The iCalendar UID: stable for the life of the meeting, whatever changes.
    uid              TEXT NOT NULL UNIQUE,
    team_id          INTEGER NOT NULL REFERENCES teams (id),
    starts_at        INTEGER NOT NULL,              -- Unix ms (UTC)
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
    place            TEXT NOT NULL DEFAULT '',
    video_link       TEXT NOT NULL DEFAULT '',
    chair_id         INTEGER NOT NULL REFERENCES accounts (id),
    status           TEXT NOT NULL DEFAULT 'gepland'
                     CHECK (status IN ('gepland', 'bezig', 'afgerond', 'geannuleerd')),
    -- The iCalendar SEQUENCE: one up with every change a calendar should take over.
    sequence         INTEGER NOT NULL DEFAULT 0,
    -- Meetings planned together as "every N weeks" share this.
    series           TEXT,
    created_by       INTEGER NOT NULL REFERENCES accounts (id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX meetings_by_team ON meetings (team_id, starts_at);

CREATE TABLE agenda_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id      INTEGER NOT NULL REFERENCES meetings (id),
    position        INTEGER NOT NULL,
    -- A canvas on the table, or (NULL) a free topic such as mededelingen.
    canvas_id       TEXT REFERENCES canvases (id),
    topic           TEXT NOT NULL DEFAULT '',
    brought_by      TEXT NOT NULL DEFAULT '',
    timebox_minutes INTEGER NOT NULL DEFAULT 15 CHECK (timebox_minutes BETWEEN 1 AND 240),
    UNIQUE (meeting_id, canvas_id)
);

CREATE TABLE calendar_feeds (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts (id),
    -- SHA-256 of the secret in the feed's URL; the secret itself is shown once.
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
