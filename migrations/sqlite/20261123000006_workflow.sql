-- The workflow around a canvas: its status history, its escalations, the doorbraakbudget and
-- in-app notifications. Workflow facts live here, not in the CRDT document, so that they have
-- one authoritative order.

-- Every status change: who, when, from what to what, and an optional note.
CREATE TABLE status_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    canvas_id    TEXT NOT NULL REFERENCES canvases (id),
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    changed_by   INTEGER REFERENCES accounts (id),
    changed_at   INTEGER NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX status_changes_by_canvas ON status_changes (canvas_id, id);

-- One step up the escalation ladder and what came of it. At most one escalation per canvas is
-- open (answered_at IS NULL) at a time.
CREATE TABLE escalations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    canvas_id       TEXT NOT NULL REFERENCES canvases (id),
    from_level      TEXT NOT NULL CHECK (from_level IN ('team', 'directie', 'coach', 'pmm')),
    to_level        TEXT NOT NULL CHECK (to_level IN ('directie', 'coach', 'pmm')),
    question        TEXT NOT NULL,
    escalated_by    INTEGER NOT NULL REFERENCES accounts (id),
    escalated_at    INTEGER NOT NULL,
    picked_up_by    INTEGER REFERENCES accounts (id),
    picked_up_at    INTEGER,
    answer          TEXT,
    answered_by     INTEGER REFERENCES accounts (id),
    answered_at     INTEGER,
    outcome         TEXT CHECK (outcome IN ('opgelost', 'teruggelegd', 'verder_opgeschaald')),
    -- The canvas as it was when escalated: the whole Yjs document as one update (v1).
    snapshot        BLOB NOT NULL
);
CREATE INDEX escalations_by_canvas ON escalations (canvas_id, id);
CREATE UNIQUE INDEX one_open_escalation ON escalations (canvas_id) WHERE answered_at IS NULL;

-- A team's doorbraakbudget per year, set by its aanjager.
CREATE TABLE team_budgets (
    team_id       INTEGER NOT NULL REFERENCES teams (id),
    year          INTEGER NOT NULL,
    amount_cents  INTEGER NOT NULL CHECK (amount_cents >= 0),
    set_by        INTEGER NOT NULL REFERENCES accounts (id),
    set_at        INTEGER NOT NULL,
    PRIMARY KEY (team_id, year)
) WITHOUT ROWID;

-- The ledger: entries are never changed or deleted (the triggers refuse it), only corrected by a
-- counter-entry that names the entry it corrects.
CREATE TABLE budget_entries (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id            INTEGER NOT NULL REFERENCES teams (id),
    year               INTEGER NOT NULL,
    canvas_id          TEXT NOT NULL REFERENCES canvases (id),
    kind               TEXT NOT NULL CHECK (kind IN ('committed', 'spent')),
    amount_cents       INTEGER NOT NULL,            -- negative only in a correction
    purpose            TEXT NOT NULL,               -- what for
    why_not_regular    TEXT NOT NULL,               -- why the regular route did not work
    approved_by        TEXT NOT NULL,
    entry_date         TEXT NOT NULL,               -- YYYY-MM-DD
    corrects           INTEGER REFERENCES budget_entries (id),
    over_budget_confirmed INTEGER NOT NULL DEFAULT 0,
    recorded_by        INTEGER NOT NULL REFERENCES accounts (id),
    recorded_at        INTEGER NOT NULL
);
CREATE INDEX budget_entries_by_team ON budget_entries (team_id, year, id);
CREATE TRIGGER budget_entries_no_update BEFORE UPDATE ON budget_entries
BEGIN SELECT RAISE(ABORT, 'budget entries are corrected by a counter-entry, never changed'); END;
CREATE TRIGGER budget_entries_no_delete BEFORE DELETE ON budget_entries
BEGIN SELECT RAISE(ABORT, 'budget entries are corrected by a counter-entry, never deleted'); END;

-- In-app notifications: a new escalation, an answer received.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    text        TEXT NOT NULL,
    link        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_by_account ON notifications (account_id, id);
