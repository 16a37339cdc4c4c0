// Fuzzes api::ParseOptions: the command line and the environment.
//
// Input: NUL-separated records (argv strings cannot hold a NUL, so every
// split is one a real command line could make). A record "KEEL_NAME=value"
// sets a variable; any other record is the next argv word. Parsing must not
// crash, must be deterministic, and must stay inside what options.h
// promises: on success every value is in range, on failure the message
// names where the bad value came from.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/options.h"
#include "tests/fuzz/check.h"

namespace {

using keel::api::Options;

using keel::fuzz::Check;

void CheckRanges(const Options& o) {
  Check(!o.host.empty() && !o.data_dir.empty(), "empty host or data dir");
  Check(o.threads >= 1 && o.threads <= 1024, "threads out of range");
  const keel::http::ParserLimits& l = o.limits;
  Check(l.max_header_bytes >= 1024 && l.max_header_bytes <= (1u << 20), "max_header_bytes");
  Check(l.max_url_bytes >= 1 && l.max_url_bytes <= (1u << 20), "max_url_bytes");
  Check(l.max_body_bytes >= 1 && l.max_body_bytes <= (1u << 30), "max_body_bytes");
  for (unsigned t : {o.header_timeout, o.body_timeout, o.idle_timeout, o.write_timeout})
    Check(t >= 1 && t <= 86400, "timeout out of range");
  Check(o.max_connections >= 1, "max_connections");
  Check(o.store.map_size >= 1, "map_size");
  // Sync mode and log level are enums now: a bad value cannot be stored.
  Check(o.password_cost.ops_limit >= keel::auth::PasswordCost::kMinOps &&
            o.password_cost.ops_limit <= keel::auth::PasswordCost::kMaxOps,
        "argon2 ops out of range");
  for (const std::string& origin : o.cors_origins) {
    Check(origin.find("://") != std::string::npos, "origin without a scheme", origin);
    Check(std::none_of(origin.begin(), origin.end(), [](char c) { return c >= 'A' && c <= 'Z'; }),
          "origin not lower-cased", origin);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words = {"keel"};
  std::map<std::string, std::string> env;
  while (!input.empty()) {
    size_t nul = input.find('\0');
    std::string_view record = input.substr(0, nul);
    input.remove_prefix(nul == std::string_view::npos ? input.size() : nul + 1);
    size_t eq = record.find('=');
    if (record.starts_with("KEEL_") && eq != std::string_view::npos) {
      env[std::string(record.substr(0, eq))] = std::string(record.substr(eq + 1));
    } else {
      words.emplace_back(record);
    }
  }
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  argv.push_back(nullptr);
  auto getenv = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };

  auto first = keel::api::ParseOptions(static_cast<int>(words.size()), argv.data(), getenv);
  auto second = keel::api::ParseOptions(static_cast<int>(words.size()), argv.data(), getenv);
  Check(first.ok() == second.ok(), "not deterministic");
  if (!first.ok()) {
    const std::string& msg = first.status().message();
    Check(msg == second.status().message(), "not deterministic", msg);
    Check(!msg.empty(), "error without a message");
    // "--name: ...", "KEEL_NAME: ...", or about an unknown word.
    Check(msg.starts_with("--") || msg.starts_with("KEEL_") || msg.starts_with("unknown option") ||
              msg.starts_with("unexpected argument"),
          "error does not say where the value came from", msg);
    return 0;
  }
  const Options& o = first.value();
  if (o.help || o.version) return 0;
  CheckRanges(o);
  return 0;
}
