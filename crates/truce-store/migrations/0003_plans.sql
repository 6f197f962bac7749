-- The plans a deal's mediator handed to the service, each under the
-- canonical hash (truce_ledger::Hash::of_canonical) that a `plan-adopted`
-- event names. The service checks execution against the adopted one; its
-- JSON names persons by id, so it is read only by the roles that see them.
CREATE TABLE plans (
    deal_id TEXT NOT NULL REFERENCES deals (id),
    plan_hash TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (deal_id, plan_hash)
);
