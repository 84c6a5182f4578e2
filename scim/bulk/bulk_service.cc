#include "scim/bulk/bulk_service.h"

#include <map>
#include <utility>

#include "scim/resource_renderer.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

enum class State { kPending, kRunning, kDone };

// RFC 7644 §3.7.2/§3.7.3: an unresolvable bulkId reference is 409 Conflict with invalidValue
// (Aborted is the code the SCIM mapping answers 409 for without implying a uniqueness clash).
Status ReferenceError(size_t index, std::string message) {
  return Aborted("Operations[" + std::to_string(index) + "]: " + std::move(message))
      .WithTag(std::string(kInvalidValue));
}

// Only the id is needed back: projecting to it also skips fetching a group's members.
Projection IdOnly(const ResourceType& type) {
  StatusOr<Projection> projection = ParseProjection("id", std::nullopt, type);
  return projection.ok() ? *projection : Projection{};
}

// One Execute call: the bookkeeping of which operation ran, what it created and what failed.
class BulkRun {
 public:
  BulkRun(ScimService& scim, const ScimCaller& caller, const BulkRequest& request)
      : scim_(scim),
        caller_(caller),
        ops_(request.operations),
        fail_on_errors_(request.fail_on_errors),
        state_(ops_.size(), State::kPending),
        results_(ops_.size()),
        created_ids_(ops_.size()) {
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (ops_[i].method == BulkMethod::kPost && ops_[i].bulk_id)
        post_by_bulk_id_[*ops_[i].bulk_id] = i;
    }
  }

  BulkResult Run() {
    // Depth-first over references with an explicit stack: an operation runs once every POST
    // it refers to has run; operations still on the stack are its ancestors, so a reference to
    // one of them is a cycle (RunOne fails it).
    std::vector<size_t> stack;
    for (size_t i = 0; i < ops_.size() && !Stopped(); ++i) {
      if (state_[i] != State::kPending) continue;
      state_[i] = State::kRunning;
      stack.push_back(i);
      while (!stack.empty() && !Stopped()) {
        const size_t j = stack.back();
        if (std::optional<size_t> next = PendingDependency(j)) {
          state_[*next] = State::kRunning;
          stack.push_back(*next);
          continue;
        }
        RunOne(j);
        state_[j] = State::kDone;
        stack.pop_back();
      }
    }
    BulkResult result;
    result.errors = errors_;
    for (std::optional<BulkOperationResult>& r : results_) {
      if (r) result.operations.push_back(std::move(*r));
    }
    return result;
  }

 private:
  bool Stopped() const { return fail_on_errors_ && errors_ >= *fail_on_errors_; }

  // The first POST operation `j` refers to that has not started yet.
  std::optional<size_t> PendingDependency(size_t j) const {
    for (const std::string& ref : ops_[j].references) {
      auto it = post_by_bulk_id_.find(ref);
      if (it != post_by_bulk_id_.end() && state_[it->second] == State::kPending) return it->second;
    }
    return std::nullopt;
  }

  // The ids operation `j`'s references stand for; an error when one cannot be resolved.
  Status Resolve(size_t j, std::map<std::string, std::string>& ids) const {
    for (const std::string& ref : ops_[j].references) {
      auto it = post_by_bulk_id_.find(ref);
      if (it == post_by_bulk_id_.end()) {
        return ReferenceError(j, "no POST operation has bulkId '" + ref + "'");
      }
      const size_t k = it->second;
      if (state_[k] == State::kRunning) {
        return ReferenceError(j, "circular bulkId reference through '" + ref + "'");
      }
      if (!results_[k] || !results_[k]->error.ok()) {
        return ReferenceError(j, "the operation with bulkId '" + ref + "' failed");
      }
      ids[ref] = created_ids_[k];
    }
    return Status::Ok();
  }

  std::string Location(const ResourceType& type, const std::string& id) const {
    return scim_.settings().base_url + type.endpoint() + "/" + id;
  }

  void RunOne(size_t j) {
    const BulkOperation& op = ops_[j];
    BulkOperationResult r{.index = j, .method = op.method, .bulk_id = op.bulk_id};
    std::map<std::string, std::string> ids;
    Status resolved = Resolve(j, ids);
    std::string id = op.id;
    if (std::optional<std::string_view> ref = BulkIdReference(op.id)) {
      auto it = ids.find(std::string(*ref));
      id = it == ids.end() ? "" : it->second;
    }
    if (!id.empty()) r.location = Location(*op.type, id);
    if (!resolved.ok()) {
      Fail(r, std::move(resolved));
      return;
    }
    const Precondition pre{op.version};
    if (op.method == BulkMethod::kDelete) {
      Status deleted = scim_.Delete(caller_, *op.type, id, pre);
      if (!deleted.ok()) {
        Fail(r, std::move(deleted));
        return;
      }
      r.status = 204;
      results_[j] = std::move(r);
      return;
    }
    const Projection projection = IdOnly(*op.type);
    const Json data = ResolveBulkIds(op.data, ids);
    StatusOr<ScimService::Written> written =
        op.method == BulkMethod::kPost ? scim_.Create(caller_, *op.type, data, projection)
        : op.method == BulkMethod::kPut
            ? scim_.Replace(caller_, *op.type, id, data, pre, projection)
            : scim_.Patch(caller_, *op.type, id, data, pre, projection);
    r.status = op.method == BulkMethod::kPost ? 201 : 200;
    if (!written.ok()) {
      Fail(r, written.status());
      return;
    }
    r.version = VersionTag(written->version);
    if (op.method == BulkMethod::kPost) {
      const Json* created = written->resource.Find("id");
      created_ids_[j] = created != nullptr && created->is_string() ? created->as_string() : "";
      r.location = Location(*op.type, created_ids_[j]);
    }
    results_[j] = std::move(r);
  }

  void Fail(BulkOperationResult& r, Status error) {
    r.status = 0;
    r.error = std::move(error);
    ++errors_;
    results_[r.index] = std::move(r);
  }

  ScimService& scim_;
  const ScimCaller& caller_;
  const std::vector<BulkOperation>& ops_;
  std::optional<int64_t> fail_on_errors_;
  std::vector<State> state_;
  std::vector<std::optional<BulkOperationResult>> results_;
  std::vector<std::string> created_ids_;  // by operation index, for POSTs that succeeded
  std::map<std::string, size_t> post_by_bulk_id_;
  int errors_ = 0;
};

}  // namespace

BulkResult BulkService::Execute(const ScimCaller& caller, const BulkRequest& request) {
  return BulkRun(scim_, caller, request).Run();
}

}  // namespace portico::scim
