-- One page fewer written per client registration, of 8.3 (each page is a
-- 4 KiB WAL frame at every commit, and a checksum over it).
--
-- outbox loses AUTOINCREMENT, whose sqlite_sequence row was one more page
-- written by every enqueue. Ids must still never be reused (a webhook's id
-- is derived from its audit message's id, and receivers drop repeats): a
-- plain INTEGER PRIMARY KEY takes MAX(id) + 1, so the store never deletes the
-- newest row (SociOutboxStore::DeleteFinished), and the highest id handed out
-- so far is kept here as a delivered placeholder row when its message is gone.
CREATE TABLE outbox_new (
  id              INTEGER PRIMARY KEY,
  topic           TEXT NOT NULL,
  payload         TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  delivered_at    BIGINT,
  dead            INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  last_attempt_at BIGINT,
  created_at      BIGINT NOT NULL
);
INSERT INTO outbox_new SELECT id, topic, payload, attempts, next_attempt_at, delivered_at, dead,
  last_error, last_attempt_at, created_at FROM outbox;
INSERT INTO outbox_new (id, topic, payload, attempts, next_attempt_at, delivered_at, dead,
                        last_error, last_attempt_at, created_at)
  SELECT seq, 'outbox.id_floor', '{}', 0, 0, 0, 0, '', NULL, 0 FROM sqlite_sequence
  WHERE name = 'outbox' AND seq > (SELECT COALESCE(MAX(id), 0) FROM outbox_new);
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
-- As in 001: only pending rows.
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id)
  WHERE delivered_at IS NULL AND dead = 0;
