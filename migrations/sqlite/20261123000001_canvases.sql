-- Canvases and their durable Yjs state: an append-only update log plus one compacted snapshot.
CREATE TABLE canvases (
    id          TEXT PRIMARY KEY NOT NULL,
    label       TEXT NOT NULL,
    created_at  INTEGER NOT NULL, -- Unix milliseconds
    updated_at  INTEGER NOT NULL  -- Unix milliseconds of the last stored change
);

CREATE TABLE canvas_updates (
    canvas_id  TEXT NOT NULL REFERENCES canvases (id),
    seq        INTEGER NOT NULL,  -- 1, 2, 3, ... per canvas
    data       BLOB NOT NULL,     -- one Yjs update, v1 encoding
    PRIMARY KEY (canvas_id, seq)
) WITHOUT ROWID;

CREATE TABLE canvas_snapshots (
    canvas_id  TEXT PRIMARY KEY NOT NULL REFERENCES canvases (id),
    state      BLOB NOT NULL,     -- the whole document as one Yjs update, v1 encoding
    upto_seq   INTEGER NOT NULL   -- the last log entry the snapshot includes
) WITHOUT ROWID;
