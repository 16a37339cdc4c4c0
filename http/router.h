// Maps (method, path) to a handler.
//
// Patterns are absolute paths split on '/'. A segment "{name}" captures one
// non-empty segment; any other segment must match byte for byte. Matching is
// on the raw path: no percent-decoding, so "%2F" is data, not a separator.
// A trailing slash is a segment of its own ("/healthz/" is not "/healthz"),
// and an empty segment ("//") never matches a parameter.
//
// When several patterns fit a path, the most specific one owns it: at each
// level a literal segment beats a parameter ("/api/users/me" beats
// "/api/users/{id}"); the router falls back to the parameter only when the
// literal branch has no route for the rest of the path. The method is checked
// after the path is resolved, so a method the owning pattern lacks is 405
// even if a less specific pattern has it.
//
// GET also serves HEAD unless HEAD is added explicitly (before or after).
// OPTIONS is answered by the server from Allow, never by a handler.
//
// Lifetime and threads: build the router at startup, on one thread, with
// Add; then share it read-only. Find and AllowFor are const, allocate
// nothing, and may run concurrently on every worker thread. Handlers, Allow
// strings and parameter names are owned by the router and stay valid (and
// at the same address) until it is destroyed, also across a move.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/method.h"
#include "http/request.h"

namespace keel::http {

class Response;

class Router {
 public:
  using Handler = std::function<void(Request&, Response&)>;

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    const Handler* handler = nullptr;  // set only for kFound
    Kind kind = Kind::kNotFound;
    // The path's methods for an Allow header, e.g. "GET, HEAD, PUT, DELETE":
    // fixed order GET, HEAD, POST, PUT, PATCH, DELETE; HEAD whenever GET is
    // there; OPTIONS never listed. Set for kFound and kMethodNotAllowed,
    // empty for kNotFound. Points into the router.
    std::string_view allow;
    // The owning pattern as first added ("/api/users/{id}") and its id
    // (1..route_count()-1), for kFound and kMethodNotAllowed; for
    // kNotFound "unmatched" and 0. Points into the router.
    std::string_view route = "unmatched";
    uint32_t route_id = 0;
  };

  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers h for (m, pattern). Startup only; not thread-safe.
  //
  // A bad registration is a programming error, so it prints the pattern and
  // the reason to stderr and aborts rather than returning a Status nobody
  // could handle at runtime: a duplicate (same method, same pattern, where
  // patterns differing only in parameter names count as the same), m being
  // kOptions or kOther, a pattern not starting with '/', a '{' or '}' that
  // is not a whole "{name}" segment, an empty or repeated parameter name, or
  // more than PathParams::kMax parameters.
  void Add(Method m, std::string_view pattern, Handler h);

  // Resolves path (the request path without the query) for method m.
  // Clears params, and on kFound fills it with views into path, named as in
  // the matched pattern. Never allocates.
  Match Find(Method m, std::string_view path, PathParams& params) const;

  // The Allow string for path (see Match::allow), for answering OPTIONS;
  // empty if no pattern owns the path.
  std::string_view AllowFor(std::string_view path) const;

  // One registration as given to Add: the method and the pattern, with its
  // parameter names ("/api/users/{id}"). The HEAD that GET serves implicitly
  // is not listed; a HEAD added explicitly is.
  struct RouteInfo {
    Method method;
    std::string_view pattern;  // points into the router
  };
  // Every route added, in Add order: for checking the table against its
  // documentation (api/openapi.json), not for serving. Allocates the vector.
  std::vector<RouteInfo> Routes() const;
  // Route ids are dense: 0 is "unmatched", then one per distinct pattern in
  // the order first added. For metrics, which keep one slot per id.
  uint32_t route_count() const { return static_cast<uint32_t>(patterns_.size()); }
  std::string_view route_name(uint32_t id) const { return *patterns_[id]; }

 private:
  struct Node;
  struct Route;
  using Captures = std::array<std::string_view, PathParams::kMax>;

  const Node* Resolve(std::string_view path, Captures& captures) const;
  const Node* Descend(uint32_t node, std::string_view rest, bool done, Captures& captures,
                      size_t depth) const;
  uint32_t LiteralChild(uint32_t node, std::string_view segment);
  uint32_t ParamChild(uint32_t node);

  std::vector<Node> nodes_;                     // nodes_[0] is the root
  std::vector<std::unique_ptr<Route>> routes_;  // stable addresses
  std::vector<std::unique_ptr<std::string>> patterns_;  // by route id
};

}  // namespace keel::http
