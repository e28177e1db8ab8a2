-- Retention (issue 13): a closed canvas that is not archived within the retention period is
-- deleted with the casework it holds; its row stays with the id, team, dates and outcome (and
-- the counts the dashboard needs), marked purged_at, and nobody sees it any more. The ledger's
-- entries stay whole (the municipality's financial accountability).
ALTER TABLE canvases ADD COLUMN purged_at INTEGER;

-- The warnings sent to the aanjager before the purge (30 and 7 days), once each.
CREATE TABLE retention_warnings (
    canvas_id   TEXT NOT NULL REFERENCES canvases (id),
    days_before INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (canvas_id, days_before)
);
