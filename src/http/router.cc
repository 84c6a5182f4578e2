#include "src/http/router.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace portico::http {
namespace {

// "/a/:b/c" → {"a", ":b", "c"}; "/" → {}; "/a/" → {"a", ""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  if (path.empty()) return out;
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool PrefixCovers(std::string_view prefix, std::string_view path) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || prefix.back() == '/' || path[prefix.size()] == '/';
}

}  // namespace

struct Router::Node {
  // Few children per node: a linear scan beats hashing and needs no key copy.
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> param;
  std::vector<std::pair<std::string, size_t>> methods;  // method → index into routes_

  const size_t* RouteFor(std::string_view method) const {
    for (const auto& [m, index] : methods) {
      if (m == method) return &index;
    }
    return nullptr;
  }
};

Router::Router()
    : root_(std::make_unique<Node>()),
      generic_([](const Status& status, const Request&) { return GenericErrorResponse(status); }) {}

Router::~Router() = default;

void Router::Add(Route route) {
  assert(!route.pattern.empty() && route.pattern.front() == '/');
  assert(static_cast<bool>(route.handler) != static_cast<bool>(route.async_handler));
  Node* node = root_.get();
  for (std::string_view segment : SplitPath(route.pattern)) {
    if (!segment.empty() && segment.front() == ':') {
      assert(segment.size() > 1 && "a path parameter needs a name");
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
      continue;
    }
    auto it = std::find_if(node->literals.begin(), node->literals.end(),
                           [&](const auto& child) { return child.first == segment; });
    if (it == node->literals.end()) {
      node->literals.emplace_back(std::string(segment), std::make_unique<Node>());
      it = std::prev(node->literals.end());
    }
    node = it->second.get();
  }
  const bool duplicate = node->RouteFor(route.method) != nullptr;
  assert(!duplicate && "duplicate (method, pattern)");
  if (duplicate) return;  // NDEBUG: the first registration wins
  node->methods.emplace_back(route.method, routes_.size());
  routes_.push_back(std::move(route));
}

void Router::SetFallback(std::string prefix, ErrorRenderer errors) {
  for (auto& [p, renderer] : fallbacks_) {
    if (p == prefix) {
      renderer = std::move(errors);
      return;
    }
  }
  fallbacks_.emplace_back(std::move(prefix), std::move(errors));
}

const std::vector<Route>& Router::routes() const { return routes_; }

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path.front() != '/') return match;

  struct SearchState {
    std::string_view method;
    const size_t* hit = nullptr;
    std::vector<const Node*> terminals;  // nodes matching the path, without the method
  };
  SearchState state;
  state.method = method;
  // Depth-first, literal child before the parameter child, so literals win and
  // a dead end under a literal falls back to the parameter branch.
  struct Walker {
    SearchState& s;
    void Visit(const Node& node, std::string_view rest, bool end) {
      if (s.hit != nullptr) return;
      if (end) {
        if (node.methods.empty()) return;
        if (const size_t* index = node.RouteFor(s.method)) {
          s.hit = index;
        } else {
          s.terminals.push_back(&node);
        }
        return;
      }
      const size_t slash = rest.find('/');
      const std::string_view segment = rest.substr(0, slash);
      const bool next_end = slash == std::string_view::npos;
      const std::string_view next = next_end ? std::string_view() : rest.substr(slash + 1);
      for (const auto& [literal, child] : node.literals) {
        if (literal == segment) {
          Visit(*child, next, next_end);
          break;
        }
      }
      if (s.hit == nullptr && node.param && !segment.empty()) Visit(*node.param, next, next_end);
    }
  };
  Walker walker{state};
  std::string_view rest = path.substr(1);
  walker.Visit(*root_, rest, rest.empty());

  if (state.hit != nullptr) {
    match.route = &routes_[*state.hit];
    const std::string& pattern = match.route->pattern;
    if (pattern.find(':') != std::string::npos) {
      const std::vector<std::string_view> names = SplitPath(pattern);
      const std::vector<std::string_view> values = SplitPath(path);
      for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
        if (!names[i].empty() && names[i].front() == ':') {
          match.params.emplace(std::string(names[i].substr(1)), std::string(values[i]));
        }
      }
    }
    return match;
  }
  for (const Node* node : state.terminals) {
    for (const auto& method_route : node->methods) {
      match.allowed_methods.push_back(method_route.first);
    }
  }
  std::sort(match.allowed_methods.begin(), match.allowed_methods.end());
  match.allowed_methods.erase(
      std::unique(match.allowed_methods.begin(), match.allowed_methods.end()),
      match.allowed_methods.end());
  return match;
}

const ErrorRenderer& Router::FallbackRef(std::string_view path) const {
  const ErrorRenderer* best = &generic_;
  size_t best_length = 0;
  bool found = false;
  for (const auto& [prefix, renderer] : fallbacks_) {
    if (!renderer || prefix.empty() || !PrefixCovers(prefix, path)) continue;
    if (!found || prefix.size() > best_length) {
      best = &renderer;
      best_length = prefix.size();
      found = true;
    }
  }
  return *best;
}

ErrorRenderer Router::FallbackFor(std::string_view path) const { return FallbackRef(path); }

Response RenderError(const Route* route, const ErrorRenderer& fallback, const Status& status,
                     const Request& request) {
  if (route != nullptr && route->errors) return route->errors(status, request);
  if (route == nullptr && fallback) return fallback(status, request);
  return GenericErrorResponse(status);
}

}  // namespace portico::http
