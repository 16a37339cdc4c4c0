// keel-admin's commands: the table main() dispatches on, their help texts,
// and the helpers they share (opening the store, the password hasher).
//
// keel-admin opens the same LMDB environment a running keel uses. LMDB
// allows that: readers never block, and its write lock is shared between
// processes, so a command's write waits at most for keel's current batch
// (and keel's writer waits for ours). Everything here runs on the main
// thread of a short-lived process; output goes to stdout, and failures come
// back as a Status that main() prints on stderr. A Status of
// InvalidArgument means the command line was wrong (exit 2); any other
// failure exits 1.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/admin/args.h"
#include "api/options.h"
#include "auth/password_hasher.h"
#include "core/status.h"
#include "storage/store.h"

namespace keel::api::admin {

// The options before the command name (also accepted after it).
struct GlobalOptions {
  std::string data_dir = std::string(kDefaultDataDir);     // --data-dir, KEEL_DATA_DIR
  uint64_t map_size = storage::StoreOptions{}.map_size;  // --map-size, KEEL_MAP_SIZE
};

// One run of one command: where the store is and what the command was given.
struct Invocation {
  GlobalOptions global;
  ParsedArgs args;
};

struct Command {
  std::string_view name;
  std::string_view summary;  // one line, for the global help
  std::string_view help;     // the command's full usage text, ending in '\n'
  std::vector<std::string_view> value_options = {};  // besides data-dir and map-size
  std::vector<std::string_view> flags = {};
  size_t positionals = 0;       // at least this many positional arguments
  size_t more_positionals = 0;  // and at most this many more
  core::Status (*run)(const Invocation&) = nullptr;
};

// The command called `name`, or nullptr.
const Command* FindCommand(std::string_view name);
// The global usage text, ending in '\n'.
std::string GlobalHelp();

// Parses the command's arguments (with --data-dir and --map-size, which
// override `global`) and runs it.
core::Status RunCommand(const Command& command, const GlobalOptions& global,
                        const std::vector<std::string>& args);

// --- Shared by the commands ------------------------------------------------

// Opens the store in global.data_dir. Unless `create`, a directory without a
// database is an error (a mistyped --data-dir must not quietly make an empty
// store to list or back up).
core::Result<std::unique_ptr<storage::Store>> OpenStore(const GlobalOptions& global, bool create);

// The hashing cost from --argon2-ops and --argon2-mem-kib (keel's
// defaults when absent; the same ranges as keel accepts).
core::Result<auth::PasswordCost> ParseHashCost(const ParsedArgs& args);

// A user id given as a positional argument.
core::Result<uint64_t> ParseUserId(std::string_view text);

// Seconds since the epoch, as the store's timestamps use.
int64_t Now();

// --- The commands (user_commands.cc, store_commands.cc, seed_command.cc,
// key_commands.cc) ---

core::Status RunCreateAdmin(const Invocation& inv);
core::Status RunList(const Invocation& inv);
core::Status RunSetRole(const Invocation& inv);
core::Status RunRevokeSessions(const Invocation& inv);
core::Status RunStats(const Invocation& inv);
core::Status RunBackup(const Invocation& inv);
core::Status RunSeed(const Invocation& inv);
core::Status RunKeys(const Invocation& inv);  // key_commands.cc

}  // namespace keel::api::admin
