-- Running an overleg live (issue 12): who chairs where, the shared timer, attendance, guests of
-- one overleg, the besluit and actiepunten per agenda item, the verslag, and comments on canvases.

ALTER TABLE meetings ADD COLUMN started_at INTEGER;
ALTER TABLE meetings ADD COLUMN finished_at INTEGER;
-- The agenda item on the table now.
ALTER TABLE meetings ADD COLUMN current_item INTEGER REFERENCES agenda_items (id);
-- The shared timer of the current item: milliseconds left when it was last started or paused, and
-- when it was started (NULL while paused). Everyone computes the same time left from these.
ALTER TABLE meetings ADD COLUMN timer_left_ms INTEGER;
ALTER TABLE meetings ADD COLUMN timer_started_at INTEGER;
-- Where the chair is: presence, not content (never in the canvas document).
ALTER TABLE meetings ADD COLUMN chair_canvas TEXT;
ALTER TABLE meetings ADD COLUMN chair_step TEXT NOT NULL DEFAULT '';
-- The window in which guests may read the agenda's canvases (Unix ms); `guests_until` is NULL
-- while the overleg runs (it lasts until the chair ends it). Set by the use cases, from one rule.
ALTER TABLE meetings ADD COLUMN guests_from INTEGER;
ALTER TABLE meetings ADD COLUMN guests_until INTEGER;

ALTER TABLE agenda_items ADD COLUMN decision TEXT NOT NULL DEFAULT '';
-- When the item was first on the table: the canvases that get a version when the overleg ends.
ALTER TABLE agenda_items ADD COLUMN discussed_at INTEGER;

CREATE TABLE meeting_guests (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    -- Whether the chair lets this guest edit the agenda's canvases (otherwise read and comment).
    may_edit   INTEGER NOT NULL DEFAULT 0 CHECK (may_edit IN (0, 1)),
    invited_by INTEGER NOT NULL REFERENCES accounts (id),
    invited_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, account_id)
);
CREATE INDEX meeting_guests_by_account ON meeting_guests (account_id);

CREATE TABLE meeting_attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    place      TEXT NOT NULL CHECK (place IN ('zaal', 'afstand')),
    since      INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, account_id)
);

CREATE TABLE action_items (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id     INTEGER NOT NULL REFERENCES meetings (id),
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    -- The canvas of the agenda item, if it was one (kept when the item leaves a later agenda).
    canvas_id      TEXT REFERENCES canvases (id),
    what           TEXT NOT NULL,
    owner_id       INTEGER NOT NULL REFERENCES accounts (id),
    due_on         TEXT NOT NULL,          -- YYYY-MM-DD, Dutch calendar date
    created_by     INTEGER NOT NULL REFERENCES accounts (id),
    created_at     INTEGER NOT NULL,
    done_at        INTEGER,
    done_by        INTEGER REFERENCES accounts (id),
    -- Whether the owner was told it is due (once).
    due_told       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX action_items_open_by_owner ON action_items (owner_id) WHERE done_at IS NULL;
CREATE INDEX action_items_by_canvas ON action_items (canvas_id);

-- The verslag: a draft made from what was recorded, edited by the chair, then fixed for good.
CREATE TABLE minutes (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id),
    content    TEXT NOT NULL,              -- JSON, see services::minutes
    updated_by INTEGER NOT NULL REFERENCES accounts (id),
    updated_at INTEGER NOT NULL,
    fixed_by   INTEGER REFERENCES accounts (id),
    fixed_at   INTEGER
);

-- Comments on a canvas: casework, covered by the canvas's policy; never logged.
CREATE TABLE comments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    canvas_id   TEXT NOT NULL REFERENCES canvases (id),
    -- The first comment of the thread; NULL for the first itself.
    thread_id   INTEGER REFERENCES comments (id),
    -- The step or field it is about (a key of the canvas schema).
    field       TEXT NOT NULL,
    -- The text range it is anchored to, as two Yjs relative positions (base64), or empty.
    anchor      TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES accounts (id),
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES accounts (id)
);
CREATE INDEX comments_by_canvas ON comments (canvas_id, id);
