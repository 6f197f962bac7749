-- Amended deals are kept beside the plans, under the deal hash a
-- `deal-amended` event names: the same sealing at rest and the same readers
-- (both name persons by id). `kind` says which of the two a row holds.
ALTER TABLE plans ADD COLUMN kind TEXT NOT NULL DEFAULT 'plan';
