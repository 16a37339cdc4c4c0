// seed: bulk users for load tests.
//
// The two costs of a sign-up are the argon2id hash (~100 ms at keel's
// default cost) and the commit's fsync. Seeding shares one password, so it
// hashes once and stores the same encoded hash for everyone (the salt is
// shared too, which is fine for throwaway test accounts and nothing else),
// and it commits --batch users per transaction. What is left is B-tree
// work: thousands of users a second.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "api/admin/commands.h"
#include "api/user_ops.h"
#include "api/validation.h"

namespace keel::api::admin {
namespace {

using core::Status;

// A FORMAT with its one "%d" taken out: prefix + number + suffix.
struct Pattern {
  std::string prefix;
  std::string suffix;

  std::string Expand(uint64_t n) const { return prefix + std::to_string(n) + suffix; }
};

// Only "%d" (exactly once) and "%%" are allowed: the format is user input,
// so it never reaches printf.
core::Result<Pattern> CompilePattern(std::string_view what, std::string_view format) {
  Pattern p;
  bool seen = false;
  for (size_t i = 0; i < format.size(); ++i) {
    std::string& out = seen ? p.suffix : p.prefix;
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    char next = i + 1 < format.size() ? format[i + 1] : '\0';
    ++i;
    if (next == '%') {
      out += '%';
    } else if (next == 'd' && !seen) {
      seen = true;
    } else {
      return Status::InvalidArgument(std::string(what) + ": '" + std::string(format) +
                                     "' may hold one \"%d\" and \"%%\", nothing else with %");
    }
  }
  if (!seen) {
    return Status::InvalidArgument(std::string(what) + ": '" + std::string(format) +
                                   "' has no \"%d\" for the number");
  }
  return p;
}

struct SeedPlan {
  uint64_t count = 0;
  uint64_t batch = 1000;
  std::string password = "benchmark-password";
  Pattern email;
  Pattern name;
  auth::PasswordCost cost;
};

// Checks the formats on the first and the last number: the numbers only
// grow, so if both are valid every one between is too.
Status CheckPatterns(const SeedPlan& plan) {
  for (uint64_t n : {uint64_t{1}, plan.count}) {
    std::string email = plan.email.Expand(n);
    if (Status s = ValidateEmail(email); !s.ok()) {
      return Status::InvalidArgument("--email-format gives '" + email + "': " + s.message());
    }
    std::string name = plan.name.Expand(n);
    if (Status s = ValidateName(name); !s.ok()) {
      return Status::InvalidArgument("--name-format gives '" + name + "': " + s.message());
    }
  }
  return Status::Ok();
}

core::Result<SeedPlan> ReadPlan(const ParsedArgs& args) {
  SeedPlan plan;
  const std::string* count = args.Value("count");
  if (count == nullptr) return Status::InvalidArgument("--count is required");
  core::Result<uint64_t> n = ParseNumber("--count", *count, 1, 100000000);
  if (!n.ok()) return n.status();
  plan.count = n.value();
  if (const std::string* batch = args.Value("batch")) {
    core::Result<uint64_t> b = ParseNumber("--batch", *batch, 1, 100000);
    if (!b.ok()) return b.status();
    plan.batch = b.value();
  }
  if (const std::string* p = args.Value("password")) plan.password = *p;
  if (Status s = ValidatePassword(plan.password, "--password"); !s.ok()) return s;
  const std::string* ef = args.Value("email-format");
  core::Result<Pattern> email = CompilePattern("--email-format", ef ? *ef : "user%d@example.com");
  if (!email.ok()) return email.status();
  plan.email = std::move(email).value();
  const std::string* nf = args.Value("name-format");
  core::Result<Pattern> name = CompilePattern("--name-format", nf ? *nf : "User %d");
  if (!name.ok()) return name.status();
  plan.name = std::move(name).value();
  if (Status s = CheckPatterns(plan); !s.ok()) return s;
  core::Result<auth::PasswordCost> cost = ParseHashCost(args);
  if (!cost.ok()) return cost.status();
  plan.cost = cost.value();
  return plan;
}

struct Tally {
  uint64_t created = 0;
  uint64_t skipped = 0;  // email already taken
};

// Users first..last in one transaction. A taken email is skipped: CreateUser
// refuses it before writing anything, so the transaction stays clean.
Status SeedBatch(storage::Store& store, const SeedPlan& plan, const std::string& hash,
                 uint64_t first, uint64_t last, Tally* tally) {
  Tally batch;
  Status s = store.WriteNow([&](storage::WriteTxn& txn) {
    batch = Tally{};
    NewUser user{"", "", std::string(storage::kRoleUser), hash};
    storage::UserRecord created;
    std::string json;
    int64_t now = Now();
    for (uint64_t n = first; n <= last; ++n) {
      user.email = plan.email.Expand(n);
      user.name = plan.name.Expand(n);
      Status one = CreateUser(txn, user, now, &created, &json);
      if (one.code() == Status::Code::kAlreadyExists) {
        ++batch.skipped;
        continue;
      }
      if (!one.ok()) return one;
      ++batch.created;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  tally->created += batch.created;
  tally->skipped += batch.skipped;
  return Status::Ok();
}

}  // namespace

Status RunSeed(const Invocation& inv) {
  core::Result<SeedPlan> plan = ReadPlan(inv.args);
  if (!plan.ok()) return plan.status();
  const SeedPlan& p = plan.value();
  core::Result<std::unique_ptr<storage::Store>> store = OpenStore(inv.global, /*create=*/true);
  if (!store.ok()) return store.status();

  auto start = std::chrono::steady_clock::now();
  auth::PasswordHasher hasher(p.cost);
  core::Result<std::string> hash = hasher.Hash(p.password);
  if (!hash.ok()) return hash.status();
  Tally tally;
  for (uint64_t first = 1; first <= p.count; first += p.batch) {
    uint64_t last = first + std::min(p.batch, p.count - first + 1) - 1;
    if (Status s = SeedBatch(*store.value(), p, hash.value(), first, last, &tally); !s.ok()) {
      std::fprintf(
          stderr, "keel-admin seed: stopped at user %" PRIu64 " after creating %" PRIu64 " users\n",
          first, tally.created);
      return s;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("created %" PRIu64 " users in %.2f s (%.0f users/s)", tally.created, seconds,
              seconds > 0 ? static_cast<double>(tally.created) / seconds : 0.0);
  if (tally.skipped > 0) std::printf("; skipped %" PRIu64 " whose email was taken", tally.skipped);
  std::printf("\n");
  return Status::Ok();
}

}  // namespace keel::api::admin
