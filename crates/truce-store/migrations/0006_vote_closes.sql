-- A vote that closes its round (the last side's vote on a text) says so
-- in its row, decided in the transaction that keeps it: a server that
-- follows an SQLite file reads new votes by rowid (`watch.rs`) and tells
-- every party's pages of a closed round, the mediator's and the sides'
-- only of a vote that left it open. Votes kept before this migration are
-- old news: `FALSE`.
ALTER TABLE votes ADD COLUMN closes BOOLEAN NOT NULL DEFAULT FALSE;
