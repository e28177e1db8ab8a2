-- Personal access tokens expire (chosen at creation) and show when they were last used. Tokens
-- from before this migration expire 90 days after they were made.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
UPDATE api_tokens SET expires_at = created_at + 90 * 86400000 WHERE expires_at IS NULL;

-- Short-lived, single-use tickets for a WebSocket URL, fetched with a token: long-lived tokens
-- do not travel in URLs, where proxies' access logs keep them. Only the SHA-256 is stored.
CREATE TABLE sync_tickets (
    ticket_hash  TEXT PRIMARY KEY NOT NULL,
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id),
    canvas_id    TEXT NOT NULL REFERENCES canvases (id),
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
