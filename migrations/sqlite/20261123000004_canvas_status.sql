-- Where a canvas stands in its lifecycle (see server/canvas/status.rs). Transitions, and who may
-- make them, follow with the workflow; every canvas starts as a concept.
ALTER TABLE canvases ADD COLUMN status TEXT NOT NULL DEFAULT 'concept';
