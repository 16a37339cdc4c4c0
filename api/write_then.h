// The write path of every mutating resource: queue an operation for the
// storage writer, and answer only once the commit that holds it is durable.
#pragma once

#include <functional>

#include "api/app_context.h"
#include "http/response.h"

namespace keel::api {

// Defers `res`, submits `op`; when its commit is done, `reply` runs on the
// connection's loop with the op's status (not at all if the client has
// gone). If the writer's queue refuses the op, answers 503 at once.
void WriteThen(const AppContext& app, http::Response& res, storage::Store::WriteOp op,
               std::function<void(http::Response&, const core::Status&)> reply);

}  // namespace keel::api
