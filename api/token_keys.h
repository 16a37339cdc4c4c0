// The deployment's token codec, made from the options: HS256 with
// --jwt-secret-file, otherwise EdDSA with the keys in --jwt-keys-dir
// (default <data-dir>/keys). Main thread only.
#pragma once

#include <memory>
#include <string>

#include "api/options.h"
#include "auth/codec_slot.h"
#include "auth/jwt.h"
#include "core/status.h"

namespace keel::api {

// The key directory the options name (EdDSA mode).
std::string KeysDir(const Options& opts);

// For keel's start: the codec, creating the key directory and a first key
// when there are none (auth/key_dir.h). The error names the file at fault.
core::Result<std::shared_ptr<const auth::TokenCodec>> MakeTokenCodec(const Options& opts);

// For SIGHUP: rereads the key directory and swaps the new codec into
// `slot`; on any error logs it and keeps the codec in use (a half-copied
// directory must not take the service down). Nothing to do with HS256.
void ReloadTokenKeys(const Options& opts, auth::CodecSlot& slot);

}  // namespace keel::api
