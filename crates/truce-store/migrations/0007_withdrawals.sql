-- Single text: the mediator's signed withdrawal of a text posted in error,
-- one per text, kept while its round was open (no vote had closed it). A
-- withdrawn round takes no more votes; the votes cast on it stay. The JSON
-- is public to the deal's parties, like the text, and not sealed. A row of
-- its own (not a column of `texts`) so a server that follows an SQLite file
-- finds it by rowid (`watch.rs`).
CREATE TABLE withdrawals (
    deal_id TEXT NOT NULL,
    round BIGINT NOT NULL,
    withdrawal_json TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (deal_id, round),
    FOREIGN KEY (deal_id, round) REFERENCES texts (deal_id, round)
);
