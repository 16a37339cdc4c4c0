#include "storage/txn.h"

namespace keel::storage {

ReadTxn::ReadTxn(MDB_env* env, MDB_dbi cursor_dbi) : env_(env), cursor_dbi_(cursor_dbi) {
  // Take the reader slot now, so the first request does not pay for it;
  // a failure (all slots taken) is retried by Renew().
  if (mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn_) == 0) {
    mdb_txn_reset(txn_);
  } else {
    txn_ = nullptr;
  }
}

ReadTxn::~ReadTxn() {
  // Read-only cursors are not freed with their transaction: close first.
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

int ReadTxn::Renew() {
  if (txn_ == nullptr) {
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn_);
    if (rc != 0) txn_ = nullptr;
    return rc;
  }
  return mdb_txn_renew(txn_);
}

void ReadTxn::Reset() {
  mdb_txn_reset(txn_);
  cursor_bound_ = false;
}

int ReadTxn::Cursor(MDB_cursor** out) {
  int rc = 0;
  if (cursor_ == nullptr) {
    rc = mdb_cursor_open(txn_, cursor_dbi_, &cursor_);
    if (rc != 0) cursor_ = nullptr;
  } else if (!cursor_bound_) {
    rc = mdb_cursor_renew(txn_, cursor_);
  }
  if (rc != 0) return rc;
  cursor_bound_ = true;
  *out = cursor_;
  return 0;
}

}  // namespace keel::storage
