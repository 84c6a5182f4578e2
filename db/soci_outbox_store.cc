#include <algorithm>

#include "db/dialect.h"
#include "db/soci_stores.h"

namespace portico::db {
namespace {

#define PORTICO_ENQUEUE_OUTBOX                                                           \
  "INSERT INTO outbox (topic, payload, attempts, next_attempt_at, dead, last_error, "    \
  "created_at) VALUES (:topic, :payload, 0, :next_attempt_at, 0, '', :created_at)"
constexpr char kEnqueueOutboxPostgresSql[] = PORTICO_ENQUEUE_OUTBOX " RETURNING id";
// SQLite: the id is the connection's last insert rowid (a session serves one
// thread at a time), which costs nothing, where RETURNING buffers its rows in
// a temporary table and takes a second step to drain.
constexpr char kEnqueueOutboxSqliteSql[] = PORTICO_ENQUEUE_OUTBOX;
#undef PORTICO_ENQUEUE_OUTBOX
// The lease: due messages move to next_attempt_at = lease_until in the same
// statement that selects them. SQLite runs one writer at a time, so the
// UPDATE alone is atomic; PostgreSQL locks the chosen rows and skips rows
// another claimer has locked, so concurrent claimers never wait or overlap.
constexpr char kClaimOutboxSqliteSql[] =
    "UPDATE outbox SET next_attempt_at = :lease_until, last_attempt_at = :now "
    "WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND dead = 0 "
    "AND next_attempt_at <= :due ORDER BY next_attempt_at, id LIMIT :limit) "
    "RETURNING id, topic, payload, attempts, next_attempt_at, delivered_at, dead, last_error, "
    "created_at";
constexpr char kClaimOutboxPostgresSql[] =
    "UPDATE outbox SET next_attempt_at = :lease_until, last_attempt_at = :now "
    "WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND dead = 0 "
    "AND next_attempt_at <= :due ORDER BY next_attempt_at, id LIMIT :limit FOR UPDATE SKIP LOCKED) "
    "RETURNING id, topic, payload, attempts, next_attempt_at, delivered_at, dead, last_error, "
    "created_at";
constexpr char kMarkOutboxDeliveredSql[] =
    "UPDATE outbox SET delivered_at = :at, attempts = :attempts, last_attempt_at = :at_again "
    "WHERE id = :id";
constexpr char kMarkOutboxFailedSql[] =
    "UPDATE outbox SET attempts = :attempts, next_attempt_at = :next_attempt_at, "
    "last_error = :error, dead = :dead WHERE id = :id";
// By id (the primary key): finished rows are the oldest, so the scan meets
// them first; no index on delivered_at is worth its cost on every delivery.
// The newest row stays, finished or not: SQLite's outbox ids are MAX(id) + 1
// (migration 010), and a reused id would repeat a webhook's id.
constexpr char kDeleteFinishedOutboxSql[] =
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE (delivered_at < :delivered_before "
    "OR (delivered_at IS NULL AND dead = 1 AND created_at < :dead_before)) "
    "AND id < (SELECT MAX(id) FROM outbox) ORDER BY id LIMIT :limit)";
constexpr char kGetOutboxSql[] =
    "SELECT id, topic, payload, attempts, next_attempt_at, delivered_at, dead, last_error, "
    "created_at FROM outbox WHERE id = :id";
constexpr char kCountPendingOutboxSql[] =
    "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead = 0";
constexpr char kCountDeadOutboxSql[] =
    "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead = 1";

}  // namespace

StatusOr<int64_t> SociOutboxStore::Enqueue(std::string_view topic, std::string_view payload,
                                           TimePoint now) {
  return Guard(ctx_, "outbox message already exists", [&]() -> StatusOr<int64_t> {
    row_.topic.assign(topic);
    row_.payload.assign(payload);
    now_ = ToUnixMillis(now);
    if (ctx_.dialect == Dialect::kSqlite) {
      if (!enqueue_) {
        enqueue_.emplace((ctx_.sql.prepare << kEnqueueOutboxSqliteSql, soci::use(row_.topic),
                          soci::use(row_.payload), soci::use(now_), soci::use(now_)));
      }
      enqueue_->execute(true);
      long long id = 0;
      if (!ctx_.sql.get_last_insert_id("outbox", id)) {
        return Internal("database error").WithInternal("no last insert id after INSERT");
      }
      return static_cast<int64_t>(id);
    }
    if (!enqueue_) {
      enqueue_.emplace((ctx_.sql.prepare << kEnqueueOutboxPostgresSql, soci::use(row_.topic),
                        soci::use(row_.payload), soci::use(now_), soci::use(now_),
                        soci::into(id_)));
    }
    if (!enqueue_->execute(true)) {
      return Internal("database error").WithInternal("INSERT … RETURNING id returned no row");
    }
    const int64_t id = id_;
    Drain(*enqueue_);
    return id;
  });
}

StatusOr<std::vector<OutboxMessage>> SociOutboxStore::Claim(TimePoint now, int limit,
                                                            TimePoint lease_until) {
  if (limit <= 0) return std::vector<OutboxMessage>();
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<OutboxMessage>> {
    now_ = ToUnixMillis(now);
    until_ = ToUnixMillis(lease_until);
    limit_ = limit;
    if (!claim_) {
      claim_.emplace((ctx_.sql.prepare << ForDialect(ctx_.dialect, kClaimOutboxSqliteSql,
                                                     kClaimOutboxPostgresSql),
                      soci::use(until_), soci::use(now_), soci::use(now_), soci::use(limit_),
                      soci::into(row_.id), soci::into(row_.topic), soci::into(row_.payload),
                      soci::into(row_.attempts), soci::into(row_.next_attempt_at),
                      soci::into(row_.delivered_at, row_.delivered_ind), soci::into(row_.dead),
                      soci::into(row_.last_error), soci::into(row_.created_at)));
    }
    std::vector<OutboxMessage> out;
    if (claim_->execute(true)) {
      do {
        out.push_back(RowToMessage());
      } while (claim_->fetch());
    }
    // RETURNING promises no order.
    std::sort(out.begin(), out.end(),
              [](const OutboxMessage& a, const OutboxMessage& b) { return a.id < b.id; });
    return out;
  });
}

Status SociOutboxStore::MarkDelivered(int64_t id, int attempts, TimePoint at) {
  return Guard(ctx_, "", [&]() -> Status {
    id_ = id;
    attempts_ = attempts;
    now_ = ToUnixMillis(at);
    if (!mark_delivered_) {
      mark_delivered_.emplace((ctx_.sql.prepare << kMarkOutboxDeliveredSql, soci::use(now_),
                               soci::use(attempts_), soci::use(now_), soci::use(id_)));
    }
    mark_delivered_->execute(true);
    if (mark_delivered_->get_affected_rows() == 0) return NotFound("outbox message not found");
    return Status();
  });
}

Status SociOutboxStore::MarkFailed(int64_t id, int attempts, TimePoint next_attempt_at,
                                   std::string_view error, bool dead) {
  return Guard(ctx_, "", [&]() -> Status {
    id_ = id;
    attempts_ = attempts;
    until_ = ToUnixMillis(next_attempt_at);
    text_.assign(error);
    dead_ = dead ? 1 : 0;
    if (!mark_failed_) {
      mark_failed_.emplace((ctx_.sql.prepare << kMarkOutboxFailedSql, soci::use(attempts_),
                            soci::use(until_), soci::use(text_), soci::use(dead_), soci::use(id_)));
    }
    mark_failed_->execute(true);
    if (mark_failed_->get_affected_rows() == 0) return NotFound("outbox message not found");
    return Status();
  });
}

StatusOr<OutboxMessage> SociOutboxStore::Get(int64_t id) {
  return Guard(ctx_, "", [&]() -> StatusOr<OutboxMessage> {
    id_ = id;
    if (!get_) {
      get_.emplace((ctx_.sql.prepare << kGetOutboxSql, soci::use(id_), soci::into(row_.id),
                    soci::into(row_.topic), soci::into(row_.payload), soci::into(row_.attempts),
                    soci::into(row_.next_attempt_at),
                    soci::into(row_.delivered_at, row_.delivered_ind), soci::into(row_.dead),
                    soci::into(row_.last_error), soci::into(row_.created_at)));
    }
    if (!get_->execute(true)) return NotFound("outbox message not found");
    OutboxMessage message = RowToMessage();
    Drain(*get_);
    return message;
  });
}

StatusOr<int64_t> SociOutboxStore::DeleteFinished(TimePoint delivered_before, TimePoint dead_before,
                                                  int limit) {
  if (limit <= 0) return int64_t{0};
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    long long delivered = ToUnixMillis(delivered_before);
    long long dead = ToUnixMillis(dead_before);
    soci::statement st = (ctx_.sql.prepare << kDeleteFinishedOutboxSql, soci::use(delivered),
                          soci::use(dead), soci::use(limit));
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

StatusOr<int64_t> SociOutboxStore::CountPending() {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    if (!count_pending_) {
      count_pending_.emplace((ctx_.sql.prepare << kCountPendingOutboxSql, soci::into(count_)));
    }
    count_pending_->execute(true);
    const int64_t count = count_;
    Drain(*count_pending_);
    return count;
  });
}

StatusOr<int64_t> SociOutboxStore::CountDead() {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    if (!count_dead_) {
      count_dead_.emplace((ctx_.sql.prepare << kCountDeadOutboxSql, soci::into(count_)));
    }
    count_dead_->execute(true);
    const int64_t count = count_;
    Drain(*count_dead_);
    return count;
  });
}

OutboxMessage SociOutboxStore::RowToMessage() const {
  OutboxMessage m;
  m.id = row_.id;
  m.topic = row_.topic;
  m.payload = row_.payload;
  m.attempts = row_.attempts;
  m.next_attempt_at = FromUnixMillis(row_.next_attempt_at);
  if (row_.delivered_ind == soci::i_ok) m.delivered_at = FromUnixMillis(row_.delivered_at);
  m.dead = row_.dead != 0;
  m.last_error = row_.last_error;
  m.created_at = FromUnixMillis(row_.created_at);
  return m;
}

}  // namespace portico::db
