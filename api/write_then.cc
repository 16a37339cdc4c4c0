#include "api/write_then.h"

#include <memory>

#include "api/status_response.h"

namespace keel::api {

void WriteThen(const AppContext& app, http::Response& res, storage::Store::WriteOp op,
               std::function<void(http::Response&, const core::Status&)> reply) {
  // Store::Done must be copyable and Pending is move-only: share it.
  auto pending = std::make_shared<http::Pending>(res.Defer());
  core::Status s = app.store->Submit(std::move(op), [pending, reply](core::Status st) {
    pending->Resume([st, reply](http::Response* r) {
      if (r != nullptr) reply(*r, st);
    });
  });
  // Refused: neither callback will run; the unused Pending lets go by itself.
  if (!s.ok()) SendStatus(res, s);
}

}  // namespace keel::api
