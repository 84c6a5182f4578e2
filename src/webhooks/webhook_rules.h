#pragma once

// The pure rules of webhook endpoints: which event types exist, which URLs
// may receive them, and which endpoint gets which event.

#include <string>
#include <string_view>
#include <vector>

#include "portico/status.h"

namespace portico::webhooks {

// Every audit event type that carries a tenantId and so can be delivered to
// that tenant's endpoints; the one list the CLI validates subscriptions
// against. Add a type here when a feature starts emitting it (grep
// `Enqueue("audit"`). Events without a tenant (signup.session_created,
// signup.email_verified) are not deliverable. Thread-safe.
const std::vector<std::string>& KnownEventTypes();

// Subscribes to every event type, present and future.
inline constexpr char kAllEvents[] = "*";

// The subscription list an operator asked for, checked and normalised:
// entries trimmed, duplicates dropped (first occurrence kept), and a list
// containing "*" collapsed to {"*"}. An entry is "*", a known event type, or
// a family "prefix.*" that matches at least one known type (e.g.
// "scim.user.*"). InvalidArgument naming the entry otherwise, or when the
// list is empty. Pure; thread-safe.
StatusOr<std::vector<std::string>> NormaliseEventSubscriptions(
    const std::vector<std::string>& requested);

// Whether an endpoint subscribed to `events` receives an event of `type`.
// Pure; thread-safe.
bool Subscribes(const std::vector<std::string>& events, std::string_view type);

// OK when `url` may receive webhooks: an absolute http or https URL of
// printable ASCII (at most 2048 characters) with a host, an optional port
// 1-65535, no userinfo and no fragment; plain http only for a loopback host
// (127.0.0.1, [::1], localhost), so that local receivers and tests work while
// real receivers get TLS. InvalidArgument saying what is wrong otherwise.
// Pure; thread-safe.
Status ValidateWebhookUrl(std::string_view url);

}  // namespace portico::webhooks
