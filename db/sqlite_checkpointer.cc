#include "db/sqlite_checkpointer.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <string>
#include <utility>

#include "db/session.h"
#include "portico/log.h"

namespace portico::db {
namespace {

// A checkpoint that found the WAL still long (readers kept it from restarting)
// is not retried at once after every commit: at most this often.
constexpr auto kMinInterval = std::chrono::milliseconds(20);

sqlite_api::sqlite3* Connection(soci::session& sql) {
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

}  // namespace

SqliteCheckpointer::SqliteCheckpointer(DatabaseUrl url, int frames, int truncate_frames,
                                       std::mutex& writer_mutex)
    : url_(std::move(url)),
      frames_(frames),
      truncate_frames_(truncate_frames),
      writer_mutex_(writer_mutex) {}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status SqliteCheckpointer::Start() {
  try {
    OpenSession(sql_, url_, /*reconnect=*/false);
  } catch (const std::exception& e) {
    return Unavailable("cannot connect to the database").WithInternal(e.what());
  }
  thread_ = std::thread([this] { Loop(); });
  return Status();
}

void SqliteCheckpointer::Attach(soci::session& sql) {
  // Replaces the hook through which wal_autocheckpoint works: this session
  // no longer checkpoints in its commits.
  sqlite_api::sqlite3_wal_hook(
      Connection(sql),
      [](void* self, sqlite_api::sqlite3* connection, const char* schema, int wal_frames) {
        return OnCommit(self, connection, schema, wal_frames);
      },
      this);
}

int SqliteCheckpointer::OnCommit(void* self, void*, const char*, int wal_frames) {
  auto* checkpointer = static_cast<SqliteCheckpointer*>(self);
  // Cheap on the commit path: one atomic exchange while a wake-up is pending.
  if (wal_frames < checkpointer->frames_ || checkpointer->wanted_.exchange(true)) return 0;
  checkpointer->cv_.notify_one();
  return 0;  // SQLITE_OK
}

void SqliteCheckpointer::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || wanted_.load(); });
    if (stop_) return;
    lock.unlock();
    Checkpoint();
    // Commits during the checkpoint may ask again; they find wanted_ false.
    wanted_.store(false);
    lock.lock();
    if (cv_.wait_for(lock, kMinInterval, [this] { return stop_; })) return;
  }
}

void SqliteCheckpointer::Checkpoint() {
  sqlite_api::sqlite3* db = Connection(sql_);
  int wal_frames = 0;
  int backfilled = 0;
  int rc = sqlite_api::sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                 &wal_frames, &backfilled);
  // Another process's checkpoint is running: it does the same work.
  if (rc == SQLITE_BUSY) return;
  if (rc == SQLITE_OK) {
    // Only the frames committed during the first pass are left to copy. (The
    // first pass reports the WAL as it found it, so it cannot tell whether
    // there are any.)
    std::lock_guard writers(writer_mutex_);
    rc = sqlite_api::sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                               &backfilled);
    if (rc == SQLITE_BUSY) return;
  }
  if (rc == SQLITE_OK && wal_frames >= truncate_frames_) {
    // Waits (busy handler, about 5 s at most) for readers of older frames,
    // holding writers off meanwhile, then empties the WAL file.
    rc = sqlite_api::sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                               nullptr);
    if (rc == SQLITE_BUSY) rc = SQLITE_OK;  // the next round tries again
  }
  checkpoints_.fetch_add(1);
  if (rc != SQLITE_OK) {
    Log(LogLevel::kWarn, "db.checkpoint_failed",
        Json::MakeObject().Set("error", std::string(sqlite_api::sqlite3_errmsg(db))));
  }
}

}  // namespace portico::db
