// HTTP request methods Keel routes on. Anything else parses but routes to
// 405 (known path) or 404.
#pragma once

#include <cstdint>
#include <string_view>

namespace keel::http {

enum class Method : uint8_t { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
inline constexpr int kMethodCount = 8;

std::string_view MethodName(Method m);

}  // namespace keel::http
