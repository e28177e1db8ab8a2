-- The anonymity findings the aanjager overrode when archiving (issue 13), so that an export of
-- the archived canvas keeps exactly those and takes out anything else the rule finds (a rule
-- that learned more since). Stored as a digest of kind and words, never the words; the reason
-- is in the audit log.
CREATE TABLE anonymity_overrides (
    canvas_id TEXT NOT NULL REFERENCES canvases (id),
    digest    TEXT NOT NULL,
    PRIMARY KEY (canvas_id, digest)
);
