#include "http/router.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

// Why a segment tree. Keel has a few dozen routes whose patterns are mostly
// literal with a parameter here and there. The alternatives:
//  - A flat list of patterns tried in order costs routes x segments
//    comparisons per request and makes precedence depend on Add order.
//  - A byte-level radix tree (httprouter style) wins with thousands of
//    routes, but a "{name}" beside literals sharing a prefix needs conflict
//    rules and node splitting that a few dozen routes do not pay back.
//  - A hash map of whole paths cannot capture parameters.
// In a segment tree each path segment is compared against the few children
// of one node, so a lookup is one pass over the path with a handful of short
// memcmp's. Nodes live in one vector and refer to each other by index, which
// keeps them close together in memory and lets the router move freely.
// Everything a response needs (the Allow string, HEAD aliasing GET) is
// computed at Add time, so Find only walks and reads.

namespace keel::http {
namespace {

constexpr uint32_t kNoNode = UINT32_MAX;

size_t Index(Method m) { return static_cast<size_t>(m); }

[[noreturn]] void Die(std::string_view pattern, const char* why) {
  std::fprintf(stderr, "keel: Router::Add(\"%.*s\"): %s\n", static_cast<int>(pattern.size()),
               pattern.data(), why);
  std::abort();
}

// Cuts the next segment off rest (the path after a '/'). done becomes true
// when the segment was the last one, so "a/" yields "a" and then "", which is
// how a trailing slash stays significant.
std::string_view NextSegment(std::string_view& rest, bool& done) {
  size_t slash = rest.find('/');
  std::string_view segment = rest.substr(0, slash);
  if (slash == std::string_view::npos) {
    done = true;
    rest = {};
  } else {
    rest.remove_prefix(slash + 1);
  }
  return segment;
}

// "{name}" -> "name"; "" for a literal segment. Dies on a malformed brace.
std::string_view ParamName(std::string_view pattern, std::string_view segment) {
  bool has_brace = segment.find_first_of("{}") != std::string_view::npos;
  if (!has_brace) return {};
  if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}')
    Die(pattern, "a parameter must be a whole \"{name}\" segment with a non-empty name");
  std::string_view name = segment.substr(1, segment.size() - 2);
  if (name.find_first_of("{}") != std::string_view::npos)
    Die(pattern, "braces inside a parameter name");
  return name;
}

}  // namespace

struct Router::Route {
  Handler handler;
  Method method = Method::kGet;
  std::string pattern;                   // as given to Add, for Routes()
  std::vector<std::string> param_names;  // in path order
};

struct Router::Node {
  struct Literal {
    std::string segment;
    uint32_t node;
  };
  // Usually zero to three entries, so a linear scan beats any lookup table.
  std::vector<Literal> literals;
  uint32_t param = kNoNode;
  // Indexed by Method; routes[kHead] may alias routes[kGet].
  std::array<const Route*, kMethodCount> routes{};
  bool head_explicit = false;
  std::string allow;  // empty exactly when no route ends here
  uint32_t route_id = 0;  // set with the first route ending here

  bool HasRoute() const { return !allow.empty(); }
  void RebuildAllow();
};

void Router::Node::RebuildAllow() {
  static constexpr Method kListed[] = {Method::kGet, Method::kHead,  Method::kPost,
                                       Method::kPut, Method::kPatch, Method::kDelete};
  allow.clear();
  for (Method m : kListed) {
    if (routes[Index(m)] == nullptr) continue;
    if (!allow.empty()) allow += ", ";
    allow += MethodName(m);
  }
}

Router::Router() : nodes_(1) { patterns_.push_back(std::make_unique<std::string>("unmatched")); }
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

uint32_t Router::LiteralChild(uint32_t node, std::string_view segment) {
  for (const Node::Literal& lit : nodes_[node].literals)
    if (lit.segment == segment) return lit.node;
  uint32_t child = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();  // may reallocate: no Node& held across this
  nodes_[node].literals.push_back({std::string(segment), child});
  return child;
}

uint32_t Router::ParamChild(uint32_t node) {
  if (nodes_[node].param != kNoNode) return nodes_[node].param;
  uint32_t child = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();
  nodes_[node].param = child;
  return child;
}

void Router::Add(Method m, std::string_view pattern, Handler h) {
  if (m == Method::kOptions) Die(pattern, "OPTIONS is answered by the server, not a handler");
  if (Index(m) >= Index(Method::kOther)) Die(pattern, "cannot route an unknown method");
  if (pattern.empty() || pattern.front() != '/') Die(pattern, "pattern must start with '/'");

  auto route = std::make_unique<Route>();
  route->handler = std::move(h);
  route->method = m;
  route->pattern = pattern;
  uint32_t node = 0;
  std::string_view rest = pattern.substr(1);
  bool done = false;
  while (!done) {
    std::string_view segment = NextSegment(rest, done);
    std::string_view name = ParamName(pattern, segment);
    if (name.empty()) {
      node = LiteralChild(node, segment);
      continue;
    }
    for (const std::string& seen : route->param_names)
      if (seen == name) Die(pattern, "parameter name used twice");
    if (route->param_names.size() == PathParams::kMax) Die(pattern, "too many parameters");
    route->param_names.emplace_back(name);
    node = ParamChild(node);
  }

  Node& target = nodes_[node];
  bool head_is_alias = !target.head_explicit && target.routes[Index(Method::kHead)] != nullptr;
  bool taken = target.routes[Index(m)] != nullptr && !(m == Method::kHead && head_is_alias);
  if (taken) Die(pattern, "route already added for this method");

  if (target.route_id == 0) {
    target.route_id = static_cast<uint32_t>(patterns_.size());
    patterns_.push_back(std::make_unique<std::string>(pattern));
  }
  const Route* added = route.get();
  routes_.push_back(std::move(route));
  target.routes[Index(m)] = added;
  if (m == Method::kHead) target.head_explicit = true;
  if (m == Method::kGet && !target.head_explicit) target.routes[Index(Method::kHead)] = added;
  target.RebuildAllow();
}

// Depth-first: the literal child first, then the parameter child, so the most
// specific pattern wins and a dead-end literal branch falls back to the
// parameter. Each node sits at a fixed depth and a path has one segment per
// depth, so a node is visited at most once: the walk is bounded by the tree
// size (and its recursion by the tree depth), whatever the path.
const Router::Node* Router::Descend(uint32_t node, std::string_view rest, bool done,
                                    Captures& captures, size_t depth) const {
  const Node& n = nodes_[node];
  if (done) return n.HasRoute() ? &n : nullptr;
  std::string_view segment = NextSegment(rest, done);
  for (const Node::Literal& lit : n.literals) {
    if (lit.segment != segment) continue;
    if (const Node* found = Descend(lit.node, rest, done, captures, depth)) return found;
    break;  // literals at one node are distinct
  }
  // Add caps parameters per pattern at kMax, so depth < kMax always holds
  // here; the check keeps the array access obviously in bounds.
  if (n.param == kNoNode || segment.empty() || depth >= captures.size()) return nullptr;
  captures[depth] = segment;  // a failed sibling branch's value is overwritten
  return Descend(n.param, rest, done, captures, depth + 1);
}

const Router::Node* Router::Resolve(std::string_view path, Captures& captures) const {
  // Anything but an origin-form path ("*", "http://...") owns no route.
  if (path.empty() || path.front() != '/') return nullptr;
  return Descend(0, path.substr(1), false, captures, 0);
}

Router::Match Router::Find(Method m, std::string_view path, PathParams& params) const {
  params.Clear();
  Captures captures;
  const Node* node = Resolve(path, captures);
  Match match;
  if (node == nullptr) return match;
  match.allow = node->allow;
  match.route_id = node->route_id;
  match.route = *patterns_[node->route_id];
  const Route* route = Index(m) < kMethodCount ? node->routes[Index(m)] : nullptr;
  if (route == nullptr) {
    match.kind = Match::Kind::kMethodNotAllowed;
    return match;
  }
  match.kind = Match::Kind::kFound;
  match.handler = &route->handler;
  // The captures along the winning branch are exactly this route's
  // parameters, in order, and never more than PathParams::kMax.
  for (size_t i = 0; i < route->param_names.size(); ++i)
    params.Push(route->param_names[i], captures[i]);
  return match;
}

std::string_view Router::AllowFor(std::string_view path) const {
  Captures captures;
  const Node* node = Resolve(path, captures);
  return node == nullptr ? std::string_view() : std::string_view(node->allow);
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const std::unique_ptr<Route>& r : routes_) out.push_back({r->method, r->pattern});
  return out;
}

}  // namespace keel::http
