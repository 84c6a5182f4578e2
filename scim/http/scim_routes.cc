#include "scim/http/scim_routes.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "scim/bulk/bulk_service.h"
#include "scim/schema/discovery.h"
#include "scim/scim_errors.h"
#include "src/http/json_body.h"

namespace portico::scim {
namespace {

constexpr const char* kScimJson = "application/scim+json";

http::Response ScimJson(int status, const Json& body) {
  return http::Response::Json(status, body, kScimJson);
}

// RFC 7644 §3.1: requests are application/scim+json; application/json is
// accepted too (most clients send it).
StatusOr<Json> ScimBody(const http::Request& req) {
  PORTICO_RETURN_IF_ERROR(http::CheckMediaType(req, {"application/scim+json", "application/json"}));
  return http::ParseJsonBody(req);
}

StatusOr<ScimCaller> Caller(ScimService& service, const http::Request& req, bool write) {
  std::optional<std::string> token = req.BearerToken();
  PORTICO_ASSIGN_OR_RETURN(
      ScimCaller caller,
      service.Authenticate(token ? std::optional<std::string_view>(*token) : std::nullopt, write));
  req.log_tenant = caller.tenant_id;
  return caller;
}

// portico_scim_operations_total{operation, resource, outcome}: a provisioning
// request succeeded (2xx/3xx) or failed (anything else, authentication included).
CounterFamily* ScimOperations(const ScimService& service) {
  Metrics* metrics = service.settings().metrics;
  if (metrics == nullptr) return nullptr;
  return &metrics->AddCounter(
      "portico_scim_operations_total",
      "SCIM provisioning requests by operation (create, replace, patch, delete, bulk), resource "
      "and outcome (success, failure)",
      {"operation", "resource", "outcome"});
}

struct OutcomeCounters {
  Counter* success;
  Counter* failure;
  void Count(const StatusOr<http::Response>& result) const {
    (result.ok() && result->status < 400 ? success : failure)->Inc();
  }
};

http::AsyncHandler CountedAsync(const ScimService& service, std::string_view operation,
                                std::string_view resource, http::AsyncHandler inner) {
  CounterFamily* family = ScimOperations(service);
  if (family == nullptr) return inner;
  const OutcomeCounters counters{&family->WithLabels({operation, resource, "success"}),
                                 &family->WithLabels({operation, resource, "failure"})};
  return [counters, inner = std::move(inner)](std::shared_ptr<http::Request> req,
                                              http::Reply reply) {
    inner(std::move(req),
          [counters, reply = std::move(reply)](StatusOr<http::Response> result) {
            counters.Count(result);
            reply(std::move(result));
          });
  };
}

http::Handler CountedSync(const ScimService& service, std::string_view operation,
                          std::string_view resource, http::Handler inner) {
  CounterFamily* family = ScimOperations(service);
  if (family == nullptr) return inner;
  const OutcomeCounters counters{&family->WithLabels({operation, resource, "success"}),
                                 &family->WithLabels({operation, resource, "failure"})};
  return [counters, inner = std::move(inner)](http::Request& req) {
    StatusOr<http::Response> result = inner(req);
    counters.Count(result);
    return result;
  };
}

StatusOr<Projection> QueryProjection(const http::Request& req, const ResourceType& type) {
  return ParseProjection(req.Query("attributes"), req.Query("excludedAttributes"), type);
}

http::Response Written(int status, const ScimService::Written& w, const ResourceType& type,
                       const ScimService& service) {
  if (w.resource.is_null() && w.text.empty()) {  // a change answered without its representation
    http::Response no_content = http::Response::NoContent();
    no_content.WithHeader("ETag", VersionTag(w.version));
    return no_content;
  }
  http::Response response;
  if (w.text.empty()) {
    response = ScimJson(status, w.resource);
  } else {  // a read answered from the stored text, already serialised
    response.status = status;
    response.content_type = kScimJson;
    response.body = w.text;
  }
  response.WithHeader("ETag", VersionTag(w.version));
  if (status == 201) {  // `id` is returned "always", whatever the projection
    response.WithHeader("Location", service.settings().base_url + type.endpoint() + "/" +
                                        w.resource.Find("id")->as_string());
  }
  return response;
}

// RFC 7644 §3.4.2: the resources arrive serialised, and are copied in as they are.
http::Response ListResponse(const ListResult& result) {
  size_t size = 200;
  for (const std::string& resource : result.resources) size += resource.size() + 1;
  http::Response response;
  response.content_type = kScimJson;
  response.body.reserve(size);
  JsonWriter w(response.body);
  w.BeginObject().Key("schemas").BeginArray().String(kListResponseUrn).EndArray();
  w.Key("totalResults").Int(result.total_results);
  w.Key("itemsPerPage").Int(static_cast<int64_t>(result.resources.size()));
  w.Key("startIndex").Int(result.start_index);
  if (result.next_cursor) w.Key("nextCursor").String(*result.next_cursor);
  w.Key("Resources").BeginArray();
  for (size_t i = 0; i < result.resources.size(); ++i) {
    if (i > 0) response.body.push_back(',');
    response.body.append(result.resources[i]);
  }
  w.EndArray().EndObject();
  return response;
}

ListParams QueryListParams(const http::Request& req) {
  ListParams p;
  p.filter = req.Query("filter");
  p.sort_by = req.Query("sortBy");
  p.sort_order = req.Query("sortOrder");
  p.attributes = req.Query("attributes");
  p.excluded_attributes = req.Query("excludedAttributes");
  p.start_index = req.Query("startIndex");
  p.count = req.Query("count");
  p.cursor = req.Query("cursor");
  return p;
}

bool MentionsPassword(const std::string& body) {
  static constexpr std::string_view kWord = "password";
  for (size_t i = 0; i + kWord.size() <= body.size(); ++i) {
    if (http::EqualsIgnoreCase(std::string_view(body).substr(i, kWord.size()), kWord)) return true;
  }
  return false;
}

// Runs `handler` on the hashing pool, never on a reactor thread; a full pool
// answers 429 with Retry-After.
http::AsyncHandler Offload(HashingPool* pool, http::Handler handler) {
  return [pool, handler](std::shared_ptr<http::Request> req, http::Reply reply) {
    Status queued = pool->Submit([req, reply, handler] { reply(handler(*req)); });
    if (!queued.ok()) reply(queued);
  };
}

// A write whose body may carry a password (hashed with argon2id, tens of
// milliseconds) is offloaded; others run where they arrive.
http::AsyncHandler OffloadWhenPassword(HashingPool* pool, http::Handler handler) {
  http::AsyncHandler offloaded = Offload(pool, handler);
  return [offloaded, handler](std::shared_ptr<http::Request> req, http::Reply reply) {
    if (MentionsPassword(req->body)) {
      offloaded(std::move(req), std::move(reply));
    } else {
      reply(handler(*req));
    }
  };
}

// POST, PUT and PATCH: authenticate for writing, read the body and the
// projection, call the service, answer `status` with the resource and its ETag.
using BodyWrite = std::function<StatusOr<ScimService::Written>(
    ScimService&, const ScimCaller&, const http::Request&, const Json& body, const Projection&)>;
http::AsyncHandler WriteWithBody(HashingPool* pool, ScimService* svc, const ResourceType* t,
                                 int status, BodyWrite call) {
  return OffloadWhenPassword(
      pool, [svc, t, status, call](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_ASSIGN_OR_RETURN(ScimCaller caller, Caller(*svc, req, true));
        PORTICO_ASSIGN_OR_RETURN(Json body, ScimBody(req));
        PORTICO_ASSIGN_OR_RETURN(Projection projection, QueryProjection(req, *t));
        PORTICO_ASSIGN_OR_RETURN(ScimService::Written w, call(*svc, caller, req, body, projection));
        return Written(status, w, *t, *svc);
      });
}

void AddResourceRoutes(http::Router& router, ScimService& service, const ResourceType& type,
                       HashingPool& pool) {
  const std::string base = "/scim/v2" + type.endpoint();
  ScimService* svc = &service;
  const ResourceType* t = &type;
  HashingPool* hashing = &pool;
  router.Add(
      {.method = "POST",
       .pattern = base,
       .family = "scim",
       .async_handler = CountedAsync(
           service, "create", type.name(),
           WriteWithBody(hashing, svc, t, 201,
                         [t](ScimService& s, const ScimCaller& caller, const http::Request&,
                             const Json& body, const Projection& projection) {
                           return s.Create(caller, *t, body, projection);
                         })),
       .errors = RenderScimError,
       .summary = "Create a " + type.name()});
  router.Add({.method = "GET",
              .pattern = base,
              .family = "scim",
              .handler = [svc, t](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(ScimCaller caller, Caller(*svc, req, false));
                PORTICO_ASSIGN_OR_RETURN(ListResult result,
                                         svc->List(caller, *t, QueryListParams(req)));
                return ListResponse(result);
              },
              .errors = RenderScimError,
              .summary = "List or filter " + type.endpoint().substr(1)});
  router.Add({.method = "POST",
              .pattern = base + "/.search",
              .family = "scim",
              .handler = [svc, t](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(ScimCaller caller, Caller(*svc, req, false));
                PORTICO_ASSIGN_OR_RETURN(Json body, ScimBody(req));
                PORTICO_ASSIGN_OR_RETURN(ListParams params, ListParamsFromSearchBody(body));
                PORTICO_ASSIGN_OR_RETURN(ListResult result, svc->List(caller, *t, params));
                return ListResponse(result);
              },
              .errors = RenderScimError,
              .summary = "Search " + type.endpoint().substr(1) + " (RFC 7644 §3.4.3)"});
  router.Add({.method = "GET",
              .pattern = base + "/:id",
              .family = "scim",
              .handler = [svc, t](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(ScimCaller caller, Caller(*svc, req, false));
                PORTICO_ASSIGN_OR_RETURN(Projection projection, QueryProjection(req, *t));
                PORTICO_ASSIGN_OR_RETURN(ScimService::Written w,
                                         svc->Get(caller, *t, req.Param("id"), projection));
                if (std::optional<std::string> none = req.Header("if-none-match");
                    none && (*none == "*" || ParseVersionTag(*none) == w.version)) {
                  http::Response not_modified = http::Response::NoContent();
                  not_modified.status = 304;
                  not_modified.WithHeader("ETag", VersionTag(w.version));
                  return not_modified;
                }
                return Written(200, w, *t, *svc);
              },
              .errors = RenderScimError,
              .summary = "Get a " + type.name()});
  router.Add({.method = "PUT",
              .pattern = base + "/:id",
              .family = "scim",
              .async_handler = CountedAsync(
                  service, "replace", type.name(),
                  WriteWithBody(hashing, svc, t, 200,
                                [t](ScimService& s, const ScimCaller& caller,
                                    const http::Request& req, const Json& body,
                                    const Projection& projection) {
                                  return s.Replace(caller, *t, req.Param("id"), body,
                                                   Precondition{req.Header("if-match")},
                                                   projection);
                                })),
              .errors = RenderScimError,
              .summary = "Replace a " + type.name()});
  router.Add({.method = "PATCH",
              .pattern = base + "/:id",
              .family = "scim",
              .async_handler = CountedAsync(service, "patch", type.name(), WriteWithBody(
                  hashing, svc, t, 200,
                  [t](ScimService& s, const ScimCaller& caller, const http::Request& req,
                      const Json& body, const Projection& projection) {
                    // RFC 7644 §3.5.2 lets PATCH answer 204: a group's members are
                    // read back only when the client asks for attributes.
                    const bool render = t == &UserResourceType() ||
                                        req.Query("attributes") ||
                                        req.Query("excludedAttributes");
                    return s.Patch(caller, *t, req.Param("id"), body,
                                   Precondition{req.Header("if-match")}, projection, render);
                  })),
              .errors = RenderScimError,
              .summary = "Modify a " + type.name() + " (RFC 7644 §3.5.2)"});
  router.Add({.method = "DELETE",
              .pattern = base + "/:id",
              .family = "scim",
              .handler = CountedSync(
                  service, "delete", type.name(),
                  [svc, t](http::Request& req) -> StatusOr<http::Response> {
                    PORTICO_ASSIGN_OR_RETURN(ScimCaller caller, Caller(*svc, req, true));
                    PORTICO_RETURN_IF_ERROR(svc->Delete(caller, *t, req.Param("id"),
                                                        Precondition{req.Header("if-match")}));
                    return http::Response::NoContent();
                  }),
              .errors = RenderScimError,
              .summary = "Delete a " + type.name()});
}

// RFC 7644 §3.7.3: one entry per attempted operation; a failed one carries, as `response`, the
// SCIM Error it would have answered on its own.
Json BulkResponseJson(const BulkResult& result) {
  Json operations = Json::MakeArray();
  for (const BulkOperationResult& op : result.operations) {
    Json entry = Json::MakeObject();
    entry.Set("method", BulkMethodName(op.method));
    if (op.bulk_id) entry.Set("bulkId", *op.bulk_id);
    if (op.version) entry.Set("version", *op.version);
    if (op.location) entry.Set("location", *op.location);
    if (op.error.ok()) {
      entry.Set("status", std::to_string(op.status));
    } else {
      int status = 500;
      Json error = ScimErrorJson(op.error, &status);
      entry.Set("status", std::to_string(status));
      entry.Set("response", std::move(error));
    }
    operations.Push(std::move(entry));
  }
  Json out = Json::MakeObject();
  Json schemas = Json::MakeArray();
  schemas.Push(kBulkResponseUrn);
  out.Set("schemas", std::move(schemas));
  out.Set("Operations", std::move(operations));
  return out;
}

// A body over PORTICO_MAX_BODY_BYTES is refused by the server before the handler runs: for
// Bulk that is the same tooLarge as a body over maxPayloadSize.
http::Response RenderBulkError(const Status& status, const http::Request& req) {
  if (status.code() == StatusCode::kTooLarge && status.tag().empty()) {
    return RenderScimError(Status(status).WithTag(std::string(kTooLarge)), req);
  }
  return RenderScimError(status, req);
}

// POST /Bulk (RFC 7644 §3.7). It enforces the limits in `caps`, the very numbers
// /ServiceProviderConfig advertises. A job whose body mentions a password runs on the hashing
// pool as a whole.
void AddBulkRoute(http::Router& router, ScimService& service, const ScimCapabilities& caps,
                  HashingPool& pool) {
  const BulkLimits limits{.max_operations = caps.bulk_max_operations,
                          .max_payload_bytes = caps.bulk_max_payload_bytes};
  const bool supported = caps.bulk_supported;
  auto bulk = std::make_shared<BulkService>(service);
  ScimService* svc = &service;
  router.Add(
      {.method = "POST",
       .pattern = "/scim/v2/Bulk",
       .family = "scim",
       // Up to maxOperations transactions: never on a reactor thread.
       .async_handler = CountedAsync(service, "bulk", "Bulk", Offload(
           &pool,
           [svc, bulk, limits, supported](http::Request& req) -> StatusOr<http::Response> {
             PORTICO_ASSIGN_OR_RETURN(ScimCaller caller, Caller(*svc, req, true));
             if (!supported) return Unimplemented("SCIM bulk operations are not supported");
             PORTICO_RETURN_IF_ERROR(CheckBulkPayloadSize(req.body.size(), limits));
             PORTICO_ASSIGN_OR_RETURN(Json body, ScimBody(req));
             PORTICO_ASSIGN_OR_RETURN(BulkRequest request, ParseBulkRequest(body, limits));
             return ScimJson(200, BulkResponseJson(bulk->Execute(caller, request)));
           })),
       .errors = RenderBulkError,
       .summary = "Create, replace, modify and delete Users and Groups in one request "
                  "(RFC 7644 §3.7)"});
}

// The discovery document whose id is `id` (case-insensitive), or 404.
StatusOr<http::Response> OneById(const Json::Array& documents, const std::string& id,
                                 const char* what) {
  for (const Json& document : documents) {
    if (NameEquals(document.Find("id")->as_string(), id)) return ScimJson(200, document);
  }
  return NotFound(std::string("no ") + what + " '" + id + "'");
}

void AddDiscoveryRoutes(http::Router& router, const ScimService& service,
                        const ScimCapabilities& caps) {
  const std::string base_url = service.settings().base_url;
  // Generated once: the definitions never change while the server runs.
  const Json config = ServiceProviderConfigJson(caps, base_url);
  Json::Array types;
  for (const ResourceType* type : AllResourceTypes())
    types.push_back(ResourceTypeJson(*type, base_url));
  Json::Array schemas;
  for (const SchemaDef* schema : AllSchemas()) schemas.push_back(SchemaJson(*schema, base_url));

  router.Add({.method = "GET",
              .pattern = "/scim/v2/ServiceProviderConfig",
              .family = "scim",
              .handler = [config](http::Request&) -> StatusOr<http::Response> {
                return ScimJson(200, config);
              },
              .errors = RenderScimError,
              .summary = "SCIM service provider configuration (RFC 7643 §5)"});
  router.Add({.method = "GET",
              .pattern = "/scim/v2/ResourceTypes",
              .family = "scim",
              .handler = [types](http::Request&) -> StatusOr<http::Response> {
                return ScimJson(200, ListOf(types));
              },
              .errors = RenderScimError,
              .summary = "SCIM resource types (RFC 7643 §6)"});
  router.Add({.method = "GET",
              .pattern = "/scim/v2/ResourceTypes/:id",
              .family = "scim",
              .handler = [types](http::Request& req) -> StatusOr<http::Response> {
                return OneById(types, req.Param("id"), "resource type");
              },
              .errors = RenderScimError,
              .summary = "One SCIM resource type"});
  router.Add({.method = "GET",
              .pattern = "/scim/v2/Schemas",
              .family = "scim",
              .handler = [schemas](http::Request&) -> StatusOr<http::Response> {
                return ScimJson(200, ListOf(schemas));
              },
              .errors = RenderScimError,
              .summary = "SCIM schemas (RFC 7643 §7)"});
  router.Add({.method = "GET",
              .pattern = "/scim/v2/Schemas/:id",
              .family = "scim",
              .handler = [schemas](http::Request& req) -> StatusOr<http::Response> {
                return OneById(schemas, req.Param("id"), "schema");
              },
              .errors = RenderScimError,
              .summary = "One SCIM schema"});
}

}  // namespace

void AddScimRoutes(http::Router& router, ScimService& service, const ScimCapabilities& caps,
                   HashingPool& pool) {
  AddDiscoveryRoutes(router, service, caps);
  AddResourceRoutes(router, service, UserResourceType(), pool);
  AddResourceRoutes(router, service, GroupResourceType(), pool);
  AddBulkRoute(router, service, caps, pool);
  ScimService* svc = &service;
  router.Add({.method = "POST",
              .pattern = "/scim/v2/.search",
              .family = "scim",
              .handler = [svc](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(ScimCaller caller, Caller(*svc, req, false));
                PORTICO_ASSIGN_OR_RETURN(Json body, ScimBody(req));
                PORTICO_ASSIGN_OR_RETURN(ListParams params, ListParamsFromSearchBody(body));
                PORTICO_ASSIGN_OR_RETURN(ListResult result, svc->SearchAll(caller, params));
                return ListResponse(result);
              },
              .errors = RenderScimError,
              .summary = "Search Users and Groups together (RFC 7644 §3.4.3)"});
  router.SetFallback("/scim", RenderScimError);
}

}  // namespace portico::scim
