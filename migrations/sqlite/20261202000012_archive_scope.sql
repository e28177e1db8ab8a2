-- Who may read an archived canvas as learning material (issue 13): its own team, the province
-- (every doorbraakteam and the coach there) or the country (every doorbraakteam, coach and
-- PMM). Chosen by the aanjager when archiving; NULL for a canvas that is not archived (and for
-- those archived before this choice existed, which stay with their team).
ALTER TABLE canvases ADD COLUMN archive_scope TEXT
    CHECK (archive_scope IS NULL OR archive_scope IN ('team', 'provincie', 'land'));
