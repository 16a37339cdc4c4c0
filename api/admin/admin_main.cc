// keel-admin: administers keel's data dir (see commands.h and --help).
//
// main() reads the options before the command name, finds the command and
// hands it the rest. Exit status: 0 done, 1 the command failed, 2 the
// command line was wrong.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "api/admin/commands.h"
#include "core/log.h"

namespace keel::api::admin {
namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 2;

int UsageError(const std::string& message, std::string_view help_for = {}) {
  std::fprintf(stderr, "keel-admin: %s\n", message.c_str());
  std::string more =
      help_for.empty() ? "keel-admin --help" : "keel-admin " + std::string(help_for) + " --help";
  std::fprintf(stderr, "Try '%s'.\n", more.c_str());
  return kUsage;
}

// Reads "--name value" or "--name=value" at argv[*i] into *out; advances *i
// past a separate value. False if argv[*i] is not this option; true with
// *error set if it is but its value is missing.
bool TakeOption(int argc, char** argv, int* i, std::string_view name, std::string* out,
                core::Status* error) {
  std::string_view arg = argv[*i];
  if (!arg.starts_with("--") || !arg.substr(2).starts_with(name)) return false;
  std::string_view rest = arg.substr(2 + name.size());
  if (rest.starts_with("=")) {
    *out = rest.substr(1);
    return true;
  }
  if (!rest.empty()) return false;  // "--data-directory": not ours
  if (*i + 1 >= argc) {
    *error = core::Status::InvalidArgument("--" + std::string(name) + " needs a value");
    return true;
  }
  *out = argv[++*i];
  return true;
}

// The environment first, then the command line, which wins.
core::Status ReadEnvironment(GlobalOptions* global) {
  const char* dir = std::getenv("KEEL_DATA_DIR");
  if (dir != nullptr && *dir != '\0') global->data_dir = dir;
  const char* size = std::getenv("KEEL_MAP_SIZE");
  if (size != nullptr && *size != '\0') {
    core::Result<uint64_t> bytes = ParseByteSize("KEEL_MAP_SIZE", size);
    if (!bytes.ok()) return bytes.status();
    global->map_size = bytes.value();
  }
  return core::Status::Ok();
}

// Whether the command's arguments ask for its help: "-h" or "--help" before
// any "--".
bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

int Main(int argc, char** argv) {
  // Opening the store logs at info level; a tool's output is its result.
  core::SetLogLevel(core::LogLevel::kWarn);
  GlobalOptions global;
  if (core::Status s = ReadEnvironment(&global); !s.ok()) return UsageError(s.message());

  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(GlobalHelp().c_str(), stdout);
      return 0;
    }
    if (arg == "-V" || arg == "--version") {
      std::printf("keel-admin %s\n", KEEL_VERSION);
      return 0;
    }
    core::Status error;
    std::string size;
    if (TakeOption(argc, argv, &i, "data-dir", &global.data_dir, &error)) {
      if (!error.ok()) return UsageError(error.message());
      continue;
    }
    if (TakeOption(argc, argv, &i, "map-size", &size, &error)) {
      if (!error.ok()) return UsageError(error.message());
      core::Result<uint64_t> bytes = ParseByteSize("--map-size", size);
      if (!bytes.ok()) return UsageError(bytes.status().message());
      global.map_size = bytes.value();
      continue;
    }
    if (arg.starts_with("-")) return UsageError("unknown option '" + std::string(arg) + "'");
    break;
  }
  if (i == argc) return UsageError("no command given");
  const Command* command = FindCommand(argv[i]);
  if (command == nullptr) return UsageError("unknown command '" + std::string(argv[i]) + "'");
  std::vector<std::string> args(argv + i + 1, argv + argc);
  if (WantsHelp(args)) {
    std::fputs(std::string(command->help).c_str(), stdout);
    return 0;
  }

  core::Status s = RunCommand(*command, global, args);
  // Output that could not be written (a full disk, a closed pipe) is a
  // failure, even if the command itself succeeded.
  if (std::fflush(stdout) != 0 && s.ok()) s = core::Status::IoError("cannot write the output");
  if (s.ok()) return 0;
  if (s.code() == core::Status::Code::kInvalidArgument) {
    return UsageError(std::string(command->name) + ": " + s.message(), command->name);
  }
  std::string message = s.message();
  // The store words a full map for the server ("restart with a larger
  // --map-size"); keel-admin is no server, it is simply run again.
  if (s.code() == core::Status::Code::kResourceExhausted) {
    message = "the database is full: run again with a larger --map-size";
  }
  std::fprintf(stderr, "keel-admin %s: %s\n", std::string(command->name).c_str(), message.c_str());
  return kFailed;
}

}  // namespace
}  // namespace keel::api::admin

int main(int argc, char** argv) { return keel::api::admin::Main(argc, argv); }
