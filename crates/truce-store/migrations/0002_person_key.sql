-- Each deal's person key: 64 hex digits, the HMAC key under which its
-- handover events name persons by pseudonym (truce_ledger::PersonKey). The
-- server resolves pseudonyms with it; it is shown only to the mediator, the
-- sides and the intermediary. NULL for a deal created before this
-- migration: the server gives such a deal a key on first use
-- (`Store::fill_person_key`). Plain ADD COLUMN reads the same on SQLite and
-- PostgreSQL.
ALTER TABLE deals ADD COLUMN person_key TEXT;
