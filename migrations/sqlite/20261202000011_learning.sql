-- What a closed canvas taught (issue 13): its leeropbrengst, required by the lifecycle when a
-- canvas is closed (doorbraak gerealiseerd or afgesloten zonder doorbraak). One row per canvas
-- (closing again after reopening replaces it), with the audiences of the signal and the tags in
-- their own tables, so that the learning archive can count and filter them.

CREATE TABLE learning_outcomes (
    canvas_id        TEXT PRIMARY KEY NOT NULL REFERENCES canvases (id),
    -- What blocked: a regulation of the catalogue, a process, a budget line, an organisation.
    bottleneck_kind  TEXT NOT NULL CHECK (bottleneck_kind IN ('regeling', 'proces', 'budget', 'organisatie')),
    -- The catalogue's id when it was a regulation of the catalogue.
    regulation_id    TEXT,
    bottleneck_text  TEXT NOT NULL,
    -- First, second or third order learning (the tyre example).
    learning_order   INTEGER NOT NULL CHECK (learning_order BETWEEN 1 AND 3),
    order_note       TEXT NOT NULL,
    budget_used      INTEGER NOT NULL CHECK (budget_used IN (0, 1)),
    -- Why the regular route failed, when the doorbraakbudget was used.
    budget_why       TEXT NOT NULL,
    household_effect TEXT NOT NULL,
    recorded_by      INTEGER NOT NULL REFERENCES accounts (id),
    recorded_at      INTEGER NOT NULL,
    CHECK (bottleneck_kind <> 'regeling' OR regulation_id IS NOT NULL OR bottleneck_text <> '')
);

CREATE TABLE learning_signals (
    canvas_id TEXT NOT NULL REFERENCES learning_outcomes (canvas_id) ON DELETE CASCADE,
    audience  TEXT NOT NULL CHECK (audience IN ('beleid', 'bestuur', 'pmm')),
    PRIMARY KEY (canvas_id, audience)
);

CREATE TABLE learning_tags (
    canvas_id TEXT NOT NULL REFERENCES learning_outcomes (canvas_id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('leefgebied', 'domein', 'regeling')),
    code      TEXT NOT NULL,
    PRIMARY KEY (canvas_id, kind, code)
);
CREATE INDEX learning_tags_by_code ON learning_tags (kind, code);
