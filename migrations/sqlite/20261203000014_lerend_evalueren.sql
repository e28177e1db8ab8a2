-- Lerend evalueren (issue 13).
--
-- The rendement of a closed canvas as its calculator showed it when it was closed (cents over
-- the team's horizon; the payback in months, NULL when it pays back at once or never, with
-- payback_kind saying which), so that the dashboard sums it without reading every document.
ALTER TABLE learning_outcomes ADD COLUMN rendement_current INTEGER NOT NULL DEFAULT 0;
ALTER TABLE learning_outcomes ADD COLUMN rendement_inaction INTEGER NOT NULL DEFAULT 0;
ALTER TABLE learning_outcomes ADD COLUMN rendement_solution INTEGER NOT NULL DEFAULT 0;
ALTER TABLE learning_outcomes ADD COLUMN rendement_net INTEGER NOT NULL DEFAULT 0;
ALTER TABLE learning_outcomes ADD COLUMN payback_kind TEXT NOT NULL DEFAULT 'direct'
    CHECK (payback_kind IN ('direct', 'nooit', 'maanden'));
ALTER TABLE learning_outcomes ADD COLUMN payback_months INTEGER;

-- The leeragenda of a local project (a team): the leerpunten and veranderacties a
-- lerend-evalueren session sets, with an owner, a due date and a status, tracked until done,
-- each linked to the archived canvases that show it.
CREATE TABLE learning_agenda (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    kind        TEXT NOT NULL CHECK (kind IN ('leerpunt', 'veranderactie')),
    text        TEXT NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES accounts (id),
    due_date    TEXT NOT NULL,  -- YYYY-MM-DD
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'bezig', 'klaar')),
    created_by  INTEGER NOT NULL REFERENCES accounts (id),
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX learning_agenda_by_team ON learning_agenda (team_id, status);

CREATE TABLE learning_agenda_canvases (
    item_id   INTEGER NOT NULL REFERENCES learning_agenda (id) ON DELETE CASCADE,
    canvas_id TEXT NOT NULL REFERENCES canvases (id),
    PRIMARY KEY (item_id, canvas_id)
);

-- What the dashboard counts by period.
CREATE INDEX status_changes_by_time ON status_changes (to_status, changed_at);
CREATE INDEX escalations_by_time ON escalations (escalated_at);
