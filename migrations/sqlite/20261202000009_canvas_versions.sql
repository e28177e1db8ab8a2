-- Named versions of a canvas (issue 12): frozen copies of its document after an overleg, saved
-- by hand, or made by an escalation. An escalation's version points at the escalation's own
-- frozen copy instead of holding a second one.

CREATE TABLE canvas_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    canvas_id     TEXT NOT NULL REFERENCES canvases (id),
    kind          TEXT NOT NULL CHECK (kind IN ('overleg', 'opschaling', 'handmatig')),
    name          TEXT NOT NULL,
    -- The whole Yjs document as one update (v1); NULL when `escalation_id` holds it.
    snapshot      BLOB,
    escalation_id INTEGER REFERENCES escalations (id),
    meeting_id    INTEGER REFERENCES meetings (id),
    created_by    INTEGER REFERENCES accounts (id),
    created_at    INTEGER NOT NULL,
    CHECK ((snapshot IS NULL) = (escalation_id IS NOT NULL))
);
CREATE INDEX canvas_versions_by_canvas ON canvas_versions (canvas_id, created_at, id);

-- Every escalation is a version, in the same history; in the same transaction as the escalation.
CREATE TRIGGER escalation_is_a_version AFTER INSERT ON escalations
BEGIN
    INSERT INTO canvas_versions (canvas_id, kind, name, escalation_id, created_by, created_at)
    VALUES (NEW.canvas_id, 'opschaling',
            CASE NEW.to_level
                WHEN 'directie' THEN 'Opschaling naar de directie'
                WHEN 'coach' THEN 'Opschaling naar de doorbraakcoach'
                ELSE 'Opschaling naar PMM'
            END,
            NEW.id, NEW.escalated_by, NEW.escalated_at);
END;

INSERT INTO canvas_versions (canvas_id, kind, name, escalation_id, created_by, created_at)
SELECT canvas_id, 'opschaling',
       CASE to_level
           WHEN 'directie' THEN 'Opschaling naar de directie'
           WHEN 'coach' THEN 'Opschaling naar de doorbraakcoach'
           ELSE 'Opschaling naar PMM'
       END,
       id, escalated_by, escalated_at
FROM escalations ORDER BY id;
