#include "portico/outbox_dispatcher.h"

#include <exception>
#include <utility>
#include <vector>

#include "portico/log.h"

namespace portico {
namespace {

// Retrying cannot fix these (a malformed payload, a rejected address).
bool IsPermanent(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ||
         status.code() == StatusCode::kFailedPrecondition;
}

}  // namespace

OutboxDispatcher::OutboxDispatcher(Database& db, const Clock& clock, Random& random,
                                   OutboxPolicy policy)
    : db_(db), clock_(clock), random_(random), policy_(policy) {
  if (policy_.metrics != nullptr) {
    delivered_ = &policy_.metrics->AddCounter("portico_outbox_deliveries_total",
                                              "Outbox messages delivered, by topic", {"topic"});
    failures_ = &policy_.metrics->AddCounter(
        "portico_outbox_delivery_failures_total",
        "Failed outbox delivery attempts, by topic (dead=true: the last one, given up)",
        {"topic", "dead"});
  }
}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

void OutboxDispatcher::Register(std::string topic, Handler handler) {
  std::lock_guard lock(mu_);
  handlers_[std::move(topic)] = Topic{.handler = std::move(handler)};
}

void OutboxDispatcher::Register(std::string topic, Handler handler,
                                std::vector<std::chrono::milliseconds> retry_schedule) {
  std::lock_guard lock(mu_);
  handlers_[std::move(topic)] = Topic{.handler = std::move(handler),
                                      .scheduled = true,
                                      .retry_schedule = std::move(retry_schedule)};
}

std::chrono::milliseconds OutboxDispatcher::BackoffFor(int attempts) const {
  // Double from the base until the cap, without overflowing.
  std::chrono::milliseconds wait = policy_.backoff_base;
  for (int i = 1; i < attempts && wait < policy_.backoff_max; ++i) wait *= 2;
  return std::min(wait, policy_.backoff_max);
}

StatusOr<int> OutboxDispatcher::RunOnce() {
  const TimePoint now = clock_.Now();
  std::vector<OutboxMessage> messages;
  // The claim writes: in a transaction it queues with this process's other
  // writers (on SQLite, an in-process mutex) instead of taking SQLite's write
  // lock by surprise, which sent a request already holding that mutex into
  // the busy handler's sleeps.
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(messages,
                             stores.outbox().Claim(now, policy_.batch_size, now + policy_.lease));
    return Status::Ok();
  }));

  int delivered = 0;
  Status first_store_error;
  // Deliveries are marked together, in one transaction after the batch: one
  // write per message cost the database as much as the change that queued
  // it. A crash before the mark redelivers the batch (at least once).
  struct Delivered {
    int64_t id;
    int attempts;
    TimePoint at;
  };
  std::vector<Delivered> done;
  done.reserve(messages.size());
  for (const OutboxMessage& message : messages) {
    Topic topic;
    {
      std::lock_guard lock(mu_);
      if (auto it = handlers_.find(message.topic); it != handlers_.end()) topic = it->second;
    }
    const Handler& handler = topic.handler;
    // Handlers do network I/O, so they run outside any transaction; the
    // lease keeps other dispatchers away meanwhile.
    Status result;
    if (!handler) {
      result = Unavailable("no handler for topic " + message.topic);
    } else {
      try {
        result = handler(message);
      } catch (const std::exception& e) {
        result = Internal("outbox handler threw").WithInternal(e.what());
      } catch (...) {
        result = Internal("outbox handler threw");
      }
    }

    const int attempts = message.attempts + 1;
    const TimePoint at = clock_.Now();
    Status marked;
    if (result.ok()) {
      done.push_back({message.id, attempts, at});
      if (delivered_ != nullptr) delivered_->WithLabels({message.topic}).Inc();
      continue;
    } else {
      const int max_attempts = topic.scheduled ? static_cast<int>(topic.retry_schedule.size()) + 1
                                               : policy_.max_attempts;
      const bool dead = IsPermanent(result) || attempts >= max_attempts;
      const std::chrono::milliseconds wait =
          topic.scheduled && !dead ? topic.retry_schedule[attempts - 1] : BackoffFor(attempts);
      // Jitter by a factor in [0.8, 1.2] so failed messages do not retry in lockstep.
      const auto jittered = wait * (800 + UniformBelow(random_, 401)) / 1000;
      const TimePoint next = at + jittered;
      const std::string error = result.ToString();
      Json fields = Json::MakeObject();
      fields.Set("messageId", message.id)
          .Set("topic", message.topic)
          .Set("attempts", attempts)
          .Set("error", error)
          .Set("dead", dead);
      if (!dead) fields.Set("retryAt", FormatRfc3339(next));
      Log(LogLevel::kWarn, "outbox.delivery_failed", fields);
      if (failures_ != nullptr) {
        failures_->WithLabels({message.topic, dead ? "true" : "false"}).Inc();
      }
      marked = db_.Run([&](Stores& stores) {
        return stores.outbox().MarkFailed(message.id, attempts, next, error, dead);
      });
    }
    if (!marked.ok()) {
      // The lease expires and the message is claimed again: at least once.
      Json fields = Json::MakeObject();
      fields.Set("messageId", message.id).Set("error", marked.ToString());
      Log(LogLevel::kError, "outbox.mark_failed", fields);
      if (first_store_error.ok()) first_store_error = marked;
    }
  }
  if (!done.empty()) {
    const Status marked = db_.Transact([&](Stores& stores) -> Status {
      for (const Delivered& d : done) {
        PORTICO_RETURN_IF_ERROR(stores.outbox().MarkDelivered(d.id, d.attempts, d.at));
      }
      return Status::Ok();
    });
    if (marked.ok()) {
      delivered = static_cast<int>(done.size());
    } else {
      // The leases expire and the batch is claimed again: at least once.
      Log(LogLevel::kError, "outbox.mark_failed",
          Json::MakeObject()
              .Set("messages", static_cast<int64_t>(done.size()))
              .Set("error", marked.ToString()));
      if (first_store_error.ok()) first_store_error = marked;
    }
  }
  if (!first_store_error.ok()) return first_store_error;
  return delivered;
}

void OutboxDispatcher::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  woken_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void OutboxDispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void OutboxDispatcher::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      woken_ = false;
    }
    StatusOr<int> result = RunOnce();
    if (!result.ok()) {
      Json fields = Json::MakeObject();
      fields.Set("error", result.status().ToString());
      Log(LogLevel::kError, "outbox.run_failed", fields);
    } else if (*result >= policy_.batch_size) {
      continue;  // a full batch went out: more are probably waiting
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, policy_.poll_interval, [this] { return stop_ || woken_; });
  }
}

}  // namespace portico
