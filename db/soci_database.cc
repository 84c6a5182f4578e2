#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/dialect.h"
#include "db/open_database.h"
#include "db/session.h"
#include "db/soci_stores.h"
#include "portico/log.h"

namespace portico::db {
namespace {

constexpr char kCommitSql[] = "COMMIT";
constexpr char kRollbackSql[] = "ROLLBACK";
constexpr char kPingSql[] = "SELECT 1";

// How long a caller waits for a free session before giving up.
constexpr std::chrono::seconds kLeaseTimeout{30};

// The Database whose Transact work is running on this thread, to refuse nesting.
thread_local const Database* t_in_transaction = nullptr;

std::string ExceptionText() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

// A fixed pool of sessions. Not soci::connection_pool: each slot also owns the
// stores bound to its session (with their prepared statements) and the
// broken/epoch state that drives reconnection, and hands out all of it with
// one lease.
class SociDatabase final : public Database {
 public:
  // `sqlite_writer_session`: SQLite transactions run on one more session of
  // their own (see Transact).
  SociDatabase(DatabaseUrl url, int size, bool sqlite_writer_session) : url_(std::move(url)) {
    slots_.reserve(size);
    for (int i = 0; i < size; ++i) slots_.push_back(std::make_unique<Slot>(url_.dialect));
    if (sqlite_writer_session) writer_slot_ = std::make_unique<Slot>(url_.dialect);
  }

  // Connects every slot; Unavailable when one cannot connect.
  Status ConnectAll() {
    for (auto& slot : slots_) {
      PORTICO_RETURN_IF_ERROR(Connect(*slot));
      free_.push_back(slot.get());
    }
    if (writer_slot_ != nullptr) PORTICO_RETURN_IF_ERROR(Connect(*writer_slot_));
    return Status();
  }

  Status Run(const Work& work) override {
    Lease lease(*this);
    if (lease.slot() == nullptr) return PoolExhausted();
    Slot& slot = *lease.slot();
    PORTICO_RETURN_IF_ERROR(Ready(slot));
    return CallWork(work, *slot.stores);
  }

  Status Transact(const Work& work) override {
    if (t_in_transaction == this) {
      return Internal("database error").WithInternal("nested Database::Transact is not supported");
    }
    if (writer_slot_ != nullptr) {
      // SQLite has one writer at a time: this process's transactions queue
      // here, handed over at once, rather than in SQLite's busy loop. They all
      // run on the one writer session, whose page cache therefore stays valid
      // from one transaction to the next: SQLite discards a connection's
      // whole cache whenever another connection has written, so on a pooled
      // session every transaction began by reading its B-tree pages back from
      // the kernel (registrations at two HTTP threads: 11 preads each, now 2.4).
      std::lock_guard<std::mutex> writer(sqlite_writer_);
      return TransactOn(*writer_slot_, work);
    }
    Lease lease(*this);
    if (lease.slot() == nullptr) return PoolExhausted();
    // Without a writer session (PostgreSQL; SQLite in memory, one session in
    // all), SQLite writers still queue on the mutex.
    std::unique_lock<std::mutex> writer;
    if (lease.slot()->ctx.dialect == Dialect::kSqlite) {
      writer = std::unique_lock<std::mutex>(sqlite_writer_);
    }
    return TransactOn(*lease.slot(), work);
  }

  Status Ping() override {
    Lease lease(*this);
    if (lease.slot() == nullptr) return PoolExhausted();
    Slot& slot = *lease.slot();
    for (int attempt = 0;; ++attempt) {
      const bool fresh = slot.ctx.broken || slot.epoch != epoch_.load();
      PORTICO_RETURN_IF_ERROR(Ready(slot));
      Status status = Guard(slot.ctx, "", [&]() -> Status {
        slot.stores->Ping();
        return Status();
      });
      // A connection idle since before an outage only learns it is dead now:
      // try once more on a new one, so Ping reports the server, not the socket.
      if (status.ok() || !slot.ctx.broken || fresh || attempt > 0) return status;
      LostConnection();
    }
  }

  PoolUsage pool_usage() const override {
    std::lock_guard lock(mu_);
    const int size = static_cast<int>(slots_.size());
    return {.in_use = size - static_cast<int>(free_.size()), .size = size};
  }

 private:
  struct Slot {
    explicit Slot(Dialect dialect) : ctx(dialect) {}
    SessionContext ctx;
    std::unique_ptr<SociStores> stores;  // destroyed first: its statements use ctx.sql
    uint64_t epoch = 0;                  // epoch_ when this session connected
  };

  // Holds one slot for its lifetime; slot() is null when none came free in time.
  class Lease {
   public:
    explicit Lease(SociDatabase& db) : db_(db), slot_(db.Acquire()) {}
    ~Lease() {
      if (slot_ != nullptr) db_.Release(slot_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Slot* slot() const { return slot_; }

   private:
    SociDatabase& db_;
    Slot* slot_;
  };

  static Status PoolExhausted() {
    return Unavailable("database busy").WithInternal("no pooled session came free in time");
  }

  Slot* Acquire() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kLeaseTimeout, [&] { return !free_.empty(); })) return nullptr;
    Slot* slot = free_.back();  // LIFO: the warmest session
    free_.pop_back();
    return slot;
  }

  void Release(Slot* slot) {
    if (slot->ctx.broken && slot->epoch == epoch_.load()) LostConnection();
    {
      std::lock_guard lock(mu_);
      free_.push_back(slot);
    }
    cv_.notify_one();
  }

  // One session found the server gone: every session connected before now is
  // suspect, so each reconnects on its next lease instead of failing once more.
  void LostConnection() {
    epoch_.fetch_add(1);
    Log(LogLevel::kWarn, "db.connection_lost");
  }

  // Opens `slot`'s session and its stores.
  Status Connect(Slot& slot) {
    try {
      OpenSession(slot.ctx.sql, url_, /*reconnect=*/false);
    } catch (...) {
      return Unavailable("cannot connect to the database")
          .WithInternal(RedactDatabaseUrl(ExceptionText()));
    }
    slot.stores = std::make_unique<SociStores>(slot.ctx);
    return Status();
  }

  // Runs `work` in one transaction on `slot`, which the caller holds.
  Status TransactOn(Slot& slot, const Work& work) {
    PORTICO_RETURN_IF_ERROR(Ready(slot));
    SociStores& stores = *slot.stores;
    SessionContext& ctx = slot.ctx;
    PORTICO_RETURN_IF_ERROR(Guard(ctx, "", [&]() -> Status {
      stores.Begin();
      return Status();
    }));

    ctx.in_transaction = true;
    t_in_transaction = this;
    Status status = CallWork(work, stores);
    t_in_transaction = nullptr;

    if (status.ok()) {
      status = Guard(ctx, "", [&]() -> Status {
        stores.Commit();
        return Status();
      });
    }
    if (!status.ok() && !ctx.broken) {
      Status rolled_back = Guard(ctx, "", [&]() -> Status {
        stores.Rollback();
        return Status();
      });
      // A session whose transaction state is unknown is not reused as is.
      if (!rolled_back.ok()) ctx.broken = true;
    }
    ctx.in_transaction = false;
    return status;
  }

  // Reconnects a slot that lost its connection or predates the last loss.
  Status Ready(Slot& slot) {
    const uint64_t epoch = epoch_.load();
    if (!slot.ctx.broken && slot.epoch == epoch) return Status();
    slot.stores.reset();
    try {
      OpenSession(slot.ctx.sql, url_, /*reconnect=*/true);
    } catch (...) {
      slot.ctx.broken = true;
      return Unavailable("database unavailable").WithInternal(RedactDatabaseUrl(ExceptionText()));
    }
    slot.ctx.broken = false;
    slot.ctx.in_transaction = false;
    slot.epoch = epoch;
    slot.stores = std::make_unique<SociStores>(slot.ctx);
    return Status();
  }

  static Status CallWork(const Work& work, Stores& stores) {
    try {
      return work(stores);
    } catch (...) {
      return Internal("database error").WithInternal("database work threw: " + ExceptionText());
    }
  }

  DatabaseUrl url_;
  std::vector<std::unique_ptr<Slot>> slots_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot*> free_;
  std::atomic<uint64_t> epoch_{0};
  std::mutex sqlite_writer_;           // see Transact
  std::unique_ptr<Slot> writer_slot_;  // SQLite on a file: Transact's session
};

}  // namespace

SociStores::SociStores(SessionContext& ctx)
    : ctx_(ctx),
      savepoint_(ctx),
      tenants_(ctx, savepoint_),
      credentials_(ctx, savepoint_),
      otps_(ctx, savepoint_),
      outbox_(ctx),
      directory_(ctx),
      tenant_settings_(ctx, savepoint_),
      rate_limits_(ctx),
      clients_(ctx, savepoint_),
      signing_keys_(ctx, savepoint_),
      revoked_tokens_(ctx),
      signup_sessions_(ctx, savepoint_),
      accounts_(ctx, savepoint_, directory_),
      webhooks_(ctx, savepoint_) {}

void SociStores::Begin() { ExecPrepared(ctx_, begin_, BeginTransactionSql(ctx_.dialect)); }
void SociStores::Commit() { ExecPrepared(ctx_, commit_, kCommitSql); }
void SociStores::Rollback() { ExecPrepared(ctx_, rollback_, kRollbackSql); }

void SociStores::Ping() {
  if (!ping_) ping_.emplace((ctx_.sql.prepare << kPingSql, soci::into(ping_value_)));
  ping_->execute(true);
  Drain(*ping_);
}

StatusOr<std::unique_ptr<Database>> OpenDatabase(const DatabaseUrl& url,
                                                 const DatabaseOptions& options) {
  if (options.pool_size < 1) return InvalidArgument("database pool size must be at least 1");
  const bool memory = url.dialect == Dialect::kSqlite && url.sqlite_path == ":memory:";
  // In memory, a second session would meet shared-cache table locks (see
  // open_database.h): the one session also writes.
  auto db = std::make_unique<SociDatabase>(url, memory ? 1 : options.pool_size,
                                           url.dialect == Dialect::kSqlite && !memory);
  PORTICO_RETURN_IF_ERROR(db->ConnectAll());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace portico::db
