-- The learning archive's search index (issue 13). One entry per archived canvas: what the
-- policy needs to decide who may find it and what the filters ask (copied from the canvas and its
-- leeropbrengst when it is archived: an archived canvas no longer changes, and its scope is
-- written here too when it is set), its outcome (the status it was closed with), when it was
-- archived, the readable text it is searched on (in archive_texts, for the snippets) and that
-- text's stems (made in Rust, server/search) in an FTS5 table whose rowid is the entry's id.
-- A search reads these rows alone, not the canvases: it may match most of the archive.
CREATE TABLE archive_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    canvas_id      TEXT NOT NULL UNIQUE REFERENCES canvases (id) ON DELETE CASCADE,
    team_id        INTEGER NOT NULL REFERENCES teams (id),
    brought_in_by  INTEGER,
    level          TEXT NOT NULL,
    highest_level  TEXT NOT NULL,
    scope          TEXT CHECK (scope IS NULL OR scope IN ('team', 'provincie', 'land')),
    outcome        TEXT NOT NULL CHECK (outcome IN ('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak')),
    learning_order INTEGER,
    budget_used    INTEGER,
    archived_at    INTEGER NOT NULL
);
CREATE INDEX archive_entries_by_date ON archive_entries (archived_at);

-- The text apart from the entry, so that a search reads the filters' small rows and only the
-- texts of the page it shows.
CREATE TABLE archive_texts (
    entry_id INTEGER PRIMARY KEY NOT NULL REFERENCES archive_entries (id) ON DELETE CASCADE,
    body     TEXT NOT NULL
);

CREATE VIRTUAL TABLE archive_search USING fts5 (stems, tokenize = 'unicode61 remove_diacritics 0');

-- An entry that goes takes its stems along.
CREATE TRIGGER archive_entries_unindex AFTER DELETE ON archive_entries BEGIN
    DELETE FROM archive_search WHERE rowid = old.id;
END;
