#include "db/soci_oauth_stores.h"

namespace portico::db {
namespace {

// One statement, so concurrent hits each see a distinct count: PostgreSQL
// serialises them on the row (the conflicting insert waits, then updates);
// SQLite runs one writer at a time.
constexpr char kHitRateLimitSql[] =
    "INSERT INTO rate_limits (bucket, window_start, window_end, hits) "
    "VALUES (:bucket, :window_start, :window_end, 1) ON CONFLICT (bucket, window_start) "
    "DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits";
constexpr char kDeleteEndedRateLimitsSql[] = "DELETE FROM rate_limits WHERE window_end <= :now";

}  // namespace

StatusOr<int64_t> SociRateLimitStore::Hit(std::string_view bucket, TimePoint window_start,
                                          TimePoint window_end) {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    bucket_.assign(bucket);
    window_start_ = ToUnixMillis(window_start);
    window_end_ = ToUnixMillis(window_end);
    if (!hit_) {
      hit_.emplace((ctx_.sql.prepare << kHitRateLimitSql, soci::use(bucket_),
                    soci::use(window_start_), soci::use(window_end_), soci::into(hits_)));
    }
    if (!hit_->execute(true)) {
      return Internal("database error").WithInternal("INSERT … RETURNING hits returned no row");
    }
    const int64_t hits = hits_;
    Drain(*hit_);  // SQLite holds the write lock until the statement is done
    return hits;
  });
}

StatusOr<int64_t> SociRateLimitStore::DeleteEnded(TimePoint now) {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    long long at = ToUnixMillis(now);
    soci::statement st = (ctx_.sql.prepare << kDeleteEndedRateLimitsSql, soci::use(at));
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

}  // namespace portico::db
