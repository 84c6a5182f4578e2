#include "src/server/cli.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "db/open_database.h"
#include "portico/log.h"
#include "portico/random.h"
#include "src/server/app.h"
#include "src/server/config.h"
#include "src/webhooks/webhook_endpoints.h"
#include "src/webhooks/webhook_rules.h"

#ifndef PORTICO_VERSION
#define PORTICO_VERSION "0.0.0"
#endif

namespace portico::server {
namespace {

constexpr char kUsage[] = R"(portico — self-service onboarding server (DCR, SCIM, signup)

Usage:
  portico serve                  migrate the database if needed, then serve HTTP until SIGTERM/SIGINT
  portico migrate                apply pending schema migrations and exit
  portico tenant create --slug S --name N [--modules a,b] [--admin-email E]
                                 create a tenant; prints its id and three credentials once, as JSON
  portico clients prune          delete OAuth clients unused for DCR_CLIENT_TTL_DAYS (and other
                                 expired records) now; `serve` does it every hour
  portico webhook add --tenant SLUG --url URL --events TYPE[,TYPE…]
                                 add a signed webhook endpoint; prints it with its whsec_ secret
                                 once, as JSON. Events: "*", a family like "scim.user.*", or
                                 any of the types listed below. URL: https (http only for
                                 127.0.0.1, [::1], localhost), no userinfo, no fragment
  portico webhook list --tenant SLUG
                                 the tenant's endpoints as JSON (never their secrets)
  portico webhook remove --tenant SLUG --id ID
                                 delete an endpoint (deliveries still queued for it are dropped)
  portico version                print the version
  portico help, --help           this text

  Every command also takes --help (e.g. `portico webhook add --help`).
)";

// `portico COMMAND --help`: what the command does and each of its options.
// The environment variables follow, from the table LoadConfig reads.
struct CommandHelp {
  std::string_view command;
  std::string_view text;
};
constexpr CommandHelp kCommandHelp[] = {
    {"serve", R"(Usage: portico serve

Migrates the database if needed, then serves HTTP on PORTICO_LISTEN (HTTPS,
TLS 1.2 or later, when PORTICO_TLS_CERT and PORTICO_TLS_KEY are set) and
delivers the outbox (mail, webhooks) until SIGTERM or SIGINT; then stops
accepting, lets in-flight requests finish (PORTICO_DRAIN_TIMEOUT_MS) and exits.
Several `serve` processes may share one PostgreSQL database.
No options. Exit status: 0 after a clean stop, 1 when the database or the
address is unavailable, 2 for a malformed variable (the message names it).
)"},
    {"migrate", R"(Usage: portico migrate

Applies pending schema migrations to DATABASE_URL and prints {"applied":N}.
Safe to run while other processes migrate or serve. No options.
Exit status: 0, 1 when the database is unavailable, 2 for a malformed variable.
)"},
    {"tenant create", R"(Usage: portico tenant create --slug S --name N [--modules a,b] [--admin-email E]

Creates a tenant and prints one JSON object: tenantId, slug, name, modules and
its three credentials (integrationKey, bootstrapToken, publicLoginToken),
shown this once and stored only as keyed hashes.
  --slug S           URL-safe unique name (lowercase letters, digits, hyphens)
  --name N           display name
  --modules a,b      enabled modules, comma-separated (e.g. scim,dcr)
  --admin-email E    the tenant's administrator email
Exit status: 0, 1 when the slug is taken or the database is unavailable, 2 for
a bad option or variable.
)"},
    {"clients prune", R"(Usage: portico clients prune

Deletes OAuth clients unused for DCR_CLIENT_TTL_DAYS (and other expired
records) now and prints what was removed as JSON; `serve` does it every hour.
No options.
)"},
    {"webhook add", R"(Usage: portico webhook add --tenant SLUG --url URL --events TYPE[,TYPE...]

Adds a signed webhook endpoint and prints it as JSON with its whsec_ secret,
shown this once.
  --tenant SLUG      the tenant's slug
  --url URL          https URL (http only for 127.0.0.1, [::1], localhost), no
                     userinfo, no fragment
  --events TYPES     "*", a family like "scim.user.*", or event types (below)
)"},
    {"webhook list", R"(Usage: portico webhook list --tenant SLUG

Prints the tenant's webhook endpoints as JSON (never their secrets).
  --tenant SLUG      the tenant's slug
)"},
    {"webhook remove", R"(Usage: portico webhook remove --tenant SLUG --id ID

Deletes a webhook endpoint; deliveries still queued for it are dropped.
  --tenant SLUG      the tenant's slug
  --id ID            the endpoint's id (from add or list)
)"},
    {"version", R"(Usage: portico version

Prints the version. No options.
)"},
};

void PrintEventTypes() {
  std::string types;
  for (const std::string& t : webhooks::KnownEventTypes()) types += (types.empty() ? "" : " ") + t;
  std::printf("\nWebhook event types: %s\n", types.c_str());
}

void PrintEnvironment() {
  std::fputs("\nEnvironment (every variable optional on a developer's machine):\n", stdout);
  for (const ConfigVariable& v : ConfigVariables()) {
    const std::string shown_default =
        v.default_value.empty() ? "" : " (default " + std::string(v.default_value) + ")";
    std::printf("  %-36s %.*s%s\n", std::string(v.name).c_str(),
                static_cast<int>(v.description.size()), v.description.data(),
                shown_default.c_str());
  }
}

void PrintUsage() {
  std::fputs(kUsage, stdout);
  PrintEnvironment();
  PrintEventTypes();
}

// `portico WORDS… --help` (or `portico help WORDS…`): the help of the command
// the words name; of every subcommand when they name a group ("webhook").
// False when they name nothing.
bool PrintCommandHelp(const std::vector<std::string>& words) {
  std::string command;
  for (const std::string& w : words) {
    if (w.empty() || w[0] == '-') break;
    if (!command.empty()) command += ' ';
    command += w;
  }
  bool printed = false;
  for (const CommandHelp& help : kCommandHelp) {
    const bool exact = help.command == command;
    const bool in_group = help.command.rfind(command + " ", 0) == 0;
    // "tenant create x" still finds "tenant create": extra words are operands.
    const bool prefix = command.rfind(std::string(help.command) + " ", 0) == 0;
    if (!exact && !in_group && !prefix) continue;
    if (printed) std::fputs("\n", stdout);
    std::fwrite(help.text.data(), 1, help.text.size(), stdout);
    printed = true;
  }
  if (!printed) return false;
  if (command.rfind("webhook", 0) == 0) PrintEventTypes();
  PrintEnvironment();
  return true;
}

bool AsksForHelp(const std::vector<std::string>& args) {
  for (size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") return true;
  }
  return false;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "portico: %s\nRun `portico help` for usage.\n", message.c_str());
  return kExitUsage;
}

// Configuration problems exit 2 naming the variable; anything else exits 1.
int Fail(const Status& status) {
  std::fprintf(stderr, "portico: %s\n", status.message().c_str());
  if (!status.internal().empty()) {
    Log(LogLevel::kError, "command_failed", Json::MakeObject().Set("detail", status.internal()));
  }
  return status.tag() == "invalid_configuration" || status.code() == StatusCode::kInvalidArgument
             ? kExitUsage
             : kExitFailure;
}

StatusOr<Config> LoadOrExplain() { return LoadConfig(ProcessEnvironment()); }

int Serve() {
  auto config = LoadOrExplain();
  if (!config.ok()) return Fail(config.status());
  auto app = App::Create(std::move(config).value());
  if (!app.ok()) return Fail(app.status());
  const Status served = (*app)->Serve();
  if (!served.ok()) return Fail(served);
  return kExitOk;
}

int Migrate() {
  auto config = LoadOrExplain();
  if (!config.ok()) return Fail(config.status());
  auto url = db::ParseDatabaseUrl(config->database_url);
  if (!url.ok()) return Fail(url.status());
  auto applied = db::Migrate(*url);
  if (!applied.ok()) return Fail(applied.status());
  std::printf("{\"applied\":%d}\n", *applied);
  return kExitOk;
}

// --name value pairs after `tenant create` (or the flags `known` lists).
StatusOr<std::map<std::string, std::string>> ParseFlags(
    const std::vector<std::string>& args, size_t from,
    const std::set<std::string>& known = {"--slug", "--name", "--modules", "--admin-email"}) {
  std::map<std::string, std::string> flags;
  for (size_t i = from; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return InvalidArgument(name + " needs a value");
    }
    if (!known.count(name)) return InvalidArgument("unknown option " + name);
    if (flags.count(name)) return InvalidArgument(name + " given twice");
    flags[name] = value;
  }
  return flags;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int ClientsPrune() {
  auto config = LoadOrExplain();
  if (!config.ok()) return Fail(config.status());
  auto app = App::Create(std::move(config).value());
  if (!app.ok()) return Fail(app.status());
  StatusOr<Json> report = (*app)->housekeeping().RunOnce();
  if (!report.ok()) return Fail(report.status());
  std::printf("%s\n", report->Dump().c_str());
  return kExitOk;
}

int TenantCreate(const std::vector<std::string>& args) {
  auto flags = ParseFlags(args, 3);
  if (!flags.ok()) return UsageError(flags.status().message());
  if (!flags->count("--slug")) return UsageError("tenant create needs --slug");
  if (!flags->count("--name")) return UsageError("tenant create needs --name");
  NewTenant request;
  request.slug = flags->at("--slug");
  request.name = flags->at("--name");
  if (flags->count("--modules")) request.modules = SplitCommas(flags->at("--modules"));
  if (flags->count("--admin-email")) request.admin_email = flags->at("--admin-email");

  auto config = LoadOrExplain();
  if (!config.ok()) return Fail(config.status());
  auto app = App::Create(std::move(config).value());
  if (!app.ok()) return Fail(app.status());
  auto created = (*app)->tenants().Create(request);
  if (!created.ok()) {
    std::fprintf(stderr, "portico: %s\n", created.status().message().c_str());
    return created.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  Json modules = Json::MakeArray();
  for (const std::string& m : created->tenant.modules) modules.Push(m);
  Json out = Json::MakeObject();
  out.Set("tenantId", created->tenant.id)
      .Set("slug", created->tenant.slug)
      .Set("name", created->tenant.name)
      .Set("modules", std::move(modules))
      .Set("integrationKey", created->integration_key.secret)
      .Set("bootstrapToken", created->bootstrap_token.secret)
      .Set("publicLoginToken", created->public_login_token.secret);
  std::printf("%s\n", out.Dump().c_str());
  std::fflush(stdout);
  return kExitOk;
}

// `portico webhook add | list | remove`. Mistakes in the arguments (a bad URL
// or event type, an unknown tenant or endpoint) exit 2; failures of the
// database exit 1.
StatusOr<Tenant> WebhookTenant(App& app, const std::string& slug) {
  std::optional<Tenant> tenant;
  Status found = app.database().Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(tenant, stores.tenants().FindBySlug(slug));
    return Status::Ok();
  });
  if (found.code() == StatusCode::kNotFound) {
    return InvalidArgument("no tenant with slug \"" + slug + "\"");
  }
  PORTICO_RETURN_IF_ERROR(found);
  return *tenant;
}

Json WebhookEvents(const std::vector<std::string>& events) {
  Json out = Json::MakeArray();
  for (const std::string& e : events) out.Push(e);
  return out;
}

int Webhook(const std::vector<std::string>& args) {
  const std::string action = args.size() >= 3 ? args[2] : "";
  std::vector<std::string> required;  // every flag of a webhook command is required
  if (action == "add") {
    required = {"--tenant", "--url", "--events"};
  } else if (action == "list") {
    required = {"--tenant"};
  } else if (action == "remove") {
    required = {"--tenant", "--id"};
  } else {
    return UsageError("unknown webhook command (try `portico webhook add`, `list` or `remove`)");
  }
  auto flags = ParseFlags(args, 3, std::set<std::string>(required.begin(), required.end()));
  if (!flags.ok()) return UsageError(flags.status().message());
  for (const std::string& flag : required) {
    if (!flags->count(flag)) return UsageError("webhook " + action + " needs " + flag);
  }
  // Bad input is refused before the database is opened.
  std::vector<std::string> events;
  if (action == "add") {
    if (Status url = webhooks::ValidateWebhookUrl(flags->at("--url")); !url.ok()) {
      return UsageError(url.message());
    }
    auto normalised = webhooks::NormaliseEventSubscriptions(SplitCommas(flags->at("--events")));
    if (!normalised.ok()) return UsageError(normalised.status().message());
    events = std::move(normalised).value();
  }

  auto config = LoadOrExplain();
  if (!config.ok()) return Fail(config.status());
  auto app = App::Create(std::move(config).value());
  if (!app.ok()) return Fail(app.status());
  auto tenant = WebhookTenant(**app, flags->at("--tenant"));
  if (!tenant.ok()) return Fail(tenant.status());
  webhooks::EndpointService service((*app)->database(), (*app)->config().key_hash_secret,
                                    SecureRandom(), SystemClock());
  Json out = Json::MakeObject();
  if (action == "add") {
    auto created = service.Add(tenant->id, flags->at("--url"), events);
    if (!created.ok()) return Fail(created.status());
    out.Set("id", created->endpoint.id)
        .Set("tenantId", created->endpoint.tenant_id)
        .Set("url", created->endpoint.url)
        .Set("events", WebhookEvents(created->endpoint.events))
        .Set("secret", created->secret);
  } else if (action == "list") {
    auto endpoints = service.List(tenant->id);
    if (!endpoints.ok()) return Fail(endpoints.status());
    Json list = Json::MakeArray();
    for (const WebhookEndpoint& e : *endpoints) {
      list.Push(Json::MakeObject()
                    .Set("id", e.id)
                    .Set("url", e.url)
                    .Set("events", WebhookEvents(e.events))
                    .Set("enabled", e.enabled)
                    .Set("createdAt", FormatRfc3339(e.created_at)));
    }
    out.Set("tenantId", tenant->id).Set("webhooks", std::move(list));
  } else {
    Status removed = service.Remove(tenant->id, flags->at("--id"));
    if (removed.code() == StatusCode::kNotFound) {
      return Fail(InvalidArgument("tenant \"" + tenant->slug + "\" has no webhook endpoint \"" +
                                  flags->at("--id") + "\""));
    }
    if (!removed.ok()) return Fail(removed);
    out.Set("id", flags->at("--id")).Set("tenantId", tenant->id).Set("removed", true);
  }
  std::printf("%s\n", out.Dump().c_str());
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

int RunCli(const std::vector<std::string>& args) {
  if (args.size() < 2) return UsageError("a command is required");
  const std::string& command = args[1];
  if (command == "help" || command == "--help" || command == "-h") {
    if (args.size() > 2 && PrintCommandHelp({args.begin() + 2, args.end()})) return kExitOk;
    if (args.size() > 2) return UsageError("no such command");
    PrintUsage();
    return kExitOk;
  }
  if (AsksForHelp(args)) {
    if (PrintCommandHelp({args.begin() + 1, args.end()})) return kExitOk;
    return UsageError("unknown command \"" + command + "\"");
  }
  if (command == "version" || command == "--version") {
    std::printf("portico %s\n", PORTICO_VERSION);
    return kExitOk;
  }
  if (command == "serve")
    return args.size() == 2 ? Serve() : UsageError("serve takes no arguments");
  if (command == "migrate") {
    return args.size() == 2 ? Migrate() : UsageError("migrate takes no arguments");
  }
  if (command == "clients") {
    if (args.size() == 3 && args[2] == "prune") return ClientsPrune();
    return UsageError("unknown clients command (try `portico clients prune`)");
  }
  if (command == "webhook") return Webhook(args);
  if (command == "tenant") {
    if (args.size() >= 3 && args[2] == "create") return TenantCreate(args);
    return UsageError("unknown tenant command (try `portico tenant create`)");
  }
  return UsageError("unknown command \"" + command + "\"");
}

}  // namespace portico::server
