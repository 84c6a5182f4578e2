#include "db/soci_stores.h"

namespace portico::db {
namespace {

// One row per (purpose, subject): a new code replaces the old one, and with
// it the attempt count and consumption.
constexpr char kPutOtpSql[] =
    "INSERT INTO otps (id, purpose, subject, code_hash, expires_at, attempts, consumed_at, "
    "created_at) VALUES (:id, :purpose, :subject, :code_hash, :expires_at, :attempts, "
    ":consumed_at, :created_at) "
    "ON CONFLICT (purpose, subject) DO UPDATE SET id = excluded.id, "
    "code_hash = excluded.code_hash, expires_at = excluded.expires_at, "
    "attempts = excluded.attempts, consumed_at = excluded.consumed_at, "
    "created_at = excluded.created_at";
constexpr char kFindOtpSql[] =
    "SELECT id, purpose, subject, code_hash, expires_at, attempts, consumed_at, created_at "
    "FROM otps WHERE purpose = :purpose AND subject = :subject";
constexpr char kAddFailedOtpAttemptSql[] =
    "UPDATE otps SET attempts = attempts + 1 "
    "WHERE id = :id AND consumed_at IS NULL AND attempts < :max RETURNING attempts";
constexpr char kOtpExistsSql[] = "SELECT COUNT(*) FROM otps WHERE id = :id";
constexpr char kConsumeOtpSql[] =
    "UPDATE otps SET consumed_at = :now "
    "WHERE id = :id AND consumed_at IS NULL AND attempts < :max AND expires_at > :now_again";

constexpr char kOtpConflict[] = "a one-time code with this id already exists";

}  // namespace

Status SociOtpStore::Put(const OtpRecord& r) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, kOtpConflict, [&]() -> Status {
      row_.id = r.id;
      row_.purpose = r.purpose;
      row_.subject = r.subject;
      row_.code_hash = r.code_hash;
      row_.expires_at = ToUnixMillis(r.expires_at);
      row_.attempts = r.attempts;
      row_.consumed_at = r.consumed_at ? ToUnixMillis(*r.consumed_at) : 0;
      row_.consumed_ind = r.consumed_at ? soci::i_ok : soci::i_null;
      row_.created_at = ToUnixMillis(r.created_at);
      if (!put_) {
        put_.emplace((ctx_.sql.prepare << kPutOtpSql, soci::use(row_.id), soci::use(row_.purpose),
                      soci::use(row_.subject), soci::use(row_.code_hash),
                      soci::use(row_.expires_at), soci::use(row_.attempts),
                      soci::use(row_.consumed_at, row_.consumed_ind), soci::use(row_.created_at)));
      }
      put_->execute(true);
      return Status();
    });
  });
}

StatusOr<OtpRecord> SociOtpStore::Find(std::string_view purpose, std::string_view subject) {
  return Guard(ctx_, "", [&]() -> StatusOr<OtpRecord> {
    key_.assign(purpose);
    key2_.assign(subject);
    if (!find_) {
      find_.emplace((ctx_.sql.prepare << kFindOtpSql, soci::use(key_), soci::use(key2_),
                     soci::into(row_.id), soci::into(row_.purpose), soci::into(row_.subject),
                     soci::into(row_.code_hash), soci::into(row_.expires_at),
                     soci::into(row_.attempts), soci::into(row_.consumed_at, row_.consumed_ind),
                     soci::into(row_.created_at)));
    }
    if (!find_->execute(true)) return NotFound("one-time code not found");
    OtpRecord r;
    r.id = row_.id;
    r.purpose = row_.purpose;
    r.subject = row_.subject;
    r.code_hash = row_.code_hash;
    r.expires_at = FromUnixMillis(row_.expires_at);
    r.attempts = row_.attempts;
    if (row_.consumed_ind == soci::i_ok) r.consumed_at = FromUnixMillis(row_.consumed_at);
    r.created_at = FromUnixMillis(row_.created_at);
    Drain(*find_);
    return r;
  });
}

StatusOr<int> SociOtpStore::AddFailedAttempt(std::string_view id, int max_attempts) {
  return Guard(ctx_, "", [&]() -> StatusOr<int> {
    id_.assign(id);
    max_ = max_attempts;
    if (!add_attempt_) {
      add_attempt_.emplace((ctx_.sql.prepare << kAddFailedOtpAttemptSql, soci::use(id_),
                            soci::use(max_), soci::into(count_)));
    }
    if (add_attempt_->execute(true)) {
      const int attempts = count_;
      Drain(*add_attempt_);
      return attempts;
    }
    // Nothing changed: tell an unknown id from a used-up or consumed code.
    if (!exists_) {
      exists_.emplace(
          (ctx_.sql.prepare << kOtpExistsSql, soci::use(id_), soci::into(exists_count_)));
    }
    exists_->execute(true);
    Drain(*exists_);
    if (exists_count_ == 0) return NotFound("one-time code not found");
    return FailedPrecondition("one-time code is used up or consumed");
  });
}

StatusOr<bool> SociOtpStore::Consume(std::string_view id, int max_attempts, TimePoint now) {
  return Guard(ctx_, "", [&]() -> StatusOr<bool> {
    id_.assign(id);
    max_ = max_attempts;
    now_ = ToUnixMillis(now);
    if (!consume_) {
      consume_.emplace((ctx_.sql.prepare << kConsumeOtpSql, soci::use(now_), soci::use(id_),
                        soci::use(max_), soci::use(now_)));
    }
    consume_->execute(true);
    return consume_->get_affected_rows() == 1;
  });
}

}  // namespace portico::db
