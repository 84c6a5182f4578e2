-- SQLite only (its outbox drops AUTOINCREMENT, whose sqlite_sequence row
-- was one more page written per enqueue): a PostgreSQL BIGSERIAL costs no
-- such write. Kept so both dialects share their version numbers.
SELECT 1;
