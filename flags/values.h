// Reading and writing option values, for every command line Keel has (keel's
// option table in api/options.cc, keel-admin's subcommands in api/admin/):
// one parser per kind of value, so both binaries accept exactly the same
// spellings. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::flags {

// A whole decimal number: digits only, so signs, spaces, trailing
// characters and overflow all fail.
bool ParseDecimal(std::string_view text, uint64_t* out);

// Bytes, or a number with a binary suffix K, M, G or T (either case):
// "512K", "64G". Fails on overflow.
bool ParseByteSize(std::string_view text, uint64_t* out);

// 1/0, true/false, yes/no (any case).
bool ParseBool(std::string_view text, bool* out);

// The shortest exact spelling ParseByteSize reads back: 1048576 -> "1M",
// 1500 -> "1500".
std::string FormatSize(uint64_t bytes);

// For people, not for parsing back: "64 GiB", "1.5 MiB", "512 bytes".
std::string HumanBytes(uint64_t bytes);

}  // namespace keel::flags
