// create-admin, list, set-role, revoke-sessions: one user at a time, each
// write in one transaction of its own (Store::WriteNow).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/admin/commands.h"
#include "api/user_ops.h"
#include "api/validation.h"

namespace keel::api::admin {
namespace {

using core::Status;

Status Prefixed(std::string_view what, const Status& s) {
  return Status::InvalidArgument(std::string(what) + ": " + s.message());
}

// The password from --password, else from KEEL_ADMIN_PASSWORD. No prompt:
// keel-admin is meant for scripts and containers as much as for terminals.
core::Result<std::string> AdminPassword(const ParsedArgs& args) {
  if (const std::string* p = args.Value("password")) return *p;
  const char* env = std::getenv("KEEL_ADMIN_PASSWORD");
  if (env != nullptr && *env != '\0') return std::string(env);
  return Status::InvalidArgument("give the password with --password or KEEL_ADMIN_PASSWORD");
}

Status NoSuchUser(uint64_t id) { return Status::NotFound("no such user: " + std::to_string(id)); }

}  // namespace

Status RunCreateAdmin(const Invocation& inv) {
  const ParsedArgs& args = inv.args;
  const std::string* email = args.Value("email");
  if (email == nullptr) return Status::InvalidArgument("--email is required");
  const std::string* given_name = args.Value("name");
  NewUser admin{*email, given_name ? *given_name : "Administrator",
                std::string(storage::kRoleAdmin), ""};
  core::Result<std::string> password = AdminPassword(args);
  if (!password.ok()) return password.status();
  if (Status s = ValidateEmail(admin.email); !s.ok()) return Prefixed("--email", s);
  if (Status s = ValidateName(admin.name); !s.ok()) return Prefixed("--name", s);
  if (Status s = ValidatePassword(password.value()); !s.ok()) return s;
  core::Result<auth::PasswordCost> cost = ParseHashCost(args);
  if (!cost.ok()) return cost.status();

  core::Result<std::unique_ptr<storage::Store>> store = OpenStore(inv.global, /*create=*/true);
  if (!store.ok()) return store.status();
  auth::PasswordHasher hasher(cost.value());
  core::Result<std::string> hash = hasher.Hash(password.value());
  if (!hash.ok()) return hash.status();
  admin.password_hash = std::move(hash).value();

  storage::UserRecord created;
  std::string json;
  Status s = store.value()->WriteNow(
      [&](storage::WriteTxn& txn) { return CreateUser(txn, admin, Now(), &created, &json); });
  if (s.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("the email '" + admin.email + "' is already taken");
  }
  if (!s.ok()) return s;
  if (args.Has("json")) {
    // The user as keel's API shows it, so a script reads the id from the
    // same JSON it would get from GET /api/users/{id}.
    std::printf("%s\n", json.c_str());
  } else {
    std::printf("created user %" PRIu64 " (%s) with the admin role\n", created.id,
                created.email.c_str());
  }
  return Status::Ok();
}

// The Reader's one id-ordered cursor is ListUsersJson, which returns
// ready-to-send JSON. Rather than parse that back, the walk asks it for one
// user at a time, only for the next id, and reads that user's typed record
// with GetUser. Two lookups a user is nothing for a tool, and no Reader
// method had to be added for it.
Status RunList(const Invocation& inv) {
  uint64_t after = 0;
  uint64_t limit = 100;
  if (const std::string* v = inv.args.Value("after")) {
    core::Result<uint64_t> n = ParseNumber("--after", *v, 0, UINT64_MAX);
    if (!n.ok()) return n.status();
    after = n.value();
  }
  if (const std::string* v = inv.args.Value("limit")) {
    core::Result<uint64_t> n = ParseNumber("--limit", *v, 1, 1000000);
    if (!n.ok()) return n.status();
    limit = n.value();
  }
  core::Result<std::unique_ptr<storage::Store>> store = OpenStore(inv.global, /*create=*/false);
  if (!store.ok()) return store.status();
  std::unique_ptr<storage::Reader> reader = store.value()->NewReader();

  std::string page;
  storage::UserRecord user;
  uint64_t printed = 0;
  bool more = true;
  while (printed < limit && more) {
    page.clear();
    uint64_t id = 0;
    Status s = reader->ListUsersJson(after, 1, &page, &id, &more);
    if (!s.ok()) return s;
    if (id == 0) break;
    after = id;
    s = reader->GetUser(id, &user);
    if (s.code() == Status::Code::kNotFound) continue;  // deleted between the two reads
    if (!s.ok()) return s;
    std::printf("%" PRIu64 "\t%s\t%s\t%s\n", user.id, user.email.c_str(), user.name.c_str(),
                user.role.c_str());
    ++printed;
  }
  return Status::Ok();
}

Status RunSetRole(const Invocation& inv) {
  core::Result<uint64_t> id = ParseUserId(inv.args.positionals()[0]);
  if (!id.ok()) return id.status();
  const std::string& role = inv.args.positionals()[1];
  if (Status s = ValidateRole(role); !s.ok()) return s;
  core::Result<std::unique_ptr<storage::Store>> store = OpenStore(inv.global, /*create=*/false);
  if (!store.ok()) return store.status();

  storage::UserRecord user;
  bool found = false;
  std::string old_role;
  std::string json;
  Status s = store.value()->WriteNow([&](storage::WriteTxn& txn) {
    Status got = txn.GetUser(id.value(), &user);
    if (!got.ok()) return got;
    found = true;
    old_role = user.role;
    if (user.role == role) return Status::Ok();  // nothing to change: no new revision
    user.role = role;
    return SaveUser(txn, user, Now(), &json);
  });
  if (!found && s.code() == Status::Code::kNotFound) return NoSuchUser(id.value());
  if (!s.ok()) return s;
  if (old_role == role) {
    std::printf("user %" PRIu64 " (%s) already has the role %s\n", user.id, user.email.c_str(),
                role.c_str());
  } else {
    std::printf("user %" PRIu64 " (%s): role %s -> %s\n", user.id, user.email.c_str(),
                old_role.c_str(), role.c_str());
  }
  return Status::Ok();
}

// Deleting the sessions ends the refresh tokens; bumping the token version
// ends the access tokens, which keel checks against the store on every
// request. Both in one transaction, so no window has only one of them.
Status RunRevokeSessions(const Invocation& inv) {
  core::Result<uint64_t> id = ParseUserId(inv.args.positionals()[0]);
  if (!id.ok()) return id.status();
  core::Result<std::unique_ptr<storage::Store>> store = OpenStore(inv.global, /*create=*/false);
  if (!store.ok()) return store.status();

  storage::UserRecord user;
  bool found = false;
  std::string json;
  Status s = store.value()->WriteNow([&](storage::WriteTxn& txn) {
    Status step = txn.GetUser(id.value(), &user);
    if (!step.ok()) return step;
    found = true;
    step = txn.DeleteUserSessions(user.id);
    if (!step.ok()) return step;
    ++user.token_version;
    return SaveUser(txn, user, Now(), &json);
  });
  if (!found && s.code() == Status::Code::kNotFound) return NoSuchUser(id.value());
  if (!s.ok()) return s;
  std::printf("user %" PRIu64 " (%s): every session ended, earlier tokens no longer work\n",
              user.id, user.email.c_str());
  return Status::Ok();
}

}  // namespace keel::api::admin
