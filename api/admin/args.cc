#include "api/admin/args.h"

#include <algorithm>

#include "flags/values.h"

namespace keel::api::admin {
namespace {

using core::Status;

bool Contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Status Bad(std::string_view what, std::string_view text, std::string_view why) {
  std::string msg(what);
  msg += ": '";
  msg += text;
  msg += "' ";
  msg += why;
  return Status::InvalidArgument(msg);
}

}  // namespace

const std::string* ParsedArgs::Value(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

bool ParsedArgs::Has(std::string_view flag) const { return flags_.find(flag) != flags_.end(); }

core::Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                   const std::vector<std::string_view>& value_options,
                                   const std::vector<std::string_view>& flags) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      out.positionals_.insert(out.positionals_.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg == "-h") arg = "--help";
    // A lone "-" is a positional (conventionally stdin); nothing here uses
    // it, but it is not an option either.
    if (arg.size() < 2 || arg[0] != '-') {
      out.positionals_.emplace_back(arg);
      continue;
    }
    if (!arg.starts_with("--")) return Status::InvalidArgument("unknown option '" + args[i] + "'");
    std::string_view name = arg.substr(2);
    size_t eq = name.find('=');
    std::string_view inline_value;
    bool has_inline = eq != std::string_view::npos;
    if (has_inline) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "help" || Contains(flags, name)) {
      if (has_inline) return Status::InvalidArgument("--" + std::string(name) + " takes no value");
      out.flags_.emplace(name);
      continue;
    }
    if (!Contains(value_options, name)) {
      return Status::InvalidArgument("unknown option '--" + std::string(name) + "'");
    }
    if (!has_inline) {
      if (i + 1 == args.size()) {
        return Status::InvalidArgument("--" + std::string(name) + " needs a value");
      }
      inline_value = args[++i];
    }
    out.values_.insert_or_assign(std::string(name), std::string(inline_value));
  }
  return out;
}

core::Result<uint64_t> ParseNumber(std::string_view what, std::string_view text, uint64_t lo,
                                   uint64_t hi) {
  uint64_t n = 0;
  if (!flags::ParseDecimal(text, &n) || n < lo || n > hi) {
    return Bad(what, text, "is not a number in " + std::to_string(lo) + "-" + std::to_string(hi));
  }
  return n;
}

core::Result<uint64_t> ParseByteSize(std::string_view what, std::string_view text) {
  uint64_t n = 0;
  if (!flags::ParseByteSize(text, &n) || n == 0) {
    return Bad(what, text, "is not a size (bytes, or a number with K, M, G or T)");
  }
  return n;
}

}  // namespace keel::api::admin
