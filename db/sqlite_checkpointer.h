#pragma once

// Internal to db/: WAL checkpoints of a SQLite file database on a thread of
// their own instead of inside whichever commit crosses SQLite's threshold.

#include <soci/soci.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "db/open_database.h"
#include "portico/status.h"

namespace portico::db {

// SQLite's automatic checkpoint runs in the commit that pushes the WAL past
// 1000 frames: that request, holding the write lock (and this process's
// writer mutex), waits for the fsync and the page write-back, and so does
// every writer queued behind it. Attached sessions commit without
// checkpointing; their commits wake this thread once the WAL holds `frames`
// frames. It checkpoints PASSIVE beside readers and writers, then catches up
// on the frames committed meanwhile holding `writer_mutex` (the process's
// SQLite writer mutex), a short pass: under steady writes a checkpoint never
// otherwise sees the end of the WAL, and the WAL only restarts from its
// beginning once all of it is checkpointed. If it still holds
// `truncate_frames` (readers, or other processes' writers, kept it from
// restarting) it is emptied with TRUNCATE (waiting for readers, blocking
// writers). Thread-safe.
class SqliteCheckpointer {
 public:
  SqliteCheckpointer(DatabaseUrl url, int frames, int truncate_frames, std::mutex& writer_mutex);
  ~SqliteCheckpointer();  // stops the thread; the last connection's close checkpoints the rest
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Opens the checkpointer's own connection and starts its thread.
  // Unavailable when the database cannot be opened.
  Status Start();

  // Turns off `sql`'s automatic checkpoint: its commits report the WAL size
  // here instead. Call once per (re)opened session.
  void Attach(soci::session& sql);

  // Checkpoints run so far (for tests).
  int64_t checkpoints() const { return checkpoints_.load(); }

 private:
  static int OnCommit(void* self, void* connection, const char* schema, int wal_frames);
  void Loop();
  void Checkpoint();

  const DatabaseUrl url_;
  const int frames_;
  const int truncate_frames_;
  std::mutex& writer_mutex_;
  soci::session sql_;  // used only by the thread
  std::atomic<bool> wanted_{false};
  std::atomic<int64_t> checkpoints_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace portico::db
