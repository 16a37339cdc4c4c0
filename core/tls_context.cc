#include "core/tls_context.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstring>

namespace keel::core {
namespace {

// TLS 1.2: forward secrecy (ECDHE) and AEAD only, ECDSA certificates first.
// TLS 1.3 suites are all AEAD; the list just fixes their order.
constexpr char kCiphers12[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kCiphers13[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char kGroups[] = "X25519:P-256:P-384";
// ALPN wire format: length-prefixed names.
constexpr unsigned char kAlpn[] = "\x08http/1.1";
constexpr unsigned char kSessionIdContext[] = "keel";
// A ticket stays usable at least this long (see TicketKeyRing): say so.
constexpr long kTicketLifetimeS = 3600;

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// The oldest error on this thread's queue, as text; clears the queue.
std::string TakeOpenSslError() {
  unsigned long e = ERR_peek_last_error();
  std::string text = "unknown OpenSSL error";
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    text = buf;
  }
  ERR_clear_error();
  return text;
}

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, kAlpn, sizeof kAlpn - 1, in, inlen) ==
      OPENSSL_NPN_NEGOTIATED) {
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
  }
  // The client named protocols and http/1.1 is not one of them (an
  // h2-only client): RFC 7301 asks for a fatal no_application_protocol.
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

bool SetTicketMac(EVP_MAC_CTX* hctx, unsigned char* key) {
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key, 32),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_end()};
  return EVP_MAC_CTX_set_params(hctx, params) == 1;
}

// OpenSSL's ticket hook: seal with the ring's current key, open with
// whichever key the ticket names. Returns per SSL_CTX_set_tlsext_ticket_key_evp_cb:
// sealing 1 ok / -1 error; opening 0 unknown key (full handshake), 1 ok,
// 2 ok but issue a fresh ticket.
int TicketCallback(SSL* ssl, unsigned char name[16], unsigned char* iv, EVP_CIPHER_CTX* cctx,
                   EVP_MAC_CTX* hctx, int enc) {
  auto* owner = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  TicketKeyRing::Key key;
  int result = -1;
  if (enc == 1) {
    key = owner->tickets().ForSealing(NowSeconds());
    std::memcpy(name, key.name, sizeof key.name);
    if (RAND_bytes(iv, 16) == 1 &&
        EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, key.aes, iv) == 1 &&
        SetTicketMac(hctx, key.hmac)) {
      result = 1;
    }
  } else {
    TicketKeyRing::Found found = owner->tickets().ForOpening(name, NowSeconds(), &key);
    if (found == TicketKeyRing::Found::kNone) {
      result = 0;
    } else if (SetTicketMac(hctx, key.hmac) &&
               EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, key.aes, iv) == 1) {
      result = found == TicketKeyRing::Found::kCurrent ? 1 : 2;
    }
  }
  OPENSSL_cleanse(&key, sizeof key);
  return result;
}

std::string DescribeCertificate(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "no certificate";
  std::string out;
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  out += "subject ";
  out += subject;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out += ", serial ";
      out += hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  if (BIO* mem = BIO_new(BIO_s_mem())) {
    if (ASN1_TIME_print(mem, X509_get0_notAfter(cert)) == 1) {
      char* p = nullptr;
      long n = BIO_get_mem_data(mem, &p);
      out += ", expires ";
      out.append(p, static_cast<size_t>(n));
    }
    BIO_free(mem);
  }
  return out;
}

}  // namespace

void SslCtxFree::operator()(ssl_ctx_st* ctx) const { SSL_CTX_free(ctx); }

// --- TicketKeyRing ---------------------------------------------------------

void TicketKeyRing::MaybeRotate(uint64_t now_s) {
  if (have_current_ && now_s - current_.created_s < rotate_s_) return;
  // A current key older than two intervals has outlived its use as the
  // previous key as well.
  have_previous_ = have_current_ && now_s - current_.created_s < 2 * rotate_s_;
  if (have_previous_) previous_ = current_;
  RAND_bytes(current_.name, sizeof current_.name);
  RAND_bytes(current_.aes, sizeof current_.aes);
  RAND_bytes(current_.hmac, sizeof current_.hmac);
  current_.created_s = now_s;
  have_current_ = true;
}

TicketKeyRing::Key TicketKeyRing::ForSealing(uint64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  MaybeRotate(now_s);
  return current_;
}

TicketKeyRing::Found TicketKeyRing::ForOpening(const unsigned char name[16], uint64_t now_s,
                                               Key* out) {
  std::lock_guard<std::mutex> lock(mu_);
  MaybeRotate(now_s);
  if (std::memcmp(name, current_.name, sizeof current_.name) == 0) {
    *out = current_;
    return Found::kCurrent;
  }
  if (have_previous_ && std::memcmp(name, previous_.name, sizeof previous_.name) == 0) {
    *out = previous_;
    return Found::kPrevious;
  }
  return Found::kNone;
}

// --- TlsContext ------------------------------------------------------------

Result<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsConfig& config) {
  std::unique_ptr<TlsContext> tls(new TlsContext(config));
  std::string describe;
  Result<SslCtxPtr> ctx = tls->Build(&describe);
  if (!ctx.ok()) return ctx.status();
  tls->ctx_ = std::move(ctx).value();
  tls->describe_ = std::move(describe);
  return tls;
}

TlsContext::~TlsContext() = default;

Result<SslCtxPtr> TlsContext::Build(std::string* describe) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Status::IoError("TLS: SSL_CTX_new: " + TakeOpenSslError());
  SSL_CTX* c = ctx.get();
  int min = config_.min_version == TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(c, min) != 1 || SSL_CTX_set_cipher_list(c, kCiphers12) != 1 ||
      SSL_CTX_set_ciphersuites(c, kCiphers13) != 1 || SSL_CTX_set1_groups_list(c, kGroups) != 1) {
    return Status::IoError("TLS: settings: " + TakeOpenSslError());
  }
  SSL_CTX_set_options(
      c, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // An idle connection frees OpenSSL's ~34 KB of record buffers.
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(c, config_.cert_file.c_str()) != 1) {
    return Status::IoError("--tls-cert " + config_.cert_file + ": " + TakeOpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(c, config_.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    if (!mismatch) {
      return Status::IoError("--tls-key " + config_.key_file + ": " + TakeOpenSslError());
    }
  }
  // OpenSSL compares the pair while loading the key (the mismatch above);
  // the explicit check covers a chain file whose first certificate is not
  // the key's.
  if (SSL_CTX_check_private_key(c) != 1 || ERR_peek_last_error() != 0) {
    return Status::InvalidArgument("--tls-key " + config_.key_file +
                                   " does not match the certificate in --tls-cert " +
                                   config_.cert_file + ": " + TakeOpenSslError());
  }
  SSL_CTX_set_alpn_select_cb(c, SelectAlpn, nullptr);
  // Stateless resumption only: tickets, no cache of sessions on our side.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof kSessionIdContext - 1);
  SSL_CTX_set_timeout(c, kTicketLifetimeS);
  SSL_CTX_set_num_tickets(c, 1);
  SSL_CTX_set_app_data(c, this);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(c, TicketCallback);
  *describe = DescribeCertificate(c);
  ERR_clear_error();
  return ctx;
}

Status TlsContext::Reload() {
  std::string describe;
  Result<SslCtxPtr> ctx = Build(&describe);
  if (!ctx.ok()) return ctx.status();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ctx_ = std::move(ctx).value();  // connections keep the old one by refcount
    describe_ = std::move(describe);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  return Status::Ok();
}

SslCtxPtr TlsContext::Acquire(uint64_t* generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  *generation = generation_.load(std::memory_order_acquire);
  SSL_CTX_up_ref(ctx_.get());
  return SslCtxPtr(ctx_.get());
}

std::string TlsContext::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  return describe_;
}

}  // namespace keel::core
