// LMDB return codes as Status values. Private to storage/.
#pragma once

#include <string_view>

#include "core/status.h"

namespace keel::storage {

// The message every write sees when the map is full: the operator's fix is
// a restart with a larger map (LMDB cannot grow it under open transactions).
inline constexpr std::string_view kMapFullMessage =
    "the database is full: restart with a larger --map-size";

// Maps an LMDB (or errno) code to a Status; `what` names the failed step
// for the message. MDB_MAP_FULL -> ResourceExhausted, MDB_NOTFOUND ->
// NotFound, format/corruption codes -> Corruption, the rest -> IoError.
core::Status MdbStatus(int rc, std::string_view what);

}  // namespace keel::storage
