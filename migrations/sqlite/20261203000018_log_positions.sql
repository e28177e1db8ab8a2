-- The last position given out in a canvas's update log (issue 14). The committing transaction
-- takes the next positions from here, with the canvas row locked, so that updates of one canvas
-- committed by different server processes at the same moment get one order. A compaction
-- deletes log rows, so the highest row alone would not say what was given out already.
ALTER TABLE canvases ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;

UPDATE canvases SET last_seq = MAX(
    COALESCE((SELECT MAX(seq) FROM canvas_updates u WHERE u.canvas_id = canvases.id), 0),
    COALESCE((SELECT upto_seq FROM canvas_snapshots s WHERE s.canvas_id = canvases.id), 0)
);
