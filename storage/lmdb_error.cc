#include "storage/lmdb_error.h"

#include <lmdb.h>

#include <string>

namespace keel::storage {

core::Status MdbStatus(int rc, std::string_view what) {
  if (rc == MDB_SUCCESS) return core::Status::Ok();
  if (rc == MDB_MAP_FULL) return core::Status::ResourceExhausted(kMapFullMessage);
  std::string msg(what);
  msg += ": ";
  msg += mdb_strerror(rc);  // covers errno values too
  switch (rc) {
    case MDB_NOTFOUND:
      return core::Status::NotFound(msg);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
      return core::Status::Corruption(msg);
    case MDB_READERS_FULL:
      // Every slot is held: more Readers than --max-readers allows.
      return core::Status::Unavailable(msg);
    default:
      return core::Status::IoError(msg);
  }
}

}  // namespace keel::storage
