-- A canvas's closings by time (issue 13): the dashboard asks, per closing in a half-year,
-- whether the same canvas closed again later in it. Without this index SQLite answered that
-- from status_changes_by_time, scanning every closing of the period once per closing.
CREATE INDEX status_changes_closings ON status_changes (canvas_id, to_status, changed_at);
