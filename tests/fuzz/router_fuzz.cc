// Fuzzes http::Router: the input builds a route table (valid patterns only:
// Add aborts on a bad one by design) and then a series of lookups. Each
// lookup is checked against a brute-force model of the contract in
// http/router.h: among the patterns whose segments fit the path, the one
// with a literal at the first position where they differ wins; then the
// method is looked up on it, GET serving HEAD unless HEAD was added.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/method.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "tests/fuzz/check.h"

namespace {

using keel::http::Method;
using keel::http::PathParams;
using keel::http::Router;

using keel::fuzz::Check;

// Literal segments are drawn from a small vocabulary (plus fuzzer bytes),
// so patterns share prefixes and lookups hit them.
constexpr std::string_view kWords[] = {"", "a", "b", "api", "users", "me", "%2F", "x.y"};

// A pattern with its parameter names erased: nullopt is a parameter.
using Shape = std::vector<std::optional<std::string>>;

struct Route {
  int id;
  std::vector<std::string> names;  // parameter names, in path order
};

// The model of one router node: which route serves each method.
struct Node {
  std::array<const Route*, keel::http::kMethodCount> routes{};
  bool head_explicit = false;
};

size_t Index(Method m) { return static_cast<size_t>(m); }

std::vector<std::string_view> Segments(std::string_view rest) {
  std::vector<std::string_view> out;
  while (true) {
    size_t slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    rest.remove_prefix(slash + 1);
  }
}

bool Fits(const Shape& shape, const std::vector<std::string_view>& segs) {
  if (shape.size() != segs.size()) return false;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (shape[i] ? *shape[i] != segs[i] : segs[i].empty()) return false;
  }
  return true;
}

// True when `a` is more specific than `b`: a literal where b has a
// parameter, at the first position where they differ in kind.
bool MoreSpecific(const Shape& a, const Shape& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].has_value() != b[i].has_value()) return a[i].has_value();
  }
  return false;
}

std::string AllowOf(const Node& n) {
  static constexpr Method kListed[] = {Method::kGet, Method::kHead,  Method::kPost,
                                       Method::kPut, Method::kPatch, Method::kDelete};
  std::string allow;
  for (Method m : kListed) {
    if (n.routes[Index(m)] == nullptr) continue;
    if (!allow.empty()) allow += ", ";
    allow += keel::http::MethodName(m);
  }
  return allow;
}

int g_called = -1;  // the id of the last handler run

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Router router;
  std::map<Shape, Node> model;
  std::vector<std::unique_ptr<Route>> routes;

  const int route_count = in.ConsumeIntegralInRange(0, 12);
  for (int r = 0; r < route_count; ++r) {
    const auto m = static_cast<Method>(in.ConsumeIntegralInRange(0, 5));  // GET .. DELETE
    const int segments = in.ConsumeIntegralInRange(1, 5);
    Shape shape;
    auto route = std::make_unique<Route>();
    route->id = r;
    std::string pattern;
    for (int s = 0; s < segments; ++s) {
      pattern += '/';
      if (in.ConsumeBool()) {
        // Names vary between routes of one shape: Find must report the
        // names of the route it picked for the method.
        std::string name = (in.ConsumeBool() ? "id" : "p") + std::to_string(s);
        route->names.push_back(name);
        pattern += '{' + name + '}';
        shape.push_back(std::nullopt);
      } else {
        std::string word(kWords[in.ConsumeIntegralInRange<size_t>(0, std::size(kWords) - 1)]);
        pattern += word;
        shape.push_back(word);
      }
    }
    Node& node = model[shape];
    const bool head_is_alias = !node.head_explicit && node.routes[Index(Method::kHead)] != nullptr;
    const bool taken = node.routes[Index(m)] != nullptr && !(m == Method::kHead && head_is_alias);
    if (taken) continue;  // Add would abort, by design
    const int id = route->id;
    router.Add(m, pattern, [id](keel::http::Request&, keel::http::Response&) { g_called = id; });
    node.routes[Index(m)] = route.get();
    if (m == Method::kHead) node.head_explicit = true;
    if (m == Method::kGet && !node.head_explicit) node.routes[Index(Method::kHead)] = route.get();
    routes.push_back(std::move(route));
  }

  keel::http::Request req;
  keel::http::Response res;
  PathParams params;
  while (in.remaining_bytes() > 0) {
    const auto m = static_cast<Method>(in.ConsumeIntegralInRange(0, keel::http::kMethodCount - 1));
    std::string path;
    if (in.ConsumeBool()) {
      path = in.ConsumeRandomLengthString(64);
    } else {
      const int segments = in.ConsumeIntegralInRange(0, 6);
      for (int s = 0; s < segments; ++s) {
        path += '/';
        if (in.ConsumeBool()) {
          path += kWords[in.ConsumeIntegralInRange<size_t>(0, std::size(kWords) - 1)];
        } else {
          path += in.ConsumeRandomLengthString(8);
        }
      }
    }

    // The model's answer.
    const Shape* best = nullptr;
    if (!path.empty() && path.front() == '/') {
      std::vector<std::string_view> segs = Segments(std::string_view(path).substr(1));
      for (const auto& [shape, node] : model) {
        if (AllowOf(node).empty() || !Fits(shape, segs)) continue;
        if (best == nullptr || MoreSpecific(shape, *best)) best = &shape;
      }
    }
    const Node* node = best ? &model.at(*best) : nullptr;
    const Route* expected = node ? node->routes[Index(m)] : nullptr;

    Router::Match match = router.Find(m, path, params);
    Check(router.AllowFor(path) == match.allow, "AllowFor disagrees with Find", path);
    if (node == nullptr) {
      Check(match.kind == Router::Match::Kind::kNotFound && match.allow.empty(),
            "found a route the model does not have", path);
      Check(params.size() == 0, "params left on kNotFound", path);
      continue;
    }
    Check(match.allow == AllowOf(*node), "wrong Allow", path);
    if (expected == nullptr) {
      Check(match.kind == Router::Match::Kind::kMethodNotAllowed, "expected 405", path);
      Check(params.size() == 0, "params left on kMethodNotAllowed", path);
      continue;
    }
    Check(match.kind == Router::Match::Kind::kFound && match.handler != nullptr, "expected a match",
          path);
    g_called = -1;
    (*match.handler)(req, res);
    Check(g_called == expected->id, "the wrong handler", path);
    Check(params.size() == expected->names.size(), "wrong parameter count", path);
    std::vector<std::string_view> segs = Segments(std::string_view(path).substr(1));
    size_t p = 0;
    for (size_t i = 0; i < best->size(); ++i) {
      if ((*best)[i]) continue;
      Check(params[p].name == expected->names[p], "wrong parameter name", path);
      Check(params[p].value == segs[i], "wrong parameter value", path);
      Check(params[p].value.data() >= path.data() &&
                params[p].value.data() + params[p].value.size() <= path.data() + path.size(),
            "parameter value outside the path", path);
      ++p;
    }
  }
  return 0;
}
