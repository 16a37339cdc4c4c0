// keel-admin's command-line reading: a deliberately small parser, separate
// from keel's option table (api/options.h), because each subcommand takes a
// handful of options and positional arguments rather than one flat list.
//
// Accepted forms: "--name value", "--name=value", "--flag", and "--" to end
// the options. "-h" is "--help". Everything is plain data and pure functions:
// any thread, no global state. Every error is Status::InvalidArgument, which
// keel-admin reports as a usage error (exit 2).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "flags/values.h"

namespace keel::api::admin {

// The options and positional arguments one command was given.
class ParsedArgs {
 public:
  // The value of "--name" (its last occurrence), or nullptr if absent.
  // The pointer lives as long as this object.
  const std::string* Value(std::string_view name) const;
  // Whether the flag "--name" was given.
  bool Has(std::string_view flag) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend core::Result<ParsedArgs> ParseArgs(const std::vector<std::string>&,
                                            const std::vector<std::string_view>&,
                                            const std::vector<std::string_view>&);
  std::map<std::string, std::string, std::less<>> values_;
  std::set<std::string, std::less<>> flags_;
  std::vector<std::string> positionals_;
};

// Reads `args` (no program or command name in it). `value_options` take a
// value, `flags` do not; anything else starting with "-" is an error naming
// it. "--help" and "-h" are always accepted as the flag "help".
core::Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                   const std::vector<std::string_view>& value_options,
                                   const std::vector<std::string_view>& flags);

// A whole decimal number in [lo, hi]; the error names `what` ("--limit")
// and quotes the text.
core::Result<uint64_t> ParseNumber(std::string_view what, std::string_view text, uint64_t lo,
                                   uint64_t hi);

// Bytes, or a number with a binary suffix K, M, G or T ("64G"), at least 1.
core::Result<uint64_t> ParseByteSize(std::string_view what, std::string_view text);

using flags::HumanBytes;  // "64 GiB": for people, not for parsing back

}  // namespace keel::api::admin
