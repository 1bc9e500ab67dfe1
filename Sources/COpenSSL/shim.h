#ifndef PADDOCK_COPENSSL_SHIM_H
#define PADDOCK_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>

// OpenSSL spells these as macros over SSL_CTX_ctrl / SSL_ctrl, which Swift cannot import.
static inline int paddock_ssl_ctx_set_min_proto(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int paddock_ssl_ctx_set_servername_cb(SSL_CTX *ctx, int (*cb)(SSL *, int *, void *), void *arg) {
    SSL_CTX_set_tlsext_servername_arg(ctx, arg);
    return (int)SSL_CTX_set_tlsext_servername_callback(ctx, (void (*)(void))cb);
}
// The DHE suites of Mozilla's intermediate list negotiate only with DH parameters: OpenSSL's own.
static inline long paddock_ssl_ctx_set_dh_auto(SSL_CTX *ctx) { return SSL_CTX_set_dh_auto(ctx, 1); }
static inline long paddock_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long paddock_ssl_ctx_set_options(SSL_CTX *ctx, long options) { return (long)SSL_CTX_set_options(ctx, (uint64_t)options); }
static inline long paddock_ssl_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
// SSL_OP_* are built with SSL_OP_BIT(n), which Swift cannot import either.
static inline long paddock_ssl_hardening_options(void) { return (long)(SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION); }

#endif
