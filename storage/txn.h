// RAII around LMDB transactions and cursors. Private to storage/.
#pragma once

#include <lmdb.h>

namespace keel::storage {

// Owns one write transaction (top-level or child) and aborts it unless it
// was committed, so every early return rolls back. Aborting a child undoes
// only the child's changes; the parent stays usable.
class ScopedTxn {
 public:
  ScopedTxn() = default;
  ~ScopedTxn() { Abort(); }
  ScopedTxn(const ScopedTxn&) = delete;
  ScopedTxn& operator=(const ScopedTxn&) = delete;

  // Returns an LMDB code; on failure nothing is owned.
  int Begin(MDB_env* env, MDB_txn* parent, unsigned int flags) {
    Abort();
    return mdb_txn_begin(env, parent, flags, &txn_);
  }
  // LMDB frees the handle whether or not the commit succeeds, so this
  // object owns nothing afterwards either way.
  int Commit() {
    MDB_txn* t = txn_;
    txn_ = nullptr;
    return mdb_txn_commit(t);
  }
  void Abort() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
};

// Owns a cursor in a write transaction; closes it before the transaction
// ends (LMDB would too, but an explicit close keeps the order obvious).
class ScopedCursor {
 public:
  ScopedCursor() = default;
  ~ScopedCursor() {
    if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  }
  ScopedCursor(const ScopedCursor&) = delete;
  ScopedCursor& operator=(const ScopedCursor&) = delete;

  int Open(MDB_txn* txn, MDB_dbi dbi) { return mdb_cursor_open(txn, dbi, &cursor_); }
  MDB_cursor* get() const { return cursor_; }

 private:
  MDB_cursor* cursor_ = nullptr;
};

// The long-lived read-only transaction of one Reader. Between calls it is
// reset: it keeps its reader slot but holds no snapshot, so it does not stop
// the writer from reusing pages. Renew() takes a fresh snapshot without
// allocating. Not thread-safe; usable from any thread (MDB_NOTLS).
class ReadTxn {
 public:
  // `cursor_dbi` is the database the one reusable cursor walks.
  ReadTxn(MDB_env* env, MDB_dbi cursor_dbi);
  ~ReadTxn();
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  // Starts a snapshot. If no reader slot was free when this object was
  // made, retries taking one now.
  int Renew();
  // Ends the snapshot; the slot is kept.
  void Reset();
  MDB_txn* get() const { return txn_; }
  // The cursor on `cursor_dbi`, bound to the current snapshot. Opened on
  // first use, renewed (no allocation) afterwards. Valid until Reset().
  int Cursor(MDB_cursor** out);

 private:
  MDB_env* env_;
  MDB_dbi cursor_dbi_;
  MDB_txn* txn_ = nullptr;
  MDB_cursor* cursor_ = nullptr;
  bool cursor_bound_ = false;  // cursor_ belongs to the current snapshot
};

// Renews a ReadTxn for one call and resets it on every return path.
class ReadScope {
 public:
  explicit ReadScope(ReadTxn* txn) : txn_(txn), rc_(txn->Renew()) {}
  ~ReadScope() {
    if (rc_ == 0) txn_->Reset();
  }
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;

  int rc() const { return rc_; }

 private:
  ReadTxn* txn_;
  int rc_;
};

}  // namespace keel::storage
