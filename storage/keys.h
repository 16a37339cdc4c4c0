// Key encodings shared by the reader and the writer. Private to storage/.
//
// Ids are stored as 8 big-endian bytes so that LMDB's default memcmp order
// is numeric order: a cursor walk over "users" lists users by id, and a
// prefix scan over "user_sessions" finds one user's sessions.
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ascii.h"

namespace keel::storage {

inline void PutBigEndian64(uint64_t v, unsigned char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(v);
    v >>= 8;
  }
}

inline uint64_t GetBigEndian64(const unsigned char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}

// An id as an LMDB key; lives on the caller's stack, no allocation.
class IdKey {
 public:
  explicit IdKey(uint64_t id) { PutBigEndian64(id, bytes_); }
  // The returned MDB_val points into this object.
  MDB_val val() { return MDB_val{sizeof(bytes_), bytes_}; }

 private:
  unsigned char bytes_[8];
};

inline MDB_val ToVal(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

inline std::string_view ToView(const MDB_val& v) {
  return v.mv_size == 0 ? std::string_view()
                        : std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

// The email index key: ASCII letters lower-cased, every other byte (UTF-8
// included) kept. Full Unicode case folding would need tables and would
// make the key depend on the Unicode version; ASCII folding covers the
// common "Bob@Example.com" case and is stable forever. Reuses `out`'s
// capacity.
inline void LowerEmailInto(std::string_view email, std::string* out) {
  core::LowerAsciiInto(email, out);
}

// The per-user session index key: BE8(user id) + token hash.
inline void SessionIndexKeyInto(uint64_t user_id, std::string_view token_hash, std::string* out) {
  unsigned char id[8];
  PutBigEndian64(user_id, id);
  out->assign(reinterpret_cast<const char*>(id), sizeof(id));
  out->append(token_hash);
}

}  // namespace keel::storage
