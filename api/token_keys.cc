#include "api/token_keys.h"

#include "api/app_context.h"
#include "auth/eddsa.h"
#include "auth/key_dir.h"
#include "auth/secret_key.h"
#include "core/log.h"

namespace keel::api {
namespace {

auth::JwtSettings Settings(const Options& opts) {
  return auth::JwtSettings{.issuer = opts.jwt_issuer,
                           .audience = opts.jwt_audience,
                           .ttl_seconds = opts.access_token_ttl,
                           .leeway_seconds = 30};
}

core::Result<std::shared_ptr<const auth::TokenCodec>> FromKeys(
    const Options& opts, core::Result<std::vector<auth::Ed25519Key>> keys) {
  if (!keys.ok()) return keys.status();
  auto codec = auth::EdDsaCodec::Create(std::move(keys).value(), Settings(opts));
  if (!codec.ok()) {
    return core::Status::FailedPrecondition(KeysDir(opts) + ": " + codec.status().message() +
                                            " (keel-admin keys new makes one)");
  }
  return std::shared_ptr<const auth::TokenCodec>(std::move(codec).value());
}

void LogKeys(const auth::TokenCodec& codec, const std::string& dir) {
  const auto* eddsa = dynamic_cast<const auth::EdDsaCodec*>(&codec);
  if (eddsa == nullptr) return;
  LOG_INFO("access tokens: EdDSA, signing with key %s (%zu keys in %s)",
           eddsa->signing_kid().c_str(), eddsa->keys().size(), dir.c_str());
}

}  // namespace

std::string KeysDir(const Options& opts) {
  return opts.jwt_keys_dir.empty() ? opts.data_dir + "/keys" : opts.jwt_keys_dir;
}

core::Result<std::shared_ptr<const auth::TokenCodec>> MakeTokenCodec(const Options& opts) {
  if (!opts.jwt_secret_file.empty()) {
    core::Result<std::string> key = auth::LoadSigningKey(opts.jwt_secret_file, opts.data_dir);
    if (!key.ok()) return key.status();
    return std::shared_ptr<const auth::TokenCodec>(
        std::make_shared<auth::Hs256Codec>(std::move(key).value(), Settings(opts)));
  }
  auto codec = FromKeys(opts, auth::LoadOrCreateKeyDir(KeysDir(opts), NowSeconds()));
  if (codec.ok()) LogKeys(*codec.value(), KeysDir(opts));
  return codec;
}

void ReloadTokenKeys(const Options& opts, auth::CodecSlot& slot) {
  if (!opts.jwt_secret_file.empty()) return;
  auto codec = FromKeys(opts, auth::LoadKeyDir(KeysDir(opts)));
  if (!codec.ok()) {
    LOG_ERROR("SIGHUP: keys not reloaded, the old ones stay in use: %s",
              codec.status().message().c_str());
    return;
  }
  LogKeys(*codec.value(), KeysDir(opts));
  slot.Store(std::move(codec).value());
}

}  // namespace keel::api
