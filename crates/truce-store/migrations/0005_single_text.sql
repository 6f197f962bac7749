-- Single text with people: the mediator's texts over a deal's open issues
-- and the sides' votes on them, kept beside the chain and not in it: the
-- ledger is read by every party, a vote only by the mediator and the side
-- that cast it. `round` numbers a deal's texts from 1. Each row holds the
-- signed JSON as sent; a vote's JSON is sealed at rest like the rosters.
CREATE TABLE texts (
    deal_id TEXT NOT NULL REFERENCES deals (id),
    round BIGINT NOT NULL,
    text_json TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (deal_id, round)
);

-- One vote per side and text: a vote once cast is never replaced.
CREATE TABLE votes (
    deal_id TEXT NOT NULL,
    round BIGINT NOT NULL,
    party_id TEXT NOT NULL,
    vote_json TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (deal_id, round, party_id),
    FOREIGN KEY (deal_id, round) REFERENCES texts (deal_id, round)
);
