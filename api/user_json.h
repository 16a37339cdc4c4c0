// The public JSON form of a user, as every response shows it and as the
// store keeps it ready to send:
// {"id":1,"email":"…","name":"…","role":"user","created_at":"…","updated_at":"…"}
// It never contains the password or its hash.
#pragma once

#include <cstdint>
#include <string>

#include "storage/store.h"

namespace keel::api {

void AppendUserJson(std::string& out, const storage::UserRecord& user);
std::string UserJson(const storage::UserRecord& user);
// The ETag of a revision: "\"<revision>\"" written into `out` (>= 24 bytes).
std::string_view FormatEtag(uint64_t revision, char* out);

}  // namespace keel::api
