-- What the canvas overview shows without loading every document: the leefgebieden a canvas
-- touches, kept up to date by its room (comma-separated codes, in catalogue order).
ALTER TABLE canvases ADD COLUMN life_areas TEXT NOT NULL DEFAULT '';
