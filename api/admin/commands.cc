#include "api/admin/commands.h"

#include <ctime>
#include <filesystem>
#include <system_error>

namespace keel::api::admin {
namespace {

using core::Status;

constexpr std::string_view kCreateAdminHelp =
    R"(Usage: keel-admin create-admin --email EMAIL [--name NAME] [--password PASSWORD]
                               [--argon2-ops N] [--argon2-mem-kib N] [--json]

Creates a user with the admin role and prints its id in a sentence
("created user 1 (admin@example.com) with the admin role"). The password comes
from --password or, better (it stays out of the process list and shell
history), from the environment variable KEEL_ADMIN_PASSWORD; one of the two
is required. Creates the data dir and the database if they do not exist yet.

  --email EMAIL        the admin's email; must not be taken (case-insensitive)
  --name NAME          display name (default "Administrator")
  --password PASSWORD  8-1024 bytes (else KEEL_ADMIN_PASSWORD)
  --argon2-ops N       argon2id passes, 1-100 (default 2, as keel)
  --argon2-mem-kib N   argon2id memory in KiB, 8-4194304 (default 65536, as keel)
  --json               print the new user as one JSON object instead, as keel's
                       API shows it ({"id":1,"email":...}), for scripts

Exits 1 if the email is already taken.
)";

constexpr std::string_view kListHelp =
    R"(Usage: keel-admin list [--after ID] [--limit N]

Prints users in id order, one per line, tab separated: id, email, name, role.

  --after ID  start after this id (default 0: from the first user)
  --limit N   at most N users, 1-1000000 (default 100)
)";

constexpr std::string_view kSetRoleHelp =
    R"(Usage: keel-admin set-role ID ROLE

Sets the role of user ID to "user" or "admin". keel reads the role from the
store on every request, so the change applies at once, to tokens already
issued too.
)";

constexpr std::string_view kRevokeSessionsHelp =
    R"(Usage: keel-admin revoke-sessions ID

Signs user ID out everywhere: deletes all of its refresh sessions and bumps
its token version, so its refresh tokens and its access tokens stop working
at once. The user can log in again.
)";

constexpr std::string_view kStatsHelp =
    R"(Usage: keel-admin stats [--json]

Prints the LMDB map size, page size, pages used (and bytes), reader slots
used of the maximum, and the entries in each database.

  --json  one JSON object instead of text, for scripts
)";

constexpr std::string_view kBackupHelp =
    R"(Usage: keel-admin backup DIR

Writes a consistent, compacted copy of the database to DIR/data.mdb (created
owner-only), safe while keel runs: it is one read snapshot, so every write
keel acknowledged before the backup started is in it. DIR is created if
needed and must not already hold a data.mdb.

The token signing keys are not in the database: <data dir>/keys (keel's
default --jwt-keys-dir) is copied to DIR/keys, and an older <data
dir>/jwt.key to DIR/jwt.key (all mode 0600), so tokens issued before the
backup stay valid after a restore. (With keel --jwt-secret-file, or a
--jwt-keys-dir outside the data dir, keep those yourself.)

To restore, copy DIR's files into an empty data dir and start keel on it:
  mkdir NEWDIR && cp -p DIR/* NEWDIR/ && keel --data-dir NEWDIR
Serve the copy rather than DIR itself, so the backup stays as it was taken.
)";

constexpr std::string_view kSeedHelp =
    R"(Usage: keel-admin seed --count N [--password PASSWORD] [--email-format FORMAT]
                       [--name-format FORMAT] [--batch N]
                       [--argon2-ops N] [--argon2-mem-kib N]

Bulk-creates N users with role "user" for load tests, numbered 1 to N. They
all share one password, hashed once, and are written --batch users per
transaction. Emails already taken are skipped (so a repeated seed fills in
what is missing). Prints how many were created and how long it took.

  --count N             users to create, 1-100000000
  --password PASSWORD   their password (default "benchmark-password")
  --email-format FORMAT "%d" becomes the number (default "user%d@example.com")
  --name-format FORMAT  "%d" becomes the number (default "User %d")
  --batch N             users per transaction, 1-100000 (default 1000)
  --argon2-ops N        argon2id passes, 1-100 (default 2, as keel)
  --argon2-mem-kib N    argon2id memory in KiB, 8-4194304 (default 65536)

In a FORMAT, "%%" is a literal "%"; no other "%" sequence is allowed.
)";

constexpr std::string_view kKeysHelp =
    R"(Usage: keel-admin keys new | list | retire KID
                       [--jwt-keys-dir DIR] [--access-token-ttl N]

Manages the Ed25519 keys keel signs access tokens with (keel's
--jwt-keys-dir). keel reads the directory at start and on SIGHUP: after a
change here, send SIGHUP to every keel that uses the directory.

  new          make a key (file KID.key, mode 0600) and print its id; from
               the next SIGHUP it signs every new token, and older keys
               still verify
  list         every key, newest first, tab separated: id, state (signing,
               verifying, retired until TIME, expired), public key (JWK x)
  retire KID   stop KID signing (from the next SIGHUP); it stays published
               and verifying until every token it signed has expired
               (--access-token-ttl plus 30 s of clock leeway), then keel
               drops it by itself; its files may be deleted after that

  --jwt-keys-dir DIR     the key directory (env KEEL_JWT_KEYS_DIR; default
                         <data dir>/keys, as keel)
  --access-token-ttl N   keel's token lifetime in seconds, for the times
                         shown (env KEEL_ACCESS_TOKEN_TTL; default 900)

retire refuses the last key that may sign: make a new one first.
)";

const std::vector<Command>& CommandTable() {
  static const std::vector<Command> kCommands = {
      {.name = "create-admin",
       .summary = "create a user with the admin role",
       .help = kCreateAdminHelp,
       .value_options = {"email", "name", "password", "argon2-ops", "argon2-mem-kib"},
       .flags = {"json"},
       .run = RunCreateAdmin},
      {.name = "list",
       .summary = "print users: id, email, name, role",
       .help = kListHelp,
       .value_options = {"after", "limit"},
       .run = RunList},
      {.name = "set-role",
       .summary = "make a user an admin, or a user again",
       .help = kSetRoleHelp,
       .positionals = 2,
       .run = RunSetRole},
      {.name = "revoke-sessions",
       .summary = "end every session and token of a user",
       .help = kRevokeSessionsHelp,
       .positionals = 1,
       .run = RunRevokeSessions},
      {.name = "stats",
       .summary = "map size, pages, readers and entries",
       .help = kStatsHelp,
       .flags = {"json"},
       .run = RunStats},
      {.name = "backup",
       .summary = "hot copy of the database and signing key into a directory",
       .help = kBackupHelp,
       .positionals = 1,
       .run = RunBackup},
      {.name = "seed",
       .summary = "bulk-create users for load tests",
       .help = kSeedHelp,
       .value_options = {"count", "password", "email-format", "name-format", "batch", "argon2-ops",
                         "argon2-mem-kib"},
       .run = RunSeed},
      {.name = "keys",
       .summary = "make, list and retire the token signing keys",
       .help = kKeysHelp,
       .value_options = {"jwt-keys-dir", "access-token-ttl"},
       .positionals = 1,
       .more_positionals = 1,
       .run = RunKeys},
  };
  return kCommands;
}

}  // namespace

const Command* FindCommand(std::string_view name) {
  for (const Command& c : CommandTable()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string GlobalHelp() {
  std::string text =
      R"(Usage: keel-admin [--data-dir DIR] [--map-size SIZE] COMMAND [ARGS]

Administers keel's data dir: the same LMDB database the keel server uses.
Safe while keel runs (LMDB shares its write lock between processes).

Options (also accepted after COMMAND):
  --data-dir DIR   keel's data dir (env KEEL_DATA_DIR; default ./data)
  --map-size SIZE  LMDB map size in bytes, or with K, M, G or T; give the
                   value keel runs with (env KEEL_MAP_SIZE; default 64G)
  -h, --help       this help; "keel-admin COMMAND --help" for one command
  -V, --version    print the version

Commands:
)";
  for (const Command& c : CommandTable()) {
    std::string line = "  ";
    line += c.name;
    line.resize(20, ' ');
    line += c.summary;
    text += line + "\n";
  }
  text += "\nExit status: 0 done, 1 failed, 2 bad command line.\n";
  return text;
}

Status RunCommand(const Command& command, const GlobalOptions& global,
                  const std::vector<std::string>& args) {
  std::vector<std::string_view> values = command.value_options;
  values.push_back("data-dir");
  values.push_back("map-size");
  core::Result<ParsedArgs> parsed = ParseArgs(args, values, command.flags);
  if (!parsed.ok()) return parsed.status();
  Invocation inv{global, std::move(parsed).value()};
  if (const std::string* dir = inv.args.Value("data-dir")) inv.global.data_dir = *dir;
  if (const std::string* size = inv.args.Value("map-size")) {
    core::Result<uint64_t> bytes = ParseByteSize("--map-size", *size);
    if (!bytes.ok()) return bytes.status();
    inv.global.map_size = bytes.value();
  }
  if (inv.global.data_dir.empty()) return Status::InvalidArgument("--data-dir is empty");
  size_t given = inv.args.positionals().size();
  if (given < command.positionals || given > command.positionals + command.more_positionals) {
    // The help's first line is the usage: "Usage: keel-admin set-role ID ROLE".
    std::string_view usage = command.help.substr(0, command.help.find('\n'));
    if (usage.starts_with("Usage: ")) usage.remove_prefix(7);
    std::string why = given < command.positionals
                          ? "missing arguments"
                          : "unexpected argument '" + inv.args.positionals().back() + "'";
    return Status::InvalidArgument(why + " (usage: " + std::string(usage) + ")");
  }
  return command.run(inv);
}

core::Result<std::unique_ptr<storage::Store>> OpenStore(const GlobalOptions& global, bool create) {
  if (!create) {
    std::error_code ec;
    if (!std::filesystem::exists(global.data_dir + "/data.mdb", ec)) {
      return Status::FailedPrecondition("no database in '" + global.data_dir +
                                        "' (wrong --data-dir?)");
    }
  }
  storage::StoreOptions options;
  options.dir = global.data_dir;
  options.map_size = global.map_size;
  return storage::Store::Open(options);
}

core::Result<auth::PasswordCost> ParseHashCost(const ParsedArgs& args) {
  auth::PasswordCost cost;
  if (const std::string* ops = args.Value("argon2-ops")) {
    core::Result<uint64_t> n = ParseNumber("--argon2-ops", *ops, auth::PasswordCost::kMinOps,
                                           auth::PasswordCost::kMaxOps);
    if (!n.ok()) return n.status();
    cost.ops_limit = n.value();
  }
  if (const std::string* kib = args.Value("argon2-mem-kib")) {
    core::Result<uint64_t> n = ParseNumber("--argon2-mem-kib", *kib,
                                           auth::PasswordCost::kMinMemKib,
                                           auth::PasswordCost::kMaxMemKib);
    if (!n.ok()) return n.status();
    cost.mem_limit = static_cast<size_t>(n.value()) * 1024;
  }
  return cost;
}

core::Result<uint64_t> ParseUserId(std::string_view text) {
  return ParseNumber("user id", text, 1, UINT64_MAX);
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace keel::api::admin
