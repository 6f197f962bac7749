-- One schema for SQLite and PostgreSQL: only BIGINT and TEXT columns, which
-- both read the same way. Hashes are lowercase hex.
CREATE TABLE deals (
    id TEXT PRIMARY KEY,
    -- The normalised deal JSON as created, and its canonical hash.
    deal_json TEXT NOT NULL,
    deal_hash TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE parties (
    deal_id TEXT NOT NULL REFERENCES deals (id),
    party_id TEXT NOT NULL,
    role TEXT NOT NULL,
    public_key TEXT NOT NULL,
    PRIMARY KEY (deal_id, party_id)
);

-- Only SHA-256 of each bearer token is kept: a stolen database holds no
-- usable token.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL,
    party_id TEXT NOT NULL,
    FOREIGN KEY (deal_id, party_id) REFERENCES parties (deal_id, party_id)
);

-- The chain: seq is assigned by the store, one row per acknowledged event,
-- `line` the canonical ledger line exactly as signed.
CREATE TABLE events (
    deal_id TEXT NOT NULL REFERENCES deals (id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (deal_id, seq)
);
