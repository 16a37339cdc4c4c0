#include "api/bootstrap.h"

#include <ctime>
#include <string>

#include "api/user_ops.h"
#include "api/validation.h"
#include "core/log.h"

namespace keel::api {

core::Status BootstrapAdmin(storage::Store& store, const auth::PasswordHasher& hasher,
                            const std::function<const char*(const char*)>& getenv) {
  const char* email = getenv("KEEL_ADMIN_EMAIL");
  const char* password = getenv("KEEL_ADMIN_PASSWORD");
  bool has_email = email != nullptr && *email != '\0';
  bool has_password = password != nullptr && *password != '\0';
  if (!has_email && !has_password) return core::Status::Ok();
  if (has_email != has_password)
    return core::Status::InvalidArgument(
        "KEEL_ADMIN_EMAIL and KEEL_ADMIN_PASSWORD must be set together");
  if (core::Status s = ValidateEmail(email); !s.ok())
    return core::Status::InvalidArgument("KEEL_ADMIN_EMAIL: " + s.message());
  if (core::Status s = ValidatePassword(password); !s.ok())
    return core::Status::InvalidArgument("KEEL_ADMIN_PASSWORD: " + s.message());

  core::Status s;
  uint64_t count = 0;
  s = store.WriteNow([&count](storage::WriteTxn& t) {
    core::Result<uint64_t> n = t.CountUsers();
    if (!n.ok()) return n.status();
    count = n.value();
    return core::Status::Ok();
  });
  if (!s.ok()) return s;
  if (count > 0) {
    LOG_INFO("KEEL_ADMIN_EMAIL ignored: the store already has users");
    return core::Status::Ok();
  }
  core::Result<std::string> hash = hasher.Hash(password);
  if (!hash.ok()) return hash.status();
  NewUser admin{email, "Administrator", std::string(storage::kRoleAdmin), hash.value()};
  storage::UserRecord created;
  std::string json;
  s = store.WriteNow([&](storage::WriteTxn& t) {
    // Checked again inside the transaction: another process may have won.
    core::Result<uint64_t> n = t.CountUsers();
    if (!n.ok()) return n.status();
    if (n.value() > 0) return core::Status::Ok();
    return CreateUser(t, admin, static_cast<int64_t>(std::time(nullptr)), &created, &json);
  });
  if (!s.ok()) return s;
  if (created.id != 0)
    LOG_INFO("created the first admin, user %llu", static_cast<unsigned long long>(created.id));
  return core::Status::Ok();
}

}  // namespace keel::api
